import type { CheckpointHead, CheckpointStore } from '@cairn/core'
import type { SessionView, WorkerView } from '../api/types.js'

/**
 * The head as the dashboard shows it: every field a page needs, the optimizer's opaque state
 * replaced by its size (the RNG state, warm-start seeds, settings and recovery records are
 * left out), plus the live `workers` of a shared session.
 */
export function sessionView(head: CheckpointHead, workers: WorkerView[] = []): SessionView {
  const view: SessionView = {
    sessionId: head.sessionId,
    status: head.status,
    optimizer: { ...head.optimizer },
    optimizerOptions: head.optimizerOptions,
    seed: head.seed,
    direction: head.direction,
    createdAt: head.createdAt,
    updatedAt: head.updatedAt,
    progress: { ...head.progress },
    limits: { ...head.limits },
    pending: head.pending,
    revision: head.revision,
    lease: head.lease ? { ...head.lease } : null,
    optimizerStateBytes: head.optimizerState.byteLength,
    workers,
  }
  if (head.name !== undefined) view.name = head.name
  if (head.job !== undefined) view.job = head.job
  if (head.terminalReason !== undefined) view.terminalReason = head.terminalReason
  if (head.directions !== undefined) view.directions = [...head.directions]
  if (head.pruner !== undefined) view.pruner = { ...head.pruner }
  if (head.space !== undefined) view.space = head.space
  if (head.bestArtifact !== undefined) view.bestArtifact = head.bestArtifact
  if (head.warmStart !== undefined) view.warmStart = head.warmStart
  if (head.trainsetHash !== undefined) view.trainsetHash = head.trainsetHash
  if (head.valsetHash !== undefined) view.valsetHash = head.valsetHash
  if (head.evaluation !== undefined) view.evaluation = head.evaluation
  return view
}

/**
 * The workers evaluating a shared session's pending trials right now: the live claims (not
 * lapsed at `now`, no result reported yet) of the store's trial slots. Empty for a session
 * its driver evaluates alone, or a store without trial slots.
 */
export async function liveWorkers(store: CheckpointStore, head: CheckpointHead, now: number): Promise<WorkerView[]> {
  if (head.evaluation !== 'shared' || head.pending.length === 0 || typeof store.readTrialSlots !== 'function') return []
  const slots = await store.readTrialSlots(
    head.sessionId,
    head.pending.map((p) => p.trialIdx),
  )
  const workers: WorkerView[] = []
  for (const slot of slots) {
    if (slot.claim === null || slot.result !== null || slot.claim.expiresAt <= now) continue
    workers.push({ owner: slot.claim.owner, trialIdx: slot.trialIdx, claimExpiresAt: slot.claim.expiresAt })
  }
  return workers
}

/** The head and its live workers as one view. */
export async function loadSessionView(
  store: CheckpointStore,
  sessionId: string,
  now: () => number,
): Promise<{ head: CheckpointHead; view: SessionView }> {
  const head = await store.load(sessionId)
  return { head, view: sessionView(head, await liveWorkers(store, head, now())) }
}
