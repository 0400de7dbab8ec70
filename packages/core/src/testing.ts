/**
 * `@cairn/core/testing`: hooks for tests that need to reach inside core's own objects —
 * damaging what the memory store holds (as a disk fault would, so tests and `@cairn/testkit`'s
 * conformance fixtures can check the damage is reported), counting a session's waiters.
 * Never use them on data you care about.
 *
 * ```ts
 * import { createMemoryStore } from '@cairn/core'
 * import { corruptHead, corruptTrial, dropTrial } from '@cairn/core/testing'
 * ```
 *
 * @packageDocumentation
 */
import { InvalidInputError, NotFoundError } from './errors.js'
import { SessionDriver } from './session/driver.js'
import type { JoinOptions, SessionHandle, WorkerHandle } from './session/types.js'
import { systemEnv, type SharedEnv } from './session/shared/env.js'
import { joinWith } from './session/shared/join.js'
import type { CheckpointStore } from './store/contract.js'
import { replaceStoredHead, storedTrialLog, type MemoryStore } from './store/memory.js'

/** Garbage a damaged trial record is replaced with unless told otherwise. */
const GARBAGE = new TextEncoder().encode('this is not a trial record')

/** Overwrites a session's stored head bytes, to simulate corruption. Throws `NotFoundError` for an unknown session. */
export async function corruptHead(store: MemoryStore, sessionId: string, bytes: Uint8Array): Promise<void> {
  replaceStoredHead(store, sessionId, bytes)
}

/** Overwrites a stored warm-start entry's bytes (a no-op when there is no such entry). */
export async function corruptWarmStartEntry(store: MemoryStore, key: string, runId: string, bytes: Uint8Array): Promise<void> {
  store['warm'].get(key)?.set(runId, bytes)
}

/** Replaces the stored record of trial `trialIdx` of `sessionId` with `bytes` (garbage by default). */
export function corruptTrial(store: MemoryStore, sessionId: string, trialIdx: number, bytes: Uint8Array = GARBAGE): void {
  const log = trialLogOf(store, sessionId, trialIdx)
  log[trialIdx] = Uint8Array.from(bytes)
}

/** Removes the stored record of trial `trialIdx` of `sessionId`; the head still counts it. */
export function dropTrial(store: MemoryStore, sessionId: string, trialIdx: number): void {
  const log = trialLogOf(store, sessionId, trialIdx)
  log[trialIdx] = undefined
}

/** How many `wait()` calls on a handle are still registered (an abandoned wait must leave none). */
export function waiterCount(handle: SessionHandle): number {
  if (!(handle instanceof SessionDriver))
    throw new InvalidInputError('must be a handle returned by startSession or resumeSession', 'handle')
  return handle.waiterCount
}

function trialLogOf(store: MemoryStore, sessionId: string, trialIdx: number): Array<Uint8Array | undefined> {
  const log = storedTrialLog(store, sessionId)
  if (!Number.isSafeInteger(trialIdx) || trialIdx < 0) throw new InvalidInputError(`must be a trial index, got ${trialIdx}`, 'trialIdx')
  if (trialIdx >= log.length) throw new NotFoundError(`trial ${trialIdx} of session "${sessionId}"`)
  return log
}

/** Where shared evaluation reads the time and waits (see `joinSessionWith`). */
export type { SharedEnv } from './session/shared/env.js'

/**
 * `joinSession` with its clock and sleep replaced: `now` judges whether claims and the
 * coordinator's lease lapsed (give it the memory store's clock), `sleep` waits between polls.
 * A session the worker takes over (`takeOver`) is driven with the same clock and sleep.
 */
export function joinSessionWith(
  store: CheckpointStore,
  sessionId: string,
  options: JoinOptions,
  env: Partial<SharedEnv>,
): Promise<WorkerHandle> {
  return joinWith(store, sessionId, options, { ...systemEnv, ...env })
}
