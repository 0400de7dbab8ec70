import type { CheckpointHead } from '@cairn/core'
import type { SessionView, WorkerView } from './types.js'

/**
 * A head as the dashboard sends it: everything but the optimizer's opaque bytes (their size
 * instead), the RNG state, warm-start seeds, settings and recovery bookkeeping; plus the live
 * `workers` of a shared session (none unless given).
 */
export function sessionView(head: CheckpointHead, workers: WorkerView[] = []): SessionView {
  const view: SessionView = {
    sessionId: head.sessionId,
    status: head.status,
    optimizer: { id: head.optimizer.id, stateVersion: head.optimizer.stateVersion },
    optimizerOptions: head.optimizerOptions,
    seed: head.seed,
    direction: head.direction,
    createdAt: head.createdAt,
    updatedAt: head.updatedAt,
    progress: head.progress,
    limits: head.limits,
    pending: head.pending,
    revision: head.revision,
    lease: head.lease ? { owner: head.lease.owner, expiresAt: head.lease.expiresAt, fencingToken: head.lease.fencingToken } : null,
    optimizerStateBytes: head.optimizerState.byteLength,
    workers,
  }
  if (head.name !== undefined) view.name = head.name
  if (head.job !== undefined) view.job = head.job
  if (head.terminalReason !== undefined) view.terminalReason = head.terminalReason
  if (head.space !== undefined) view.space = head.space
  if (head.bestArtifact !== undefined) view.bestArtifact = head.bestArtifact
  if (head.warmStart !== undefined) view.warmStart = head.warmStart
  if (head.trainsetHash !== undefined) view.trainsetHash = head.trainsetHash
  if (head.valsetHash !== undefined) view.valsetHash = head.valsetHash
  if (head.evaluation !== undefined) view.evaluation = head.evaluation
  return view
}
