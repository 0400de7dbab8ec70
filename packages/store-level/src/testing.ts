/**
 * Fault hooks for tests: they damage what a `LevelStore` holds, as a disk fault would, so a
 * test can check the damage is reported. Never use them on data you care about.
 *
 * ```ts
 * import { corruptTrial, dropTrial } from '@cairn/store-level/testing'
 * ```
 */
import { NotFoundError } from '@cairn/core'
import type { Sublevel } from './database.js'
import { trialKey } from './keys.js'
import { faultAccessOf } from './fault-access.js'
import type { LevelStore } from './level-store.js'

/** Garbage a damaged trial record is replaced with unless told otherwise. */
const GARBAGE = new TextEncoder().encode('this is not a trial record')

/** Replaces the stored record of trial `trialIdx` of `sessionId` with `bytes` (garbage by default). */
export async function corruptTrial(store: LevelStore, sessionId: string, trialIdx: number, bytes: Uint8Array = GARBAGE): Promise<void> {
  await onTrial(store, sessionId, trialIdx, (trials, key, sync) => trials.put(key, bytes, { sync }))
}

/** Removes the stored record of trial `trialIdx` of `sessionId`; the head still counts it. */
export async function dropTrial(store: LevelStore, sessionId: string, trialIdx: number): Promise<void> {
  await onTrial(store, sessionId, trialIdx, (trials, key, sync) => trials.batch([{ type: 'del', key }], { sync }))
}

async function onTrial(
  store: LevelStore,
  sessionId: string,
  trialIdx: number,
  change: (trials: Sublevel<Uint8Array>, key: string, sync: boolean) => Promise<void>,
): Promise<void> {
  const access = faultAccessOf(store)
  const trials = await access.trials()
  const key = trialKey(sessionId, trialIdx)
  await access.exclusive(sessionId, async () => {
    if ((await trials.get(key)) === undefined) throw new NotFoundError(`trial ${trialIdx} of session "${sessionId}"`)
    await change(trials, key, access.sync)
  })
}
