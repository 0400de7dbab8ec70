// test/real-process.test.ts
// Optional, and worth it: the same suite with a real child process that drives a session on a
// durable store and is SIGKILLed twice mid-run, then resumed. It needs a store several
// processes can share, so this file (and only this file) uses @cairn/store-fs, a devDependency.
import { fileURLToPath } from 'node:url'
import { describeOptimizer, removeDir, tempDir, type StoreFactory } from '@cairn/testkit'
import { createFsStore, type FsStore } from '@cairn/store-fs'
import { hillClimb } from '../src/index.js'

const durableStore: StoreFactory<FsStore> = async () => {
  const dir = await tempDir('hill-climber-')
  return {
    store: createFsStore({ dir }),
    corruptHead: async () => {
      throw new Error('not used by describeOptimizer')
    },
    child: { module: fileURLToPath(new URL('./fixtures/open-store.ts', import.meta.url)), args: [dir] },
    cleanup: () => removeDir(dir),
  }
}

describeOptimizer('hill climber (real processes, store-fs)', () => hillClimb(), {
  durableStore,
  optimizerModule: { module: fileURLToPath(new URL('./fixtures/optimizer-module.ts', import.meta.url)) },
})
