import type { Lease } from '../checkpoint/types.js'
import { type AlreadyRunningError, describeLeaseExpiry, isCairnError, TimeoutError } from '../errors.js'
import type { CheckpointStore } from '../store/contract.js'

/** First pause between two looks at a held lease; it doubles up to `MAX_POLL_MS`. */
const FIRST_POLL_MS = 25
const MAX_POLL_MS = 1_000

/** How `retryWhileLeased` waits. */
export interface LeaseWaitLimits {
  /** Gives up after this long with `TimeoutError`. */
  timeoutMs: number
  /**
   * Longest pause between two looks (default 1,000 ms). Waiters for leases held only briefly
   * (ask/tell) keep it short, so they do not sleep through the moments the lease is free.
   */
  maxPollMs?: number
  /** Stops waiting; the promise rejects with the signal's reason. */
  signal?: AbortSignal
}

/**
 * Runs `attempt` (a resume). While it fails with `AlreadyRunningError`, polls the session's head
 * (`store.load`) with backoff — but never past the lease's expiry — until the lease is released
 * or expired, then tries again. Gives up after `timeoutMs` with a `TimeoutError` whose `cause`
 * is the last `AlreadyRunningError`. Any other error is thrown at once.
 */
export async function retryWhileLeased<T>(
  store: CheckpointStore,
  sessionId: string,
  attempt: () => Promise<T>,
  limits: LeaseWaitLimits,
): Promise<T> {
  const deadline = Date.now() + limits.timeoutMs
  const maxPause = limits.maxPollMs ?? MAX_POLL_MS
  let pause = Math.min(FIRST_POLL_MS, maxPause)
  for (;;) {
    let refused: AlreadyRunningError
    try {
      return await attempt()
    } catch (err) {
      if (!isCairnError(err, 'ALREADY_RUNNING')) throw err
      refused = err as AlreadyRunningError
    }
    let expiresAt = refused.leaseExpiresAt
    let owner = refused.owner
    for (;;) {
      const now = Date.now()
      if (now >= deadline) throw giveUp(sessionId, owner, expiresAt, limits.timeoutMs, refused)
      const untilExpiry = expiresAt === undefined ? pause : Math.max(1, expiresAt - now)
      // Jittered, so processes waiting for the same lease do not keep looking at the same moments.
      await sleep(Math.min(pause * (0.5 + Math.random()), untilExpiry, deadline - now), limits.signal)
      pause = Math.min(pause * 2, maxPause)
      const lease: Lease | null = (await store.load(sessionId)).lease
      if (!lease || lease.expiresAt <= Date.now()) break
      expiresAt = lease.expiresAt
      owner = lease.owner
    }
  }
}

function giveUp(
  sessionId: string,
  owner: string | undefined,
  expiresAt: number | undefined,
  timeoutMs: number,
  cause: AlreadyRunningError,
): TimeoutError {
  const holder = owner ? ` held by ${owner}` : ''
  const expiry = expiresAt === undefined ? '' : ` (${describeLeaseExpiry(expiresAt)})`
  return new TimeoutError(`waiting for the lease of session "${sessionId}"${holder}${expiry}`, timeoutMs, { cause })
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
