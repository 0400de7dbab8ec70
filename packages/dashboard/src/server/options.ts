import { defineOptions, optionKinds as k, type CheckpointStore, type OptionsSchema } from '@cairn/core'
import { DashboardOptionError, PKG } from '../errors.js'

/** The port `createDashboardServer` (and `cairn dashboard`) listens on unless told otherwise. */
export const DEFAULT_PORT = 4545

/** How often a watched session's head is read unless told otherwise (ms). */
export const DEFAULT_POLL_INTERVAL_MS = 200

/** Options of `createDashboardServer`. */
export interface DashboardServerOptions {
  /** The store whose sessions are shown. The server never closes it: its owner does. */
  store: CheckpointStore
  /**
   * The address to listen on. Default `127.0.0.1` (this machine only). Any other address
   * (`0.0.0.0`, a LAN address) exposes the dashboard: every API request then needs the token.
   */
  host?: string
  /** The TCP port. Default 4545; 0 takes any free port (read it from `server.port`). */
  port?: number
  /**
   * The access token every write (and, on a non-loopback host, every API read) must carry in
   * the `x-cairn-token` header. Default: 32 random bytes, base64url. At least 16 characters.
   */
  token?: string
  /**
   * The config file (`cairn.config.ts`) whose jobs the sessions were started from. Only with it
   * can the dashboard resume a paused session: it starts `cairn resume <id> --config <file>` in
   * a detached process. Without it a resume request is refused (409) saying why.
   */
  config?: string
  /**
   * The store URI the resumed process opens (`--store`), e.g. `fs:/abs/dir`. Default: the
   * config's own store. Give it whenever `store` is not the config's store.
   */
  storeUri?: string
  /**
   * The command line that runs the `cairn` CLI, before its arguments: `['cairn']` by default;
   * the CLI passes its own (`[node, …execArgv, main]`) so the resumed process runs the same
   * CLI. Its working directory is `cwd`.
   */
  cairnCommand?: readonly string[]
  /** Working directory of a resumed process (relative `config` / `storeUri` paths are resolved from it). Default `process.cwd()`. */
  cwd?: string
  /**
   * Further host names the `Host` header may carry, with any port: a DNS name this machine is
   * reached by, or the name a TLS proxy in front forwards. Requests naming any other host are
   * refused (DNS rebinding); see the README.
   */
  allowedHosts?: readonly string[]
  /** How often each watched session's head revision is read for live updates (ms). Default 200. */
  pollIntervalMs?: number
  /**
   * The directory of the built web app (`index.html` and its assets). Default: this package's
   * `dist/web/`. When it has no `index.html`, `/` serves a short page saying so.
   */
  webRoot?: string
}

/** The keys `createDashboardServer` takes, and their checks (unknown keys refused). */
export const DashboardServerOptionsSchema: OptionsSchema<DashboardServerOptions> = defineOptions<DashboardServerOptions>(
  `${PKG} createDashboardServer`,
  {
    store: k.withMethods(['list', 'load', 'readTrials', 'requestControl'], 'must be a CheckpointStore (createFsStore, createLevelStore …)'),
    host: k.optional(k.string()),
    port: k.optional(k.integer(0, 65_535)),
    token: k.optional(k.string(1, 512)),
    config: k.optional(k.string()),
    storeUri: k.optional(k.string()),
    cairnCommand: k.optional(k.arrayOf(k.string(), 'must be a non-empty array of strings (the command, then its first arguments)')),
    cwd: k.optional(k.string()),
    allowedHosts: k.optional(k.arrayOf(k.string(), 'must be an array of host names')),
    pollIntervalMs: k.optional(k.durationMs({ min: 10, max: 60_000 })),
    webRoot: k.optional(k.string()),
  },
  { error: (message, field) => new DashboardOptionError(field ?? 'options', message) },
)

/** Checks what the schema cannot say. */
export function checkDashboardOptions(options: DashboardServerOptions): void {
  if (options.cairnCommand !== undefined && options.cairnCommand.length === 0)
    throw new DashboardOptionError('cairnCommand', 'must name a command, got an empty array')
  if (options.token !== undefined && options.token.length < 16)
    throw new DashboardOptionError('token', 'must be at least 16 characters (a short token is guessed); leave it out to get a random one')
  if (options.token !== undefined && !/^[\x21-\x7e]+$/.test(options.token))
    throw new DashboardOptionError('token', 'must be printable ASCII without spaces (it travels in an HTTP header)')
}
