import { hostname } from 'node:os'
import { AlreadyRunningError, isCairnError, type CheckpointStore } from '@cairn/core'
import { sleep } from '../util/sleep.js'

/** A session another (probably dead) process still holds the lease of; the caller waits for it to expire. */
export interface LeaseWait {
  sessionId: string
  /** The lease owner (`host:pid:…` by default). */
  owner: string
  /** When the lease expires, epoch ms. */
  expiresAt: number
  /** `dead`: the owner was a process on this machine that no longer exists; `unknown`: it runs elsewhere. */
  ownerState: 'dead' | 'unknown'
}

/** Options of `withLeaseWait`. */
export interface LeaseWaitOptions {
  /** Called once when waiting starts. Without it, nothing is waited for: the `AlreadyRunningError` is thrown. */
  onWait?: (wait: LeaseWait) => void
  /** Stops waiting (the promise rejects with the signal's reason). */
  signal?: AbortSignal
}

/**
 * Runs `attempt` (a resume). When it fails with `AlreadyRunningError` because a lease is still
 * live, and the lease's owner looks dead (a process on this machine that no longer exists, or
 * one elsewhere that stops renewing), waits until the lease expires and tries again — what a
 * rerun after a `kill -9` needs. A live owner (this machine, or a lease that keeps being renewed)
 * rethrows `AlreadyRunningError` at once.
 */
export async function withLeaseWait<T>(
  store: CheckpointStore,
  sessionId: string,
  attempt: () => Promise<T>,
  options: LeaseWaitOptions,
): Promise<T> {
  let observed: number | null = null
  for (;;) {
    try {
      return await attempt()
    } catch (err) {
      if (!isCairnError(err, 'ALREADY_RUNNING') || options.onWait === undefined) throw err
      const lease = (await store.load(sessionId)).lease
      const now = Date.now()
      if (lease && lease.expiresAt > now) {
        const state = ownerState(lease.owner)
        if (state === 'alive') throw err
        if (observed !== null && lease.expiresAt > observed)
          throw new AlreadyRunningError(sessionId, lease.owner, 'its lease is being renewed, so its process is alive', {
            leaseExpiresAt: lease.expiresAt,
          })
        if (observed === null) {
          observed = lease.expiresAt
          options.onWait({ sessionId, owner: lease.owner, expiresAt: lease.expiresAt, ownerState: state })
        }
      }
      await sleep(lease ? Math.min(1_000, Math.max(50, lease.expiresAt - now + 50)) : 50, options.signal)
    }
  }
}

/**
 * Whether a lease owner named `host:pid:…` (core's default) or `recovery:host:pid:…` (the
 * recovery monitor's) is alive: only decidable for processes on this machine.
 */
export function ownerState(owner: string): 'alive' | 'dead' | 'unknown' {
  const parts = owner.split(':')
  if (parts[0] === 'recovery') parts.shift()
  const [host, pidText] = parts
  const pid = Number(pidText)
  if (host !== hostname() || !Number.isSafeInteger(pid) || pid <= 0) return 'unknown'
  if (pid === process.pid) return 'alive'
  try {
    process.kill(pid, 0)
    return 'alive'
  } catch (err) {
    return (err as { code?: string }).code === 'ESRCH' ? 'dead' : 'alive'
  }
}
