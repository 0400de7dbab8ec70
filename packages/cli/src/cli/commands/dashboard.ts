import type { Command } from 'commander'
import { StoreUriError } from '../../errors.js'
import { intArg } from '../args.js'
import type { CommandKit } from '../command-kit.js'
import { withCliContext } from '../context.js'
import { openBrowser } from '../dashboard/open-browser.js'
import { serveUntilStopped } from '../dashboard/serve-until-stopped.js'
import { startDashboard } from '../dashboard/start.js'
import { EXIT } from '../exit-codes.js'
import { line } from '../io.js'

interface DashboardCommandFlags {
  port?: number
  host?: string
  open?: boolean
}

/** `cairn dashboard`: serves the live web dashboard over the store until Ctrl-C. */
export function registerDashboard({ program, io, exit }: CommandKit): void {
  program
    .command('dashboard')
    .description(
      'serve a live web dashboard of the store’s sessions (history, plots, trial table; pause, resume, cancel) until Ctrl-C; needs @cairn/dashboard',
    )
    .option('--port <n>', 'TCP port (default 4545; 0 for any free one)', intArg(0, 65_535))
    .option('--host <address>', 'listen on this address instead of 127.0.0.1 (e.g. 0.0.0.0): every request then needs the token')
    .option('--open', 'open the dashboard in the system’s browser')
    .action((flags: DashboardCommandFlags, cmd: Command) =>
      withCliContext(cmd, io, async (ctx) => {
        if (ctx.cairn.storeUri === 'memory:')
          throw new StoreUriError(
            'memory:',
            'is a store inside one process: a dashboard in another has nothing to watch; give an fs:, level: or dynamodb: store, ' +
              'or watch a run in its own process with `cairn run <job> --dashboard`',
          )
        const server = await startDashboard(ctx, await ctx.cairn.store(), flags, io.stdout)
        line(io.stdout, 'press Ctrl-C to stop')
        if (flags.open) {
          const problem = await openBrowser(server.startUrl)
          if (problem) line(io.stderr, `warning: ${problem}`)
        }
        await serveUntilStopped(io, server)
        exit(EXIT.OK)
      }),
    )
}
