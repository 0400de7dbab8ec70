import type { Direction, Progress, TrialRecord } from '../checkpoint/types.js'
import type { Evaluation, ProposedTrial, TrialView } from '../optimizer/contract.js'
import type { Json } from '../json.js'
import { violation } from '../objectives/feasibility.js'

/** True when `score` beats `best` in `direction` (any score beats no best). */
export function isBetter(score: number, best: number | null, direction: Direction): boolean {
  if (best === null) return true
  return direction === 'maximize' ? score > best : score < best
}

/**
 * Counters after one more trial. `directions`: the session's direction, or all of them; with
 * several objectives there is no single best (`bestScore` stays null: the result is the Pareto
 * front). Constrained trials rank feasible first, then by least violation, then by score.
 */
export function advanceProgress(progress: Progress, trial: TrialRecord, directions: Direction | readonly Direction[]): Progress {
  const several = typeof directions !== 'string' && directions.length > 1
  const direction = typeof directions === 'string' ? directions : (directions[0] as Direction)
  const ok = trial.status === 'ok' && (trial.score !== undefined || trial.values !== undefined)
  const pruned = trial.status === 'pruned'
  // A pruned trial's score is an intermediate value: it is never the best.
  const scored = ok && !several && trial.score !== undefined
  const constrained = scored && (trial.constraints !== undefined || progress.bestViolation !== undefined)
  const trialViolation = violation(trial.constraints)
  const bestViolation = progress.bestViolation ?? 0
  const best =
    scored &&
    (progress.bestScore === null ||
      trialViolation < bestViolation ||
      (trialViolation === bestViolation && isBetter(trial.score as number, progress.bestScore, direction)))
  const next: Progress = {
    ...progress,
    attempts: progress.attempts + 1,
    completed: progress.completed + (ok ? 1 : 0),
    errors: progress.errors + (ok || pruned ? 0 : 1),
    bestScore: best ? (trial.score as number) : progress.bestScore,
    bestTrialIdx: best ? trial.trialIdx : progress.bestTrialIdx,
  }
  if (pruned) next.pruned = (progress.pruned ?? 0) + 1
  if (constrained && next.bestScore !== null) next.bestViolation = best ? trialViolation : bestViolation
  return next
}

/** The trial record of an evaluated candidate. */
export function toTrialRecord(trialIdx: number, candidate: Json, evaluation: Evaluation, candidateId?: string): TrialRecord {
  const record: TrialRecord = {
    trialIdx,
    candidate,
    status: evaluation.status,
    durationMs: Math.max(0, Math.round(evaluation.durationMs * 1000) / 1000),
  }
  if (candidateId !== undefined) record.candidateId = candidateId
  if (evaluation.status !== 'error' && evaluation.score !== undefined) record.score = evaluation.score
  if (evaluation.stats !== undefined) record.stats = evaluation.stats
  if (evaluation.error !== undefined) record.error = evaluation.error
  if (evaluation.errorClass !== undefined) record.errorClass = evaluation.errorClass
  if (evaluation.intermediate !== undefined && evaluation.intermediate.length > 0) record.intermediate = evaluation.intermediate
  if (evaluation.status === 'ok' && evaluation.values !== undefined) record.values = evaluation.values
  if (evaluation.constraints !== undefined) record.constraints = evaluation.constraints
  if (evaluation.attrs !== undefined) record.attrs = evaluation.attrs
  if (evaluation.retries !== undefined && evaluation.retries > 0) record.retries = evaluation.retries
  return record
}

/** The trial record of what a `step` returned. */
export function proposedToRecord(trialIdx: number, proposed: ProposedTrial): TrialRecord {
  return toTrialRecord(trialIdx, proposed.candidate, proposed.evaluation, proposed.candidateId)
}

/** How optimizers see a stored trial. */
export function toView(trial: TrialRecord, seeded = false): TrialView {
  const view: TrialView = { trialIdx: trial.trialIdx, candidate: trial.candidate, status: trial.status }
  if (trial.candidateId !== undefined) view.candidateId = trial.candidateId
  if (trial.score !== undefined) view.score = trial.score
  if (trial.intermediate !== undefined) view.intermediate = trial.intermediate
  if (trial.values !== undefined) view.values = trial.values
  if (trial.constraints !== undefined) view.constraints = trial.constraints
  if (seeded) view.seeded = true
  return view
}
