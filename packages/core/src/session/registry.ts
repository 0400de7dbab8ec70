import { AlreadyRunningError } from '../errors.js'
import type { CheckpointStore } from '../store/contract.js'

/** Sessions driven by this process, per store instance. */
const driven = new WeakMap<CheckpointStore, Set<string>>()

/** Marks a session as driven here; throws `AlreadyRunningError` if it already is. */
export function claim(store: CheckpointStore, sessionId: string): void {
  let ids = driven.get(store)
  if (!ids) driven.set(store, (ids = new Set()))
  if (ids.has(sessionId)) throw new AlreadyRunningError(sessionId, 'this process')
  ids.add(sessionId)
}

/** Forgets a session claimed with `claim`. */
export function unclaim(store: CheckpointStore, sessionId: string): void {
  driven.get(store)?.delete(sessionId)
}
