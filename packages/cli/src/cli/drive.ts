import type { CheckpointHead, Progress, SessionHandle, SessionResult, TrialRecord } from '@cairn/core'
import type { LeaseWait } from '../session/lease-wait.js'
import type { CliContext } from './context.js'
import type { ExitCode } from './exit-codes.js'
import { compactJson, duration, score } from './format.js'
import type { Interrupts } from './interrupts.js'
import { line, printJson } from './io.js'
import { exitCodeForFailure, sessionFailure } from './outcome.js'
import { BarReporter, LineReporter, type ProgressReporter, type ProgressView } from './progress.js'

/** How `drive` reports. */
export interface DriveOutput {
  json: boolean
  /** The command that resumes this session. */
  resumeCommand: string
  /** Also say that running the same command again resumes (true when the session id is fixed). */
  rerunResumes: boolean
}

/**
 * Drives a started or resumed session to its end with a progress display; the first Ctrl-C
 * (or SIGTERM) pauses it softly — the trial in flight finishes and is committed — and prints
 * the command that resumes it. Returns the exit code of the session's outcome (1 when it failed,
 * was cancelled or all its trials failed, which is said; see `sessionFailure`).
 */
export async function drive(
  ctx: CliContext,
  handle: SessionHandle,
  interrupts: Interrupts,
  how: 'started' | 'resumed',
  out: DriveOutput,
): Promise<ExitCode> {
  const { io } = ctx
  const text = out.json ? io.stderr : io.stdout
  const reporter: ProgressReporter =
    !out.json && io.stdout.isTTY && io.env['CAIRN_PROGRESS'] !== 'plain' ? new BarReporter(io.stdout) : new LineReporter(text)
  const head = handle.head()
  const events = handle.events()
  const view = viewOf(head.progress, head.limits.maxTrials)

  line(
    text,
    how === 'started'
      ? `started session "${handle.id}" (job ${head.job ?? '-'}, ${head.optimizer.id}, seed ${head.seed}) in ${ctx.cairn.storeUri}`
      : `resumed session "${handle.id}" at trial ${head.progress.attempts} in ${ctx.cairn.storeUri}`,
  )
  if (head.evaluation === 'shared')
    line(text, `shared with workers: start one on any machine with this config and store: ${ctx.command(['worker', handle.id])}`)
  line(text, 'press Ctrl-C to pause after the trial in flight')
  reporter.begin(view)

  interrupts.onSoft(() => {
    reporter.note('pausing after the trial in flight… (press Ctrl-C again to quit at once)')
    void handle.pause().catch(() => undefined)
  })

  const watching = (async () => {
    // A checkpoint may commit several trials (a shared session commits results reported together): a line for each.
    let told: TrialRecord[] = []
    for await (const ev of events) {
      if (ev.type === 'trial') told.push(ev.trial)
      else if (ev.type === 'checkpoint') {
        Object.assign(view, viewOf(ev.progress, view.total))
        const committed = told.filter((t) => t.trialIdx < ev.progress.attempts)
        told = told.filter((t) => t.trialIdx >= ev.progress.attempts)
        for (let i = 0; i < committed.length; i++)
          reporter.trial(committed[i] as TrialRecord, { ...view, attempts: view.attempts - (committed.length - 1 - i) })
      }
    }
  })()

  let result: SessionResult
  try {
    result = await handle.wait()
  } finally {
    interrupts.onSoft(null)
    await watching.catch(() => undefined)
    reporter.end()
  }
  const failure = await sessionFailure(ctx, { ...result, maxErrors: head.limits.maxErrors })
  if (out.json) printJson(io, failure === null ? result : { ...result, failure })
  summarize(ctx, result, out, failure)
  return exitCodeForFailure(failure)
}

function viewOf(p: Progress, total: number | null): ProgressView {
  return { attempts: p.attempts, total, best: p.bestScore, bestTrialIdx: p.bestTrialIdx, errors: p.errors, pruned: p.pruned ?? 0 }
}

