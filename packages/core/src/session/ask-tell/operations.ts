import type { CheckpointHead, PendingTrial, ToldResult, TrialRecord } from '../../checkpoint/types.js'
import { isTerminal } from '../../checkpoint/types.js'
import { AlreadyTerminalError, InvalidInputError, OptimizerError } from '../../errors.js'
import type { Json } from '../../json.js'
import type { AskContext, Evaluation } from '../../optimizer/contract.js'
import { advanceProgress, toTrialRecord, toView } from '../progress.js'
import { evaluationOf, failure } from '../objective-result.js'
import type { ObjectiveResult } from '../types.js'
import { checkEnqueued } from '../enqueue.js'
import type { LoadedSession } from './loaded.js'
import type { AskedTrial, OutstandingTrial, TellResult } from './types.js'

/** What one ask/tell operation changes: the head to commit (null: nothing) and the trials it records. */
export interface Change<T> {
  value: T
  head: CheckpointHead | null
  trials: TrialRecord[]
  state: unknown
  /** True when the optimizer ran but nothing is committed: its state may have changed in place. */
  dirty?: boolean
}

/** A copy of the head a change may edit (arrays copied, progress copied). */
function draft(head: CheckpointHead): CheckpointHead {
  const next: CheckpointHead = { ...head, pending: head.pending.slice(), progress: { ...head.progress } }
  if (head.enqueued) next.enqueued = head.enqueued.slice()
  return next
}

/** The session's status after an operation: `paused` (no process drives it between calls) unless it ended. */
function atRest(next: CheckpointHead, loaded: LoadedSession, state: unknown): CheckpointHead {
  if (!isTerminal(next.status)) {
    next.status = 'paused'
    delete next.terminalReason
  } else next.pending = []
  if (next.enqueued && next.enqueued.length === 0) delete next.enqueued
  next.updatedAt = Math.max(Date.now(), loaded.head.updatedAt)
  next.optimizerState = loaded.sampler.encodeState(state)
  next.rngState = loaded.rng.state()
  return next
}

function refuseTerminal(head: CheckpointHead): void {
  if (isTerminal(head.status)) throw new AlreadyTerminalError(head.sessionId, head.status)
}

/**
 * Asks for the next trial: the oldest enqueued candidate, else the optimizer's. Null when there
 * is nothing more to ask: the session completed, all of `maxTrials` are asked, or the optimizer
 * halted (the session then completes once no trial is outstanding).
 */
