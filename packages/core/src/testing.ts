/**
 * `@cairn/core/testing`: hooks for tests that need to reach inside core's own objects —
 * corrupting what the memory store holds, counting a session's waiters. Never for production.
 *
 * @packageDocumentation
 */
import { InvalidInputError } from './errors.js'
import { SessionDriver } from './session/driver.js'
import type { SessionHandle } from './session/types.js'
import type { MemoryStore } from './store/memory.js'

/** Overwrites a session's stored head bytes, to simulate corruption. Throws `NotFoundError` for an unknown session. */
export async function corruptHead(store: MemoryStore, sessionId: string, bytes: Uint8Array): Promise<void> {
  store['cell'](sessionId).head = bytes
}

/** Overwrites a stored warm-start entry's bytes (a no-op when there is no such entry). */
export async function corruptWarmStartEntry(store: MemoryStore, key: string, runId: string, bytes: Uint8Array): Promise<void> {
  store['warm'].get(key)?.set(runId, bytes)
}

/** How many `wait()` calls on a handle are still registered (an abandoned wait must leave none). */
export function waiterCount(handle: SessionHandle): number {
  if (!(handle instanceof SessionDriver))
    throw new InvalidInputError('must be a handle returned by startSession or resumeSession', 'handle')
  return handle.waiterCount
}
