import type { CheckpointStore, SessionChange } from '../../store/contract.js'
import { missingMethods } from '../../input/option-kinds.js'

/** The store methods shared evaluation calls besides those every driver calls. */
export const SLOT_METHODS = ['claimTrial', 'renewTrialClaim', 'reportTrialResult', 'readTrialSlots'] as const

/** A store whose trial-slot methods are there. */
export type SharedStore = CheckpointStore & Required<Pick<CheckpointStore, (typeof SLOT_METHODS)[number]>>

/** Which stores can share a session's trials between workers, for error messages. */
export const SHARED_STORES_HINT =
  'use @cairn/store-fs for workers on one machine or @cairn/store-dynamodb for workers on many machines ' +
  '(the memory store shares trials between workers of one process); @cairn/store-level admits one process and cannot'

/** Why `store` cannot share evaluation (null when it can). */
export function sharedStoreProblem(store: CheckpointStore): string | null {
  if (store.capabilities?.sharedEvaluation !== true) return 'this store does not declare capabilities.sharedEvaluation'
  const missing = missingMethods(store, SLOT_METHODS)
  if (missing.length > 0) return `this store declares capabilities.sharedEvaluation but has no ${missing.join(', ')}`
  return null
}

/** True when `store` can share evaluation (`sharedStoreProblem` says why not). */
export function isSharedStore(store: CheckpointStore): store is SharedStore {
  return sharedStoreProblem(store) === null
}

/**
 * Subscribes `onChange` to the changes of kind `change` that `store` tells of (`watchSession`),
 * when it can; the returned function unsubscribes (a no-op when the store tells nothing, failed
 * to watch, or a wrapper of it returned something else than a function).
 */
export function watchChanges(store: CheckpointStore, sessionId: string, change: SessionChange, onChange: () => void): () => void {
  if (typeof store.watchSession !== 'function') return () => {}
  let unwatch: unknown
  try {
    unwatch = store.watchSession(sessionId, change, onChange)
  } catch {
    return () => {} // a hint: without it, the polls find the changes
  }
  return typeof unwatch === 'function' ? (unwatch as () => void) : () => {}
}
