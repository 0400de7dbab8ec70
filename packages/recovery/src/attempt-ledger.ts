import { isCairnError, isTerminal } from '@cairn/core'
import type { CheckpointHead, CheckpointStore, Lease, RecoveryInfo } from '@cairn/core'
import type { SkipReason } from './errors.js'
import { takeLease } from './take-lease.js'

/**
 * Recovery attempts counted in the store, on the session's head (`head.recovery`), so every
 * monitor sharing the store sees the same count. An attempt is counted when it is claimed,
 * before anything runs: a monitor that dies mid-attempt has still used it. The count covers
 * the attempts since the session last committed a trial: an attempt that made progress ends
 * the streak.
 */
export function countedAttempts(head: CheckpointHead): number {
  const r = head.recovery
  if (!r || head.progress.attempts > r.atTrial) return 0
  return r.attempts
}

/** What `claimAttempt` found. */
export type Claim =
  /** Counted: attempt number `attempt`; the claimer holds `lease`, and the head is at `revision`. */
  | { kind: 'claimed'; attempt: number; lease: Lease; revision: number }
  /** `attempts` were made already (by any monitor): the budget is spent. */
  | { kind: 'exhausted'; attempts: number }
  /** The last attempt (maybe another monitor's) was claimed too recently: not before `until`. */
  | { kind: 'wait'; until: number; attempts: number }
  /** Nothing to do here: another driver holds the lease, or the session is not running (or gone). */
  | { kind: 'skipped'; reason: SkipReason }

/** How `claimAttempt` counts. */
export interface ClaimOptions {
  owner: string
  ttlMs: number
  maxAttempts: number
  /** The claimer's clock (epoch ms). */
  now: number
  /** This monitor's failed attempts the store has not counted yet (they failed before they could be claimed). */
  uncounted: number
  /** Start the count afresh (after `retry(id)`). */
  fresh: boolean
  /** The least delay owed after `n` attempts. */
  delayAfter(n: number): number
  /** Receives the lease as soon as it is taken, so the caller hands it back whatever happens next. */
  onLease(lease: Lease): void
}

/**
 * Claims a recovery attempt: takes the session's lease (so claims of several monitors are
 * serialized), reads the count, and — within budget and backoff — commits the head with the
 * count + 1 (a commit without trials: compare-and-set on revision and fencing token). The
 * caller then drives the session as the same owner (`acquireLease` admits the holder).
 */
export async function claimAttempt(store: CheckpointStore, sessionId: string, o: ClaimOptions): Promise<Claim> {
  const taken = await takeLease(store, sessionId, o.owner, o.ttlMs)
  if ('skipped' in taken) return { kind: 'skipped', reason: taken.skipped }
  const { lease } = taken
  o.onLease(lease)
  const head = await store.load(sessionId)
  if (head.status !== 'running') return { kind: 'skipped', reason: isTerminal(head.status) ? 'already-terminal' : 'not-running' }
  const prior = o.fresh ? 0 : countedAttempts(head)
  const made = prior + o.uncounted
  if (made >= o.maxAttempts) return { kind: 'exhausted', attempts: made }
  const last = head.recovery?.lastAttemptAt
  if (!o.fresh && prior > 0 && last !== undefined && o.now < last + o.delayAfter(prior))
    return { kind: 'wait', until: last + o.delayAfter(prior), attempts: made }
  const attempt = made + 1
  const recovery: RecoveryInfo = {
    ...head.recovery,
    attempts: attempt,
    atTrial: head.progress.attempts,
    lastAttemptAt: o.now,
    lastOwner: o.owner,
  }
  try {
    const { revision } = await store.commit(sessionId, {
      expectedRevision: head.revision,
      fencingToken: lease.fencingToken,
      head: { ...head, lease, recovery },
      trials: [],
    })
    return { kind: 'claimed', attempt, lease, revision }
  } catch (err) {
    if (isCairnError(err, 'REVISION_CONFLICT') || isCairnError(err, 'LEASE_LOST')) return { kind: 'skipped', reason: 'lease-lost' }
    throw err
  }
}

/**
 * Gives a claimed attempt back (count − 1) when it found nothing to do and nothing happened
 * since the claim (same revision, same lease): skips do not use up attempts. Resolves to
 * whether it did; when anything moved, the attempt stays counted.
 */
export async function refundAttempt(
  store: CheckpointStore,
  sessionId: string,
  claim: { attempt: number; lease: Lease; revision: number },
): Promise<boolean> {
  const head = await store.load(sessionId)
  if (head.revision !== claim.revision || head.lease?.fencingToken !== claim.lease.fencingToken || !head.recovery) return false
  await store.commit(sessionId, {
    expectedRevision: claim.revision,
    fencingToken: claim.lease.fencingToken,
    head: { ...head, recovery: { ...head.recovery, attempts: claim.attempt - 1 } },
    trials: [],
  })
  return true
}