function summarize(ctx: CliContext, r: SessionResult, out: DriveOutput, failure: string | null): void {
  const text = out.json ? ctx.io.stderr : ctx.io.stdout
  const best = r.paretoFront
    ? `Pareto front of ${r.paretoFront.length} trial${r.paretoFront.length === 1 ? '' : 's'} (\`cairn show ${r.sessionId}\`)`
    : r.bestScore === null
      ? 'no successful trial'
      : `best ${score(r.bestScore)} at trial ${r.bestTrialIdx}`
  const trials = `${r.progress.attempts} trial${r.progress.attempts === 1 ? '' : 's'}`
  const pruned = r.progress.pruned ? `, ${r.progress.pruned} pruned` : ''
  const errors = `${pruned}${r.progress.errors > 0 ? `, ${r.progress.errors} error${r.progress.errors === 1 ? '' : 's'}` : ''}`
  if (r.status === 'paused') {
    line(text, `paused session "${r.sessionId}" after ${trials}${errors} (${best})`)
    line(text, `resume with: ${out.resumeCommand}`)
    const script = ctx.scriptCommand()
    if (out.rerunResumes && script) line(text, `or run \`${script}\` again`)
    return
  }
  line(
    text,
    `${r.status}${r.terminalReason && r.terminalReason !== r.status ? ` (${r.terminalReason})` : ''}: session "${r.sessionId}" after ${trials}${errors}, ${best}`,
  )
  if (r.bestArtifact !== undefined) line(text, `best: ${compactJson(r.bestArtifact, 400)}`)
  // A cancelled session's summary says it all.
  if (failure !== null && r.status !== 'cancelled') line(text, failure)
}

/** Tells a finished session's outcome (`cairn run` of a job whose fixed session already ended). */
export async function reportFinished(
  ctx: CliContext,
  head: CheckpointHead,
  json: boolean,
  deleteCommand: string,
  again: string,
): Promise<ExitCode> {
  const p = head.progress
  const failure = await sessionFailure(ctx, { ...head, maxErrors: head.limits.maxErrors })
  if (json)
    printJson(ctx.io, {
      sessionId: head.sessionId,
      status: head.status,
      terminalReason: head.terminalReason,
      bestScore: p.bestScore,
      bestTrialIdx: p.bestTrialIdx,
      bestArtifact: head.bestArtifact,
      progress: p,
      ...(failure === null ? {} : { failure }),
    })
  const text = json ? ctx.io.stderr : ctx.io.stdout
  const best = head.directions
    ? `${head.directions.length} objectives (the Pareto front: \`cairn show ${head.sessionId}\`)`
    : p.bestScore === null
      ? 'no successful trial'
      : `best ${score(p.bestScore)} at trial ${p.bestTrialIdx}`
  line(
    text,
    `session "${head.sessionId}" already ${head.status}: ${p.attempts} trials, ${best} (took ${duration(head.updatedAt - p.startedAt)})`,
  )
  if (head.bestArtifact !== undefined) line(text, `best: ${compactJson(head.bestArtifact, 400)}`)
  if (failure !== null && head.status !== 'cancelled') line(text, failure)
  line(text, `to start over: ${deleteCommand}, then ${again} again`)
  return exitCodeForFailure(failure)
}

/** The message shown while waiting for a dead process's lease to expire. */
export function leaseWaitMessage(w: LeaseWait): string {
  const secs = Math.max(1, Math.ceil((w.expiresAt - Date.now()) / 1000))
  return w.ownerState === 'dead'
    ? `session "${w.sessionId}" is still leased by a process that stopped (${w.owner}); waiting ${secs} s for its lease to expire… (Ctrl-C to give up)`
    : `session "${w.sessionId}" is leased by ${w.owner}, on another machine; waiting up to ${secs} s to see whether it is still alive… (Ctrl-C to give up)`
}
