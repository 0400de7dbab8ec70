import { hostname } from 'node:os'
import { isCairnError, isTerminal, type CheckpointHead, type CheckpointStore, type SessionStatus } from '@cairn/core'
import { SessionFinishedError } from '../errors.js'
import { sleep } from '../util/sleep.js'
import { ownerState, type LeaseWait } from './lease-wait.js'

/** What `controlSession` did. */
export interface ControlOutcome {
  sessionId: string
  action: 'pause' | 'cancel'
  /**
   * `requested`: a live process drives the session; it will pause or cancel at its next trial
   * boundary (the trial in flight finishes and is committed first).
   * `applied`: no one drove the session (paused, or its driver died), so the status was changed here.
   * `unchanged`: it already was in that state (paused for `pause`, cancelled for `cancel`).
   */
  outcome: 'requested' | 'applied' | 'unchanged'
  /** The status after the call (`running` while a request waits for the driver). */
  status: SessionStatus
}

/** Options of `controlSession`. */
export interface ControlOptions {
  /** After a `requested` outcome, wait until the driver honoured it. */
  wait?: boolean
  /** Longest wait, ms (default 600,000). */
  timeoutMs?: number
  /** How often the store is read while waiting, ms (default 250). */
  pollMs?: number
  /** Stops any wait. */
  signal?: AbortSignal
  /**
   * Called when the session's lease belongs to a process on this machine that died (a `kill -9`):
   * the change is applied once that lease expires, and this says so when waiting starts.
   */
  onLeaseWait?: (wait: LeaseWait) => void
}

/**
 * Pauses or cancels a session from any process. A session driven by a live process gets a
 * request through `store.requestControl` (honoured at its next trial boundary); one no one
 * drives — paused, or `running` with a dead driver — is changed directly under a short lease,
 * so `cancel` of a paused session cancels it at once. When the dead driver was a process on
 * this machine whose lease has not expired yet (of a running session, or of a paused one whose
 * process died before releasing it), that expiry is waited for first. Asking for
 * the state a session already has (`pause` of a paused one, `cancel` of a cancelled one)
 * changes nothing (`unchanged`); other finished sessions throw `SessionFinishedError` (code
 * `ALREADY_TERMINAL`); unknown ones `NotFoundError`.
 */
export async function controlSession(
  store: CheckpointStore,
  sessionId: string,
  action: 'pause' | 'cancel',
  options: ControlOptions = {},
): Promise<ControlOutcome> {
  const head = await store.load(sessionId)
  const done = settled(head, action)
  if (done) return done
  const held = head.lease !== null && head.lease.expiresAt > Date.now() ? head.lease : null
  // A paused session's lease can outlive its process too: one killed between committing the
  // pause and releasing its lease (a second Ctrl-C).
  const deadDriver = held !== null && ownerState(held.owner) === 'dead'
  const lease = head.status === 'running' ? held : null
  if (held && deadDriver) {
    options.onLeaseWait?.({ sessionId, owner: held.owner, expiresAt: held.expiresAt, ownerState: 'dead' })
    await sleep(held.expiresAt - Date.now() + 50, options.signal)
  }
  if (!lease || deadDriver) {
    const applied = await applyDirectly(store, sessionId, action)
    if (applied) return applied
  }
  await store.requestControl(sessionId, action)
  if (!options.wait) return { sessionId, action, outcome: 'requested', status: 'running' }
  const status = await waitUntilStopped(store, sessionId, options)
  return { sessionId, action, outcome: 'requested', status }
}

/**
 * `unchanged` when the session already has the state asked for; throws `SessionFinishedError`
 * when it finished otherwise; null when there is something to do.
 */
function settled(head: CheckpointHead, action: 'pause' | 'cancel'): ControlOutcome | null {
  const { sessionId, status } = head
  if (status === (action === 'pause' ? 'paused' : 'cancelled')) return { sessionId, action, outcome: 'unchanged', status }
  if (isTerminal(status)) throw new SessionFinishedError(sessionId, status, action)
  return null
}

/** Takes the lease and commits the new status. Returns null when someone else holds the lease. */
async function applyDirectly(store: CheckpointStore, sessionId: string, action: 'pause' | 'cancel'): Promise<ControlOutcome | null> {
  let lease
  try {
    lease = await store.acquireLease(sessionId, `${hostname()}:${process.pid}:cairn-control`, 10_000)
  } catch (err) {
    if (isCairnError(err, 'ALREADY_RUNNING')) return null
    throw err
  }
  try {
    const head = await store.load(sessionId)
    const done = settled(head, action)
    if (done) return done
    const next: CheckpointHead = { ...head, updatedAt: Math.max(Date.now(), head.updatedAt), lease }
    if (action === 'cancel') {
      next.status = 'cancelled'
      next.terminalReason = 'cancelled'
      next.pending = []
    } else {
      next.status = 'paused'
      delete next.terminalReason
    }
    await store.commit(sessionId, { expectedRevision: head.revision, fencingToken: lease.fencingToken, head: next, trials: [] })
    return { sessionId, action, outcome: 'applied', status: next.status }
  } finally {
    await store.releaseLease(sessionId, lease).catch(() => undefined)
  }
}

async function waitUntilStopped(store: CheckpointStore, sessionId: string, options: ControlOptions): Promise<SessionStatus> {
  const deadline = Date.now() + (options.timeoutMs ?? 600_000)
  for (;;) {
    const head = await store.load(sessionId)
    if (head.status !== 'running') return head.status
    if (!head.lease || head.lease.expiresAt <= Date.now()) return head.status
    if (Date.now() >= deadline) return head.status
    options.signal?.throwIfAborted()
    await new Promise((r) => setTimeout(r, options.pollMs ?? 250))
  }
}