export async function askOn(loaded: LoadedSession, maxOutstanding: number): Promise<Change<AskedTrial | null>> {
  const { head } = loaded
  const none: Change<AskedTrial | null> = { value: null, head: null, trials: [], state: loaded.state }
  if (head.status === 'completed') return none
  refuseTerminal(head)
  const trialIdx = head.progress.attempts + head.pending.length
  const max = head.limits.maxTrials
  if (max !== null && trialIdx >= max) return none
  if (head.pending.length >= maxOutstanding)
    throw new InvalidInputError(
      `session "${head.sessionId}" has ${head.pending.length} trials outstanding (the most allowed); tell some before asking again`,
      'maxOutstanding',
    )
  const next = draft(head)
  let state = loaded.state
  let trial: PendingTrial
  const queued = next.enqueued ?? []
  if (queued.length > 0) {
    trial = { trialIdx, candidate: queued.shift() as Json, origin: 'enqueued' }
  } else {
    const ctx: AskContext = {
      trialIdx,
      rng: loaded.rng,
      history: loaded.history,
      pending: head.pending.map((p) => ({ trialIdx: p.trialIdx, candidate: p.candidate })),
      direction: head.direction,
    }
    if (head.directions) ctx.directions = head.directions
    if (loaded.space) ctx.space = loaded.space
    let asked
    try {
      asked = await loaded.sampler.ask(state, ctx)
    } catch (err) {
      throw new OptimizerError(`ask failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
    }
    state = asked.state
    if (asked.kind === 'halt') {
      if (head.pending.length > 0) return { ...none, dirty: true }
      next.status = 'completed'
      next.terminalReason = asked.reason || 'halted'
      return { value: null, head: atRest(next, loaded, state), trials: [], state }
    }
    trial = { trialIdx, candidate: asked.candidate }
    if (asked.candidateId !== undefined) trial.candidateId = asked.candidateId
  }
  next.pending.push(trial)
  const value: AskedTrial = { trialIdx, candidate: trial.candidate }
  if (trial.origin) value.origin = trial.origin
  return { value, head: atRest(next, loaded, state), trials: [], state }
}

/**
 * Tells trial `trialIdx`'s result. It is kept in its pending entry until the trials before it are
 * told; then the run of told trials is recorded and told to the optimizer in index order, in
 * one commit.
 */
export function tellOn(loaded: LoadedSession, trialIdx: number, result: TellResult, durationMs: number): Change<void> {
  const { head } = loaded
  refuseTerminal(head)
  const at = head.pending.findIndex((p) => p.trialIdx === trialIdx)
  if (at < 0) throw notOutstanding(head, trialIdx)
  if (head.pending[at]?.told)
    throw new InvalidInputError(
      `trial ${trialIdx} of session "${head.sessionId}" was already told (it waits for trial ${head.pending[0]?.trialIdx} to be told)`,
      'trialIdx',
    )
  const evaluation = evaluationOfTell(result, durationMs, head.directions?.length ?? 1)
  const next = draft(head)
  next.pending[at] = { ...(next.pending[at] as PendingTrial), told: toldOf(evaluation) }
  let state = loaded.state
  const trials: TrialRecord[] = []
  const bestBefore = head.progress.bestTrialIdx
  let bestArtifact: Json | undefined
  while (next.pending[0]?.told && !isTerminal(next.status)) {
    const p = next.pending.shift() as PendingTrial
    const ev: Evaluation = p.trialIdx === trialIdx ? evaluation : fromTold(p.told as ToldResult)
    const record = toTrialRecord(p.trialIdx, p.candidate, ev, p.candidateId)
    const view = toView(record)
    loaded.history.push(view)
    try {
      if (loaded.sampler.tell) state = loaded.sampler.tell(state, view, { history: loaded.history })
    } catch (err) {
      throw new OptimizerError(`tell failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
    }
    next.progress = advanceProgress(next.progress, record, head.directions ?? head.direction)
    if (next.progress.bestTrialIdx === record.trialIdx) bestArtifact = ev.artifact ?? record.candidate
    trials.push(record)
    const max = head.limits.maxTrials
    if (next.progress.errors > head.limits.maxErrors) {
      next.status = 'failed'
      next.terminalReason = 'max-errors'
    } else if (max !== null && next.progress.attempts >= max) {
      next.status = 'completed'
      next.terminalReason = 'max-trials'
    }
  }
  if (next.progress.bestTrialIdx !== bestBefore && bestArtifact !== undefined) next.bestArtifact = bestArtifact
  return { value: undefined, head: atRest(next, loaded, state), trials, state }
}

/** Appends `candidate` (checked against the session's space) to the candidates asked before the optimizer is. */
export function enqueueOn(loaded: LoadedSession, candidate: Json): Change<number> {
  const { head } = loaded
  refuseTerminal(head)
  const checked = checkEnqueued(candidate, loaded.space)
  const next = draft(head)
  next.enqueued = [...(next.enqueued ?? []), checked]
  return { value: next.enqueued.length, head: atRest(next, loaded, loaded.state), trials: [], state: loaded.state }
}

/** The trials asked and not yet recorded, in index order. */
export function outstandingOf(head: CheckpointHead): OutstandingTrial[] {
  return head.pending.map((p) => {
    const o: OutstandingTrial = { trialIdx: p.trialIdx, candidate: p.candidate, told: p.told !== undefined }
    if (p.origin) o.origin = p.origin
    return o
  })
}

function notOutstanding(head: CheckpointHead, trialIdx: number): InvalidInputError {
  const id = head.sessionId
  if (!Number.isSafeInteger(trialIdx) || trialIdx < 0)
    return new InvalidInputError(`must be a non-negative integer, got ${String(trialIdx)}`, 'trialIdx')
  if (trialIdx < head.progress.attempts) return new InvalidInputError(`trial ${trialIdx} of session "${id}" was already told`, 'trialIdx')
  const outstanding = head.pending.map((p) => p.trialIdx)
  const listed = outstanding.length > 0 ? `outstanding: ${outstanding.join(', ')}` : 'no trial is outstanding'
  return new InvalidInputError(`trial ${trialIdx} of session "${id}" was never asked (${listed})`, 'trialIdx')
}

/** The evaluation of a told result; `{ error }` is an `error` trial of class `objective`. */
export function evaluationOfTell(result: TellResult, durationMs: number, objectives = 1): Evaluation {
  if (result !== null && typeof result === 'object' && !Array.isArray(result) && 'error' in result && !('score' in result)) {
    const message = typeof result.error === 'string' ? result.error : JSON.stringify(result.error)
    return failure(new Error(message), 'objective', durationMs)
  }
  return evaluationOf(result as ObjectiveResult, durationMs, objectives)
}

/** What a pending entry keeps of a result told ahead of an earlier trial (no artifact). */
function toldOf(e: Evaluation): ToldResult {
  const t: ToldResult = { status: e.status, durationMs: e.durationMs }
  if (e.score !== undefined) t.score = e.score
  if (e.values !== undefined) t.values = e.values
  if (e.constraints !== undefined) t.constraints = e.constraints
  if (e.attrs !== undefined) t.attrs = e.attrs
  if (e.stats !== undefined) t.stats = e.stats
  if (e.error !== undefined) t.error = e.error
  if (e.errorClass !== undefined) t.errorClass = e.errorClass
  if (e.intermediate !== undefined) t.intermediate = e.intermediate
  return t
}

function fromTold(t: ToldResult): Evaluation {
  return { ...t }
}
