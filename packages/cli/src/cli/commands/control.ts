import type { Command } from 'commander'
import type { ControlOutcome } from '../../session/control.js'
import type { CommandKit } from '../command-kit.js'
import { withCliContext } from '../context.js'
import { EXIT } from '../exit-codes.js'
import { line, printJson } from '../io.js'

function describe(o: ControlOutcome, waited: boolean): string {
  const verb = o.action === 'pause' ? 'pause' : 'cancel'
  if (o.outcome === 'unchanged') return `session "${o.sessionId}" is already ${o.status}; nothing to ${verb}`
  if (o.outcome === 'applied')
    return `${o.action === 'pause' ? 'paused' : 'cancelled'} session "${o.sessionId}" (no process was driving it)`
  if (waited) return `session "${o.sessionId}" is ${o.status}`
  return `asked the process driving session "${o.sessionId}" to ${verb}; it will after the trial in flight is committed (add --wait to wait for it)`
}

/** `cairn pause <id>` and `cairn cancel <id>`: from any terminal, through the store. */
export function registerControl({ program, io, exit }: CommandKit): void {
  for (const action of ['pause', 'cancel'] as const) {
    program
      .command(action)
      .description(
        action === 'pause'
          ? 'pause a session from another terminal: the process driving it stops after the trial in flight (needs a store several processes share: fs: or dynamodb://)'
          : 'cancel a session for good: a running one stops after the trial in flight; a paused one is cancelled at once',
      )
      .argument('<id>', 'session id')
      .option('-w, --wait', 'wait until the driving process has honoured the request')
      .option('--json', 'print the outcome as JSON')
      .action((id: string, flags: { wait?: boolean; json?: boolean }, cmd: Command) =>
        withCliContext(cmd, io, async (ctx) => {
          const outcome = await ctx.cairn.control(id, action, {
            wait: flags.wait === true,
            onLeaseWait: (w) =>
              line(
                io.stderr,
                `the process that drove session "${id}" is gone (${w.owner}); waiting ${Math.max(1, Math.ceil((w.expiresAt - Date.now()) / 1000))} s for its lease to expire…`,
              ),
          })
          if (flags.json) printJson(io, outcome)
          else line(io.stdout, describe(outcome, flags.wait === true && outcome.outcome === 'requested'))
          exit(EXIT.OK)
        }),
      )
  }
}
