import type { Command } from 'commander'
import { SessionBusyError } from '../../errors.js'
import type { CommandKit } from '../command-kit.js'
import { withCliContext } from '../context.js'
import { EXIT } from '../exit-codes.js'
import { line, printJson } from '../io.js'

/** `cairn rm <id>`: deletes a session and its trials. */
export function registerRm({ program, io, exit }: CommandKit): void {
  program
    .command('rm')
    .description('delete a session and its trials (refused while a live process drives it, unless --force)')
    .argument('<id>', 'session id')
    .option('-f, --force', 'delete even while a process drives it (that process then fails)')
    .option('--json', 'print the outcome as JSON')
    .action((id: string, flags: { force?: boolean; json?: boolean }, cmd: Command) =>
      withCliContext(cmd, io, async (ctx) => {
        await ctx.cairn.delete(id, { force: flags.force === true }).catch((err: unknown) => {
          if (!(err instanceof SessionBusyError)) throw err
          throw new SessionBusyError(
            id,
            err.owner,
            err.leaseExpiresAt,
            `pause or cancel it first, or delete it anyway with \`${ctx.command(['rm', id, '--force'])}\` (its process then fails at its next commit)`,
          )
        })
        if (flags.json) printJson(io, { sessionId: id, deleted: true })
        else line(io.stdout, `deleted session "${id}"`)
        exit(EXIT.OK)
      }),
    )
}
