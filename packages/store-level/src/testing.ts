/**
 * `@cairn/store-level/testing`: hooks for tests that need a damaged database — corrupt a
 * session's head or a warm-start entry in place. Never use them on data you care about.
 *
 * @packageDocumentation
 */
import { assertSessionId } from '@cairn/core/store-kit'
import { WARM_LOCK, type LevelStore } from './level-store.js'

/** Overwrites a session's stored head bytes, to simulate corruption. */
export async function corruptHead(store: LevelStore, sessionId: string, bytes: Uint8Array): Promise<void> {
  assertSessionId(sessionId)
  const d = await store['ready']()
  await store['sessions'].run(sessionId, async () => {
    store['cache'].delete(sessionId)
    await d.heads.put(sessionId, bytes, { sync: store['options'].sync })
  })
}

/** Overwrites a stored warm-start entry's bytes, to simulate corruption. */
export async function corruptWarmStartEntry(store: LevelStore, key: string, runId: string, bytes: Uint8Array): Promise<void> {
  const w = await store['warm']()
  await store['warmLock'].run(WARM_LOCK, () => w.putRaw(key, runId, bytes))
}
