import { isCairnError, type CheckpointStore, type Lease } from '@cairn/core'
import type { SkipReason } from './errors.js'

/**
 * Takes the session's lease as `owner`, or says why there is nothing to do: another driver
 * holds it (`already-running`) or the session is gone (`not-found`). Other errors are thrown.
 */
export async function takeLease(
  store: CheckpointStore,
  sessionId: string,
  owner: string,
  ttlMs: number,
): Promise<{ lease: Lease } | { skipped: SkipReason }> {
  try {
    return { lease: await store.acquireLease(sessionId, owner, ttlMs) }
  } catch (err) {
    if (isCairnError(err, 'ALREADY_RUNNING')) return { skipped: 'already-running' }
    if (isCairnError(err, 'NOT_FOUND')) return { skipped: 'not-found' }
    throw err
  }
}
