import { hostname } from 'node:os'
import type { DashboardServer } from '@cairn/dashboard'
import { importOptional } from '../../lazy-import.js'
import type { CairnStore } from '../../store/open-store.js'
import type { CliContext } from '../context.js'
import { line } from '../io.js'

/** Where and how `cairn dashboard` / `cairn run --dashboard` serve. */
export interface DashboardFlags {
  port?: number
  host?: string
}

/**
 * Starts the dashboard (`@cairn/dashboard`, imported now: a missing package gives
 * `MissingPackageError` saying how to install it) over `store`, able to resume sessions with
 * this CLI and config, and prints its start URL — the only time the token is shown — on `out`.
 */
export async function startDashboard(
  ctx: CliContext,
  store: CairnStore,
  flags: DashboardFlags,
  out: NodeJS.WritableStream,
): Promise<DashboardServer> {
  const { createDashboardServer } = await importOptional('@cairn/dashboard', 'the dashboard', () => import('@cairn/dashboard'))
  const server = await createDashboardServer({
    store,
    ...(flags.host !== undefined ? { host: flags.host } : {}),
    ...(flags.port !== undefined ? { port: flags.port } : {}),
    ...(ctx.configPath !== null ? { config: ctx.configPath } : {}),
    ...(ctx.cairn.storeUri !== 'store object' ? { storeUri: ctx.cairn.storeUri } : {}),
    ...(process.argv[1] !== undefined ? { cairnCommand: [process.execPath, ...process.execArgv, process.argv[1]] } : {}),
    cwd: ctx.io.cwd,
  })
  line(out, `dashboard of ${ctx.cairn.storeUri} at ${browsableUrl(server)}`)
  if (server.exposed)
    line(out, `listening on ${server.host}: every request needs the token in that URL; give it only to whom may pause and cancel your runs`)
  if (ctx.configPath === null) line(out, 'no config file: the dashboard can pause and cancel, but not resume (give --config)')
  return server
}

/** The start URL, with this machine's name in place of a wildcard address (0.0.0.0, ::). */
function browsableUrl(server: DashboardServer): string {
  if (server.host !== '0.0.0.0' && server.host !== '::') return server.startUrl
  return server.startUrl.replace(/^http:\/\/[^/]+/, `http://${hostname()}:${server.port}`)
}
