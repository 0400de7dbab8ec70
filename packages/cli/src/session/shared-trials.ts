import type { CheckpointHead, CheckpointStore, TrialSlot } from '@cairn/core'

/** One pending trial of a shared session, as `show` lists it. */
export interface PendingTrialView {
  trialIdx: number
  /**
   * `running`: a worker holds a live claim on it; `reported`: its result waits for the
   * coordinator to commit it; `waiting`: no worker has it (never claimed, or the claim of a
   * worker that stopped lapsed, so another worker will claim it again).
   */
  state: 'running' | 'reported' | 'waiting'
  /** The worker of the latest claim (or of the reported result), null when never claimed. */
  owner: string | null
  /** Which claim of the trial this is: 1 for the first, more after a worker stopped mid-trial. */
  claimToken: number | null
  /** When the live claim lapses unless its worker renews it (epoch ms of the store's clock); null unless `running`. */
  expiresAt: number | null
}

/** A worker seen holding claims (an idle worker leaves no trace in the store). */
export interface LiveWorkerView {
  owner: string
  /** The trials it is evaluating. */
  trials: number[]
}

/** What a shared session's pending trials look like now (`show` of a session with `evaluation: 'shared'`). */
export interface SharedEvaluationView {
  pending: PendingTrialView[]
  workers: LiveWorkerView[]
}

/**
 * The pending trials of a shared session and the workers running them, read with one
 * `readTrialSlots` over the head's pending trials. Null when the session is not shared or the
 * store cannot read trial slots.
 */
export async function sharedEvaluationView(
  store: CheckpointStore,
  head: CheckpointHead,
  now = Date.now(),
): Promise<SharedEvaluationView | null> {
  if (head.evaluation !== 'shared' || typeof store.readTrialSlots !== 'function') return null
  const idxs = head.pending.map((p) => p.trialIdx).filter((i) => i >= head.progress.attempts)
  const slots = idxs.length > 0 ? await store.readTrialSlots(head.sessionId, idxs) : []
  const pending = slots.map((slot) => viewOf(slot, now))
  const byOwner = new Map<string, number[]>()
  for (const p of pending)
    if (p.state === 'running' && p.owner !== null) byOwner.set(p.owner, [...(byOwner.get(p.owner) ?? []), p.trialIdx])
  return { pending, workers: [...byOwner].map(([owner, trials]) => ({ owner, trials })) }
}

function viewOf(slot: TrialSlot, now: number): PendingTrialView {
  const { trialIdx, claim, result } = slot
  if (result !== null) return { trialIdx, state: 'reported', owner: result.owner, claimToken: result.claimToken, expiresAt: null }
  if (claim === null) return { trialIdx, state: 'waiting', owner: null, claimToken: null, expiresAt: null }
  const live = claim.expiresAt > now
  return {
    trialIdx,
    state: live ? 'running' : 'waiting',
    owner: claim.owner,
    claimToken: claim.token,
    expiresAt: live ? claim.expiresAt : null,
  }
}
