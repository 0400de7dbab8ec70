import { paretoFront, type CheckpointHead, type CheckpointStore, type Json, type ParetoTrial, type TrialRecord } from '@cairn/core'
import { sharedEvaluationView, type SharedEvaluationView } from './shared-trials.js'

/** A head as JSON: everything but the opaque optimizer state and RNG state (their sizes instead). */
export type HeadSummary = Omit<CheckpointHead, 'optimizerState' | 'rngState'> & { optimizerStateBytes: number }

/** What `show` returns. */
export interface SessionDetails {
  head: HeadSummary
  /** The best trial, or null before the first successful one. */
  best: TrialRecord | null
  /** The last trials (oldest first). */
  trials: TrialRecord[]
  /**
   * Of a session with shared evaluation (`head.evaluation === 'shared'`) that is running: its
   * pending trials (running on which worker, reported, waiting for one) and the workers
   * evaluating them now.
   */
  shared?: SharedEvaluationView
  /**
   * Of a multi-objective session (`head.directions`): the Pareto front of its whole trial log
   * (feasible trials first), in trial order. `best` is then null.
   */
  paretoFront?: ParetoTrial[]
}

/** A head without its opaque bytes, safe to print or serialize. */
export function summarizeHead(head: CheckpointHead): HeadSummary {
  const { optimizerState, rngState: _rng, ...rest } = head
  return { ...rest, optimizerStateBytes: optimizerState.byteLength }
}

/** The head, best trial and last `lastTrials` trials of a session. Throws `NotFoundError`. */
export async function sessionDetails(store: CheckpointStore, sessionId: string, lastTrials = 10): Promise<SessionDetails> {
  const head = await store.load(sessionId)
  const attempts = head.progress.attempts
  const n = Math.max(0, Math.min(lastTrials, attempts))
  const trials = n > 0 ? await store.readTrials(sessionId, { from: attempts - n, limit: n }) : []
  const bestIdx = head.progress.bestTrialIdx
  let best: TrialRecord | null = null
  if (bestIdx !== null)
    best = trials.find((t) => t.trialIdx === bestIdx) ?? (await store.readTrials(sessionId, { from: bestIdx, limit: 1 }))[0] ?? null
  const shared = head.status === 'running' ? await sharedEvaluationView(store, head) : null
  const details: SessionDetails = { head: summarizeHead(head), best, trials, ...(shared !== null ? { shared } : {}) }
  if (head.directions) details.paretoFront = frontOf(await store.readTrials(sessionId), head.directions)
  return details
}

/** The Pareto front entries of a trial log. */
function frontOf(trials: readonly TrialRecord[], directions: CheckpointHead['direction'][]): ParetoTrial[] {
  return paretoFront(trials, directions).map((t) => ({
    trialIdx: t.trialIdx,
    values: t.values as number[],
    candidate: t.candidate,
    ...(t.constraints !== undefined ? { constraints: t.constraints } : {}),
  }))
}

/** JSON-safe copy (drops `undefined`, keeps everything else). */
export function toJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value)) as Json
}
