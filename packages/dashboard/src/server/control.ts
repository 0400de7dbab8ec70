import { hostname } from 'node:os'
import { AlreadyTerminalError, isCairnError, isTerminal, type CheckpointHead, type CheckpointStore } from '@cairn/core'

/** What a pause or cancel did. */
export type ControlOutcome =
  /** A live process drives the session: it pauses or cancels after the trial in flight (`store.requestControl`). */
  | 'requested'
  /** No one drove it (paused, or its driver died): the status was changed here, under a short lease. */
  | 'applied'
  /** It already was in that state. */
  | 'unchanged'

const CONTROL_LEASE_MS = 10_000

/**
 * Pauses or cancels a session. A session with a live lease gets a request through
 * `store.requestControl`, honoured at its driver's next trial boundary (the trial in flight
 * finishes and is committed first). One no one drives — paused, or `running` with a lapsed
 * lease — is changed directly under a short lease, so cancelling a paused session takes effect.
 * Throws `AlreadyTerminalError` for a session that finished otherwise, `NotFoundError`.
 */
export async function pauseOrCancel(
  store: CheckpointStore,
  sessionId: string,
  action: 'pause' | 'cancel',
  now: () => number,
): Promise<ControlOutcome> {
  const head = await store.load(sessionId)
  if (settled(head, action)) return 'unchanged'
  const driven = head.status === 'running' && head.lease !== null && head.lease.expiresAt > now()
  if (!driven && (await applyDirectly(store, sessionId, action, now))) return 'applied'
  await store.requestControl(sessionId, action)
  return 'requested'
}

/** True when the session already is in the state asked for; throws when it finished otherwise. */
function settled(head: CheckpointHead, action: 'pause' | 'cancel'): boolean {
  if (head.status === (action === 'pause' ? 'paused' : 'cancelled')) return true
  if (isTerminal(head.status)) throw new AlreadyTerminalError(head.sessionId, head.status)
  return false
}

/** Commits the new status under a lease of our own; false when someone else holds the lease (it is driven after all). */
async function applyDirectly(store: CheckpointStore, sessionId: string, action: 'pause' | 'cancel', now: () => number): Promise<boolean> {
  let lease
  try {
    lease = await store.acquireLease(sessionId, `${hostname()}:${process.pid}:cairn-dashboard`, CONTROL_LEASE_MS)
  } catch (err) {
    if (isCairnError(err, 'ALREADY_RUNNING')) return false
    throw err
  }
  try {
    const head = await store.load(sessionId)
    if (settled(head, action)) return true
    const next: CheckpointHead = { ...head, updatedAt: Math.max(now(), head.updatedAt), lease }
    if (action === 'cancel') {
      next.status = 'cancelled'
      next.terminalReason = 'cancelled'
      next.pending = []
    } else {
      next.status = 'paused'
      delete next.terminalReason
    }
    await store.commit(sessionId, { expectedRevision: head.revision, fencingToken: lease.fencingToken, head: next, trials: [] })
    return true
  } finally {
    await store.releaseLease(sessionId, lease).catch(() => undefined)
  }
}
