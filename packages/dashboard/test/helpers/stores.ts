import type { CheckpointStore } from '@cairn/core'
import { createFsStore } from '@cairn/store-fs'
import { createLevelStore } from '@cairn/store-level'
import { removeDir, tempDir } from '@cairn/testkit'

/** A real store in a fresh temp directory, and how to get rid of it. */
export interface TempStore {
  store: CheckpointStore
  dir: string
  dispose(): Promise<void>
}

/** The stores the server is tested on: fs (shared by processes) and LevelDB (one process, opened here). */
export const STORES: Record<'fs' | 'level', () => Promise<TempStore>> = {
  fs: async () => {
    const dir = await tempDir('cairn-dashboard-fs-')
    const store = createFsStore({ dir })
    return { store, dir, dispose: async () => (await store.close(), await removeDir(dir)) }
  },
  level: async () => {
    const dir = await tempDir('cairn-dashboard-level-')
    const store = createLevelStore({ location: dir })
    return { store, dir, dispose: async () => (await store.close(), await removeDir(dir)) }
  },
}
