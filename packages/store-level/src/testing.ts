/**
 * `@cairn/store-level/testing`: fault hooks for tests. They damage what a `LevelStore` holds —
 * a session's head, one trial record, a warm-start entry — as a disk fault would, so a test can
 * check the damage is reported. Never use them on data you care about.
 *
 * ```ts
 * import { corruptHead, corruptTrial, dropTrial } from '@cairn/store-level/testing'
 * ```
 *
 * @packageDocumentation
 */
import { NotFoundError } from '@cairn/core'
import { assertSessionId } from '@cairn/core/store-kit'
import type { Sublevel } from './database.js'
import { faultAccessOf } from './fault-access.js'
import { progressChunkKey, progressKey, trialKey } from './keys.js'
import { decodeProgressManifest } from './progress-record.js'
import type { LevelStore } from './level-store.js'
import { localStoreOf } from './local-access.js'
import { WARM_LOCK } from './local-store.js'

/** Garbage a damaged trial record is replaced with unless told otherwise. */
const GARBAGE = new TextEncoder().encode('this is not a trial record')

/** Overwrites a session's stored head bytes, to simulate corruption. */
export async function corruptHead(store: LevelStore, sessionId: string, bytes: Uint8Array): Promise<void> {
  assertSessionId(sessionId)
  const local = await localStoreOf(store)
  const d = await local['ready']()
  await local['sessions'].run(sessionId, async () => {
    local['cache'].delete(sessionId)
    await d.heads.put(sessionId, bytes, { sync: local['options'].sync })
  })
}

/** Overwrites a stored warm-start entry's bytes, to simulate corruption. */
export async function corruptWarmStartEntry(store: LevelStore, key: string, runId: string, bytes: Uint8Array): Promise<void> {
  const local = await localStoreOf(store)
  const w = await local['warm']()
  await local['warmLock'].run(WARM_LOCK, () => w.putRaw(key, runId, bytes))
}

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
  const access = faultAccessOf(await localStoreOf(store))
  const trials = await access.trials()
  const key = trialKey(sessionId, trialIdx)
  await access.exclusive(sessionId, async () => {
    if ((await trials.get(key)) === undefined) throw new NotFoundError(`trial ${trialIdx} of session "${sessionId}"`)
    await change(trials, key, access.sync)
  })
}

/**
 * Flips one byte in the middle of the bytes (or of the first chunk) of the latest progress save of trial
 * `trialIdx` of `sessionId` (bit rot after the save): `loadTrialProgress` then throws
 * `CheckpointCorruptError`.
 */
export async function damageTrialProgress(store: LevelStore, sessionId: string, trialIdx: number): Promise<void> {
  assertSessionId(sessionId)
  const local = await localStoreOf(store)
  const d = await local['ready']()
  await local['sessions'].run(sessionId, async () => {
    const manifest = await d.progress.get(progressKey(sessionId, trialIdx))
    if (manifest === undefined) throw new NotFoundError(`progress of trial ${trialIdx} of session "${sessionId}"`)
    const { token, inline } = decodeProgressManifest(manifest, 'the manifest to damage')
    // A save carried in its manifest: a byte of its bytes (after the 28-byte header); else one of its first chunk.
    const key = inline ? progressKey(sessionId, trialIdx) : progressChunkKey(sessionId, trialIdx, token, 0)
    const chunk = inline ? (inline.byteLength > 0 ? manifest : undefined) : await d.progress.get(key)
    if (chunk === undefined || chunk.byteLength === 0)
      throw new NotFoundError(`chunk 0 of progress of trial ${trialIdx} of session "${sessionId}"`)
    const damaged = Uint8Array.from(chunk)
    const at = inline ? damaged.length - 1 - Math.floor(inline.byteLength / 2) : Math.floor(damaged.length / 2)
    damaged[at] = (damaged[at] as number) ^ 0x20
    await d.progress.put(key, damaged, { sync: local['options'].sync })
  })
}
