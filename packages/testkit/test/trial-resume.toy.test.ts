import { fileURLToPath } from 'node:url'
import type { CheckpointStore } from '@cairn/core'
import { childModulePath } from '../../../vitest.children.js'
import { describeTrialResume, removeDir, tempDir } from '../src/index.js'
import type { StoreFactory } from '../src/index.js'
import { ToyProgressStore } from './fixtures/toy-progress-store.js'

// The toy fs store with trial progress: the real SIGKILL of describeTrialResume runs in testkit itself.
const toyProgressStore: StoreFactory<CheckpointStore> = async () => {
  const dir = await tempDir()
  return {
    store: new ToyProgressStore(dir),
    corruptHead: async () => undefined,
    child: { module: childModulePath(fileURLToPath(new URL('./fixtures/toy-progress-store.ts', import.meta.url))), args: [dir] },
    cleanup: () => removeDir(dir),
  }
}

describeTrialResume('toy fs store with trial progress (test fixture)', toyProgressStore)
