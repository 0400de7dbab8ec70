import type { CheckpointHead, Lease } from '../../checkpoint/types.js'
import { InvalidInputError, isCairnError } from '../../errors.js'
import type { Json } from '../../json.js'
import type { CheckpointStore } from '../../store/contract.js'
import { assertSessionId } from '../../store/session-id.js'
import { commitWithRecovery } from '../commit.js'
import { retryWhileLeased } from '../lease-wait.js'
import { defaultOwner } from '../options.js'
import { samplerOf } from './loaded.js'
import { type LoadedCache, loadSession, type LoadedSession } from './loaded.js'
import { askOn, type Change, enqueueOn, outstandingOf, tellOn } from './operations.js'
import {
  type AskedTrial,
  type AskTellStoreOptions,
  DEFAULT_MAX_OUTSTANDING,
  type OutstandingTrial,
  type TellOptions,
  type TellResult,
} from './types.js'

/** The lease one operation holds (it is released as soon as the commit is made). */
const OPERATION_LEASE_MS = 15_000
const DEFAULT_TIMEOUT_MS = 120_000
/** An operation holds the lease for one commit: waiters look again often. */
const LEASE_POLL_MAX_MS = 200

/**
 * Asks a stored session for its next trial from any process, with no handle kept: takes the
 * session's lease (waiting while another process holds it), loads the head, commits the new
 * pending trial (compare-and-set on the revision, under the lease's fencing token) and releases
 * the lease, so many processes asking at once never get the same trial. The candidate is the
 * oldest enqueued one, else the optimizer's. Resolves to null when there is nothing more to ask
 * (the session completed, all of `maxTrials` are asked, or the optimizer halted). Rejects with
 * `AlreadyTerminalError` for a failed or cancelled session, `InvalidInputError` when
 * `maxOutstanding` trials are outstanding, `ResumeMismatchError` for another optimizer,
 * `TimeoutError` when the lease stays held past `timeoutMs`.
 */
export function askTrial(store: CheckpointStore, sessionId: string, opts: AskTellStoreOptions): Promise<AskedTrial | null> {
  return withSession(store, sessionId, opts, null, (l) => askOn(l, opts.maxOutstanding ?? DEFAULT_MAX_OUTSTANDING))
}

/**
 * Tells the result of an asked trial from any process (see `askTrial` for the lease and the
 * commit). Results may be told in any order: one told ahead of an earlier outstanding trial is
 * kept in the head until the trials before it are told, then the run of them is recorded and
 * told to the optimizer in index order, in one commit. Rejects with `InvalidInputError` for a
 * trial never asked or already told.
 */
export function tellTrial(
  store: CheckpointStore,
  sessionId: string,
  trialIdx: number,
  result: TellResult,
  opts: AskTellStoreOptions & TellOptions,
): Promise<void> {
  checkDuration(opts.durationMs)
  return withSession(store, sessionId, opts, null, (l) => tellOn(l, trialIdx, result, opts.durationMs ?? 0))
}

/**
 * Enqueues a candidate from any process: checked against the session's space, committed to the
 * head before this resolves, and asked (by `ask` or a driver) before the optimizer is. Resolves
 * to the number of candidates now enqueued.
 */
export function enqueueTrial(store: CheckpointStore, sessionId: string, candidate: Json, opts: AskTellStoreOptions): Promise<number> {
  return withSession(store, sessionId, opts, null, async (l) => enqueueOn(l, candidate))
}

/** The trials of a stored session asked and not yet recorded, in index order (one read, no lease). */
export async function outstandingTrials(store: CheckpointStore, sessionId: string): Promise<OutstandingTrial[]> {
  assertSessionId(sessionId)
  return outstandingOf(await store.load(sessionId))
}

function checkDuration(ms: number | undefined): void {
  if (ms !== undefined && !(Number.isFinite(ms) && ms >= 0))
    throw new InvalidInputError(`must be a finite number ≥ 0, got ${String(ms)}`, 'durationMs')
}

/** The head an operation committed (for a handle's `poll`). */
export type Committed = { head: CheckpointHead }

/**
 * One ask/tell operation on a stored session: lease, load, `operate`, one compare-and-set
 * commit, release. A lost compare-and-set or lease (another process got in between) is
 * retried from a fresh load until `timeoutMs`. `cache` (a handle's) spares reading the trial log
 * when nothing else committed since its last operation; `onCommit` sees the committed head.
 */
export async function withSession<T>(
  store: CheckpointStore,
  sessionId: string,
  opts: AskTellStoreOptions,
  cache: LoadedCache | null,
  operate: (loaded: LoadedSession) => Promise<Change<T>> | Change<T>,
  onCommit?: (head: CheckpointHead, change: Change<T>, loaded: LoadedSession) => void,
): Promise<T> {
  assertSessionId(sessionId)
  samplerOf(opts.optimizer)
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
  if (!(Number.isFinite(timeoutMs) && timeoutMs >= 0))
    throw new InvalidInputError(`must be a finite number ≥ 0, got ${timeoutMs}`, 'timeoutMs')
  const owner = opts.owner ?? defaultOwner()
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const lease: Lease = await retryWhileLeased(store, sessionId, () => store.acquireLease(sessionId, owner, OPERATION_LEASE_MS), {
      timeoutMs: Math.max(1, deadline - Date.now()),
      maxPollMs: LEASE_POLL_MAX_MS,
    })
    try {
      const head = await store.load(sessionId)
      const loaded = await loadSession(store, head, opts.optimizer, cache)
      const change = await operate(loaded)
      if (change.head) {
        const next = { ...change.head, lease }
        const committed = await commitWithRecovery(store, sessionId, {
          expectedRevision: head.revision,
          fencingToken: lease.fencingToken,
          head: next,
          trials: change.trials,
        })
        const stored: CheckpointHead = { ...next, revision: committed.revision, lease: { ...lease, expiresAt: Date.now() } }
        cache?.set({ ...loaded, head: stored, state: change.state })
        onCommit?.(stored, change, loaded)
      } else if (change.dirty) cache?.clear()
      else cache?.set(loaded)
      return change.value
    } catch (err) {
      cache?.clear()
      const lost = isCairnError(err, 'REVISION_CONFLICT') || isCairnError(err, 'LEASE_LOST')
      if (!lost || Date.now() >= deadline) throw err
    } finally {
      await store.releaseLease(sessionId, lease).catch(() => undefined)
    }
  }
}
