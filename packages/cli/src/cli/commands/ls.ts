import type { ListFilter, SessionListing, SessionStatus } from '@cairn/core'
import { InvalidArgumentError, type Command } from 'commander'
import { builtinOptimizerId } from '../../optimizer/builtins.js'
import type { CommandKit } from '../command-kit.js'
import { withCliContext } from '../context.js'
import { EXIT } from '../exit-codes.js'
import { ago, parseSince, score, table } from '../format.js'
import { line, printJson } from '../io.js'

const STATUSES = ['running', 'paused', 'completed', 'failed', 'cancelled', 'corrupt'] as const

function statuses(value: string): Array<SessionStatus | 'corrupt'> {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  for (const s of list)
    if (!(STATUSES as readonly string[]).includes(s)) throw new InvalidArgumentError(`"${s}" is not a status (${STATUSES.join(', ')}).`)
  return list as Array<SessionStatus | 'corrupt'>
}

function since(value: string): number {
  const t = parseSince(value)
  if (t === null) throw new InvalidArgumentError('must be a duration back from now (30m, 12h, 7d), an ISO date or epoch ms.')
  return t
}

/** Short optimizer names for the table: `@cairn/optimizers/tpe` → `tpe`. */
function shortOptimizer(id: string): string {
  return id.startsWith('@cairn/optimizers/') ? id.slice('@cairn/optimizers/'.length) : id
}

/** `cairn ls`: the sessions in the store. */
export function registerLs({ program, io, exit }: CommandKit): void {
  program
    .command('ls')
    .description('list the sessions in the store')
    .option('--status <list>', `only these statuses, comma-separated (${STATUSES.join(', ')})`, statuses)
    .option('--optimizer <name>', 'only this optimizer (a built-in name such as tpe, or an optimizer id)')
    .option('--since <when>', 'only sessions updated since: 30m, 12h, 7d, an ISO date or epoch ms', since)
    .option('--job <name>', 'only sessions of this job')
    .option('--json', 'print the listings as JSON')
    .action(
      (
        flags: { status?: Array<SessionStatus | 'corrupt'>; optimizer?: string; since?: number; job?: string; json?: boolean },
        cmd: Command,
      ) =>
        withCliContext(cmd, io, async (ctx) => {
          const filter: ListFilter = {}
          if (flags.status) filter.status = flags.status
          if (flags.optimizer) filter.optimizer = (await builtinOptimizerId(flags.optimizer)) ?? flags.optimizer
          if (flags.since !== undefined) filter.updatedSince = flags.since
          let items: SessionListing[] = await ctx.cairn.list(filter)
          if (flags.job !== undefined) items = items.filter((s) => s.job === flags.job)
          items.sort((a, b) => b.updatedAt - a.updatedAt)
          if (flags.json) printJson(io, items)
          else if (items.length === 0) line(io.stdout, `no sessions in ${ctx.cairn.storeUri}`)
          else {
            const now = Date.now()
            // A PRUNED column only when some session pruned trials.
            const pruned = items.some((s) => s.pruned !== undefined)
            const rows = items.map((s) => [
              s.sessionId,
              s.job ?? '-',
              s.status === 'running' && (s.leaseExpiresAt === null || s.leaseExpiresAt <= now) ? 'running (no driver)' : s.status,
              shortOptimizer(s.optimizer),
              String(s.completed),
              ...(pruned ? [String(s.pruned ?? 0)] : []),
              score(s.bestScore),
              ago(s.updatedAt, now),
            ])
            const headers = ['SESSION', 'JOB', 'STATUS', 'OPTIMIZER', 'TRIALS', ...(pruned ? ['PRUNED'] : []), 'BEST', 'UPDATED']
            line(io.stdout, table(headers, rows, new Set(pruned ? [4, 5, 6] : [4, 5])))
          }
          exit(EXIT.OK)
        }),
    )
}
