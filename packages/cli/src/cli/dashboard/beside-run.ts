import type { DashboardServer } from '@cairn/dashboard'
import type { CliContext } from '../context.js'
import type { Interrupts } from '../interrupts.js'
import { line } from '../io.js'
import { serveUntilStopped } from './serve-until-stopped.js'
import { startDashboard } from './start.js'

/** The flags of `cairn run` about its dashboard. */
export interface RunDashboardFlags {
  dashboard?: boolean
  port?: number
  keepDashboard?: boolean
}

/** A dashboard serving beside a run, in the run's process, over the run's store. */
export interface RunDashboard {
  /** With `--keep-dashboard`: once the run is over, serves until Ctrl-C. Otherwise returns at once. */
  keepIfAsked(runInterrupts: Interrupts): Promise<void>
  /** Stops serving (idempotent). */
  close(): Promise<void>
}

/**
 * Starts the dashboard for `cairn run --dashboard` (or `--keep-dashboard`): same process, same
 * store object, so it also works on a `memory:` store and while the run holds a LevelDB store.
 * Null when neither flag is given.
 */
export async function dashboardBesideRun(
  ctx: CliContext,
  flags: RunDashboardFlags,
  out: NodeJS.WritableStream,
): Promise<RunDashboard | null> {
  if (!flags.dashboard && !flags.keepDashboard) return null
  const server: DashboardServer = await startDashboard(
    ctx,
    await ctx.cairn.store(),
    flags.port !== undefined ? { port: flags.port } : {},
    out,
  )
  return {
    async keepIfAsked(runInterrupts) {
      if (!flags.keepDashboard) return
      // The run's Ctrl-C handling is over: the next Ctrl-C stops the dashboard.
      runInterrupts.dispose()
      line(out, `the run is over; the dashboard stays at ${server.url} until Ctrl-C`)
      await serveUntilStopped(ctx.io, server)
    },
    close: () => server.close(),
  }
}
