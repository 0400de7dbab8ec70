import type { Json, ParetoTrial, TrialRecord } from '@cairn/core'
import type { SharedEvaluationView } from '../../session/shared-trials.js'
import type { Command } from 'commander'
import { intArg } from '../args.js'
import type { CommandKit } from '../command-kit.js'
import { withCliContext } from '../context.js'
import { EXIT } from '../exit-codes.js'
import { ago, compactJson, duration, iso, score, table } from '../format.js'
import { line, printJson } from '../io.js'

/** `cairn show <id>`: a session's head, best trial and last trials. */
export function registerShow({ program, io, exit }: CommandKit): void {
  program
    .command('show')
    .description(
      'show a session: its head (status, optimizer, seed, limits, warm start), best trial (or Pareto front, with several objectives) and last trials',
    )
    .argument('<id>', 'session id')
    .option('-t, --trials <n>', 'how many of the last trials to show', intArg(0), 10)
    .option('--json', 'print { head, best, trials, paretoFront? } as JSON')
    .action((id: string, flags: { trials: number; json?: boolean }, cmd: Command) =>
      withCliContext(cmd, io, async (ctx) => {
        const d = await ctx.cairn.show(id, { lastTrials: flags.trials })
        if (flags.json) {
          printJson(io, d)
          exit(EXIT.OK)
          return
        }
        const h = d.head
        const p = h.progress
        const now = Date.now()
        const rows: Array<[string, string]> = [
          ['session', `${h.sessionId}${h.name ? ` (${h.name})` : ''}`],
          ['job', h.job ?? '-'],
          ['status', `${h.status}${h.terminalReason && h.terminalReason !== h.status ? ` (${h.terminalReason})` : ''}`],
          ['optimizer', `${h.optimizer.id} (state v${h.optimizer.stateVersion}) ${compactJson(h.optimizerOptions, 80)}`],
          ['seed', `${h.seed}, ${(h.directions ?? [h.direction]).join(', ')}`],
          [
            'trials',
            `${p.attempts}${h.limits.maxTrials !== null ? ` of ${h.limits.maxTrials}` : ''} (${p.completed} ok, ${p.pruned ? `${p.pruned} pruned, ` : ''}${p.errors} errors; at most ${h.limits.maxErrors} errors, parallelism ${h.limits.parallelism})`,
          ],
          ...bestRows(d.paretoFront, p, h.bestArtifact),
          ['store', ctx.cairn.storeUri],
          ['created', `${iso(h.createdAt)} (${ago(h.createdAt, now)})`],
          ['updated', `${iso(h.updatedAt)} (${ago(h.updatedAt, now)}), revision ${h.revision}`],
          [
            'lease',
            h.lease === null
              ? 'none'
              : h.lease.expiresAt > now
                ? `${h.lease.owner}, expires in ${duration(h.lease.expiresAt - now)}`
                : `expired (${h.lease.owner})`,
          ],
        ]
        if (h.trainsetHash) rows.push(['trainset', h.trainsetHash])
        if (h.valsetHash) rows.push(['valset', h.valsetHash])
        if (h.warmStart)
          rows.push(['warm start', `${h.warmStart.source}, ${h.warmStart.seededTrials} seeded; exact key ${h.warmStart.exactKey ?? '-'}`])
        if (h.evaluation === 'shared') rows.push(['evaluation', sharedSummary(d.shared)])
        if (h.limits.retryFailed) rows.push(['retry failed', `up to ${h.limits.retryFailed} times`])
        if (h.pruner) rows.push(['pruner', `${h.pruner.id} (state v${h.pruner.stateVersion}) ${compactJson(h.pruner.options ?? null, 80)}`])
        const width = Math.max(...rows.map(([k]) => k.length))
        for (const [k, v] of rows) line(io.stdout, `${k.padEnd(width)}  ${v}`)
        if (d.shared && d.shared.pending.length > 0) {
          line(io.stdout)
          line(io.stdout, 'pending trials:')
          line(io.stdout, pendingTable(d.shared, now))
        }
        if (d.paretoFront && d.paretoFront.length > 0) {
          line(io.stdout)
          line(io.stdout, `Pareto front (${d.paretoFront.length} trial${d.paretoFront.length === 1 ? '' : 's'}):`)
          line(io.stdout, frontTable(d.paretoFront))
        }
        if (d.trials.length > 0) {
          line(io.stdout)
          line(io.stdout, `last ${d.trials.length} trial${d.trials.length === 1 ? '' : 's'}:`)
          line(io.stdout, trialTable(d.trials, p.bestTrialIdx))
        }
        exit(EXIT.OK)
      }),
    )
}

