import type { WorkerResult } from '@cairn/core'
import type { Command } from 'commander'
import type { WorkerTrialEvent } from '../../jobs/observed-objective.js'
import type { CommandKit } from '../command-kit.js'
import { withCliContext, type CliContext } from '../context.js'
import { EXIT, type ExitCode } from '../exit-codes.js'
import { compactJson, duration, score } from '../format.js'
import { Interrupts } from '../interrupts.js'
import { line, printJson } from '../io.js'
import { exitCodeForFailure, sessionFailure } from '../outcome.js'

/** One line per trial this worker starts or finishes. */
export function describeTrial(e: WorkerTrialEvent): string {
  if (e.type === 'started') return `trial ${e.trialIdx}: running ${compactJson(e.candidate, 200)}`
  const what = e.error !== null ? `error: ${e.error}` : e.pruned ? 'pruned' : `score ${score(e.score)}`
  return `trial ${e.trialIdx}: ${what} (${duration(e.durationMs)})`
}

/** `cairn worker <session>`: evaluates a shared session's trials from this process. */
export function registerWorker({ program, io, exit }: CommandKit): void {
  program
    .command('worker')
    .description(
      'evaluate the trials of a shared session (started with `cairn run <job> --shared`, or a job with evaluation: "shared") from this process, on this or another machine with the same config, until the session ends or pauses; takes the session over when its coordinator dies',
    )
    .argument('<session>', 'session id')
    .option('--no-take-over', 'only evaluate trials; never take the session over when its coordinator dies')
    .option('--json', 'print the outcome as JSON on stdout (what the worker runs goes to stderr)')
    .action(async (id: string, flags: { takeOver: boolean; json?: boolean }, cmd: Command) => {
      const interrupts = new Interrupts(() => io.exit(EXIT.INTERRUPTED)).install()
      try {
        await withCliContext(cmd, io, async (ctx) => {
          ctx.requireConfig("worker needs one for the session's job")
          const text = flags.json ? io.stderr : io.stdout
          const handle = await ctx.cairn.join(id, { takeOver: flags.takeOver, onTrial: (e) => line(text, describeTrial(e)) })
          line(text, `worker ${handle.owner} joined session "${id}" in ${ctx.cairn.storeUri}`)
          line(text, 'press Ctrl-C to stop after the trial in flight')
          interrupts.onSoft(() => {
            line(text, 'stopping after the trial in flight… (press Ctrl-C again to quit at once)')
            void handle.stop().catch(() => undefined)
          })
          let result: WorkerResult
          try {
            result = await handle.wait()
          } finally {
            interrupts.onSoft(null)
          }
          exit(await summarize(ctx, result, flags.json === true))
        })
      } finally {
        interrupts.dispose()
      }
    })
}

/**
 * Says how the worker ended and returns the exit code: 0 when it was stopped, or the session
 * paused or completed; 1 (as for `run`) when the session failed, was cancelled or all its
 * trials failed.
 */
async function summarize(ctx: CliContext, r: WorkerResult, json: boolean): Promise<ExitCode> {
  const text = json ? ctx.io.stderr : ctx.io.stdout
  const did = `this worker evaluated ${r.trialsEvaluated} trial${r.trialsEvaluated === 1 ? '' : 's'}${
    r.claimsLost > 0 ? ` (and ${r.claimsLost} whose result came too late: another worker had taken the trial over)` : ''
  }${r.tookOver ? '; it took the session over from a coordinator that stopped' : ''}`
  let failure: string | null = null
  if (r.sessionStatus === 'running') line(text, `stopped: ${did}; session "${r.sessionId}" goes on`)
  else if (r.sessionStatus === 'paused')
    line(
      text,
      `session "${r.sessionId}" was paused, so this worker stopped: ${did}; after \`${ctx.command(['resume', r.sessionId])}\`, start the workers again`,
    )
  else {
    const head = await (await ctx.cairn.store()).load(r.sessionId)
    failure = await sessionFailure(ctx, { ...head, maxErrors: head.limits.maxErrors })
    line(text, `session "${r.sessionId}" ${r.sessionStatus}: ${did}`)
    if (failure !== null && r.sessionStatus !== 'cancelled') line(text, failure)
  }
  if (json) printJson(ctx.io, failure === null ? r : { ...r, failure })
  return exitCodeForFailure(failure)
}
