/**
 * Fault hooks for tests of `@cairn/core`'s in-memory store: they damage what the store holds,
 * as a disk fault would, so tests (and `@cairn/testkit`'s conformance fixtures) can check that
 * the damage is reported. Never use them on data you care about.
 *
 * ```ts
 * import { createMemoryStore } from '@cairn/core'
 * import { corruptTrial, dropTrial } from '@cairn/core/testing'
 * ```
 */
import { InvalidInputError, NotFoundError } from './errors.js'
import { storedTrialLog, type MemoryStore } from './store/memory.js'

/** Garbage a damaged trial record is replaced with unless told otherwise. */
const GARBAGE = new TextEncoder().encode('this is not a trial record')

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

function trialLogOf(store: MemoryStore, sessionId: string, trialIdx: number): Array<Uint8Array | undefined> {
  const log = storedTrialLog(store, sessionId)
  if (!Number.isSafeInteger(trialIdx) || trialIdx < 0) throw new InvalidInputError(`must be a trial index, got ${trialIdx}`, 'trialIdx')
  if (trialIdx >= log.length) throw new NotFoundError(`trial ${trialIdx} of session "${sessionId}"`)
  return log
}