function sharedSummary(shared: SharedEvaluationView | undefined): string {
  if (!shared) return 'shared (workers join with `cairn worker <session>`)'
  const n = shared.workers.length
  return `shared: ${n} worker${n === 1 ? '' : 's'} running trials${n > 0 ? ` (${shared.workers.map((w) => `${w.owner}: #${w.trials.join(', #')}`).join('; ')})` : ''}`
}

function pendingTable(shared: SharedEvaluationView, now: number): string {
  const rows = shared.pending.map((p) => [
    String(p.trialIdx),
    p.state,
    p.owner ?? '-',
    p.claimToken === null ? '-' : String(p.claimToken),
    p.expiresAt === null ? '-' : `in ${duration(Math.max(0, p.expiresAt - now))}`,
  ])
  return table(['#', 'STATE', 'WORKER', 'CLAIM', 'EXPIRES'], rows, new Set([0, 3]))
}

/** The `best` and `best params` rows, or the front's size with several objectives. */
function bestRows(
  front: ParetoTrial[] | undefined,
  p: { bestScore: number | null; bestTrialIdx: number | null; bestViolation?: number },
  bestArtifact: Json | undefined,
): Array<[string, string]> {
  if (front) return [['pareto front', front.length === 0 ? '-' : `${front.length} trial${front.length === 1 ? '' : 's'} (below)`]]
  const infeasible = p.bestViolation !== undefined && p.bestViolation > 0 ? ` (infeasible: violation ${score(p.bestViolation)})` : ''
  return [
    ['best', p.bestScore === null ? '-' : `${score(p.bestScore)} at trial ${p.bestTrialIdx}${infeasible}`],
    ['best params', bestArtifact === undefined ? '-' : compactJson(bestArtifact, 200)],
  ]
}

/** A trial's score column: its score, its values (several objectives), or its error class. */
function scoreText(t: TrialRecord): string {
  if (t.status !== 'ok') return t.errorClass ?? 'error'
  return t.values ? t.values.map((v) => score(v)).join(', ') : score(t.score)
}

function frontTable(front: ParetoTrial[]): string {
  const rows = front.map((t) => [
    String(t.trialIdx),
    t.values.map((v) => score(v)).join(', '),
    t.constraints ? t.constraints.map((c) => score(c)).join(', ') : '-',
    compactJson(t.candidate, 90),
  ])
  return table(['#', 'VALUES', 'CONSTRAINTS', 'CANDIDATE'], rows, new Set([0]))
}

function trialTable(trials: TrialRecord[], bestIdx: number | null): string {
  const withAttrs = trials.some((t) => t.attrs !== undefined)
  const withConstraints = trials.some((t) => t.constraints !== undefined)
  const rows = trials.map((t) => [
    `${t.trialIdx}${t.trialIdx === bestIdx ? '*' : ''}${t.retries ? ` (retried ${t.retries})` : ''}`,
    t.status,
    scoreText(t),
    ...(withConstraints ? [t.constraints ? t.constraints.map((c) => score(c)).join(', ') : '-'] : []),
    duration(t.durationMs),
    t.status === 'ok' ? compactJson(t.candidate, 90) : (t.error?.message.split('\n')[0] ?? ''),
    ...(withAttrs ? [t.attrs ? compactJson(t.attrs, 90) : '-'] : []),
  ])
  const headers = [
    '#',
    'STATUS',
    'SCORE',
    ...(withConstraints ? ['CONSTRAINTS'] : []),
    'TIME',
    'CANDIDATE / ERROR',
    ...(withAttrs ? ['ATTRS'] : []),
  ]
  return table(headers, rows, new Set([0, 2, withConstraints ? 4 : 3]))
}
