import type { Command } from 'commander'
import { intArg } from '../args.js'
import type { CommandKit } from '../command-kit.js'
import { withCliContext } from '../context.js'
import { drive, leaseWaitMessage } from '../drive.js'
import { EXIT } from '../exit-codes.js'
import { Interrupts } from '../interrupts.js'
import { line } from '../io.js'

/** `cairn resume <id>`: continues a paused (or orphaned) session with the job its head names. */
export function registerResume({ program, io, exit }: CommandKit): void {
  program
    .command('resume')
    .description(
      'continue a paused or interrupted session where its last commit left it (after a kill -9, waits for the dead process’s lease to expire)',
    )
    .argument('<id>', 'session id')
    .option('-n, --trials <n>', 'raise or lower the session’s trial budget', intArg(0))
    .option('-p, --parallelism <n>', 'trials evaluated at once', intArg(1, 1024))
    .option('--json', 'print the result as JSON on stdout (progress goes to stderr)')
    .action(async (id: string, flags: { trials?: number; parallelism?: number; json?: boolean }, cmd: Command) => {
      const interrupts = new Interrupts(() => io.exit(EXIT.INTERRUPTED)).install()
      try {
        await withCliContext(cmd, io, async (ctx) => {
          ctx.requireConfig("resume needs one for the session's job")
          const text = flags.json ? io.stderr : io.stdout
          const handle = await ctx.cairn.resume(id, {
            ...(flags.trials !== undefined ? { maxTrials: flags.trials } : {}),
            ...(flags.parallelism !== undefined ? { parallelism: flags.parallelism } : {}),
            onLeaseWait: (w) => line(text, leaseWaitMessage(w)),
          })
          exit(
            await drive(ctx, handle, interrupts, 'resumed', {
              json: flags.json === true,
              resumeCommand: ctx.command(['resume', id]),
              rerunResumes: true,
            }),
          )
        })
      } finally {
        interrupts.dispose()
      }
    })
}
