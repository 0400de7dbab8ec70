import type { Command } from 'commander'
import { createCairn, type Cairn } from '../cairn.js'
import { CONFIG_FILES, loadConfig } from '../config/load-config.js'
import { NoConfigError } from '../errors.js'
import { formatStoreSpec, parseStoreUri } from '../store/uri.js'
import { FROM_SOURCE } from '../util/from-source.js'
import type { CliIo } from './io.js'

/** Options every command accepts (declared on the program). */
export interface GlobalOptions {
  config?: string
  store?: string
  debug?: boolean
}

/** What a command works with: the composition root and how to print commands back to the user. */
export interface CliContext {
  cairn: Cairn
  io: CliIo
  /** The config file in use, or null. */
  configPath: string | null
  /** Throws `NoConfigError` when no config file was found; `neededFor` says what needs it. */
  requireConfig(neededFor: string): void
  /** A `cairn …` command line with the same `--config` / `--store` as this one, e.g. for "resume with". */
  command(args: string[]): string
  /** `pnpm demo` when this CLI was started by a package script other than `cairn`, else null. */
  scriptCommand(): string | null
}

/** Loads the config (`--config`, else `cairn.config.*` in the working directory) and builds the root. */
export async function cliContext(cmd: Command, io: CliIo): Promise<CliContext> {
  const g = cmd.optsWithGlobals<GlobalOptions>()
  const loaded = await loadConfig({ cwd: io.cwd, ...(g.config !== undefined ? { path: g.config } : {}) })
  let config = loaded.config
  // `--store` is relative to the working directory; the config's store to the config file.
  if (g.store !== undefined) config = { ...config, store: formatStoreSpec(parseStoreUri(g.store, io.cwd)) }
  const cairn = createCairn(config, { baseDir: loaded.baseDir })
  return {
    cairn,
    io,
    configPath: loaded.path,
    requireConfig: (neededFor) => {
      if (loaded.path === null) throw new NoConfigError(io.cwd, CONFIG_FILES, neededFor)
    },
    command: (args) => {
      const event = io.env['npm_lifecycle_event']
      // From source (this repository), the command is the root script `pnpm cairn`.
      const prefix = event === 'cairn' ? `${packageManager(io.env)} cairn` : FROM_SOURCE ? 'pnpm cairn' : 'cairn'
      const flags: string[] = []
      if (g.config !== undefined) flags.push('--config', quote(g.config))
      if (g.store !== undefined) flags.push('--store', quote(g.store))
      return [prefix, ...flags, ...args.map(quote)].join(' ')
    },
    scriptCommand: () => {
      const event = io.env['npm_lifecycle_event']
      if (!event || event === 'cairn') return null
      const pm = packageManager(io.env)
      return pm === 'npm' ? `npm run ${event}` : `${pm} ${event}`
    },
  }
}

/**
 * Runs `use` with the context of `cmd` (see `cliContext`) and closes the store it opened
 * afterwards, whether `use` succeeded or threw.
 */
export async function withCliContext<T>(cmd: Command, io: CliIo, use: (ctx: CliContext) => Promise<T>): Promise<T> {
  const ctx = await cliContext(cmd, io)
  try {
    return await use(ctx)
  } finally {
    await ctx.cairn.close()
  }
}

function packageManager(env: NodeJS.ProcessEnv): 'pnpm' | 'yarn' | 'npm' {
  const agent = env['npm_config_user_agent'] ?? ''
  return agent.startsWith('pnpm') ? 'pnpm' : agent.startsWith('yarn') ? 'yarn' : 'npm'
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`
}
