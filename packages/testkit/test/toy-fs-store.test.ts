import { fileURLToPath } from 'node:url'
import type { CheckpointStore } from '@cairn/core'
import { childModulePath } from '../../../vitest.children.js'
import {
  describeCheckpointStore,
  describeOptimizer,
  referenceOptimizer,
  referenceOptimizerModule,
  removeDir,
  tempDir,
} from '../src/index.js'
import type { StoreFactory } from '../src/index.js'
import { ToyFsStore } from './fixtures/toy-fs-store.js'

// A durable multi-process store written in this test folder, so the real-process tests of
// the suites (SIGKILLed commit loop, racing processes, a killed driver) run in testkit itself.
const toyStore: StoreFactory<CheckpointStore> = async () => {
  const dir = await tempDir()
  const store = new ToyFsStore(dir)
  return {
    store,
    corruptHead: async (sessionId) => store.corruptHead(sessionId),
    corruptTrial: async (sessionId, trialIdx) => store.corruptTrial(sessionId, trialIdx),
    dropTrial: async (sessionId, trialIdx) => store.dropTrial(sessionId, trialIdx),
    child: { module: childModulePath(fileURLToPath(new URL('./fixtures/toy-fs-store.ts', import.meta.url))), args: [dir] },
    cleanup: () => removeDir(dir),
  }
}

describeCheckpointStore('toy fs store (test fixture)', toyStore)

describeOptimizer('reference optimizer, real processes on the toy fs store', referenceOptimizer, {
  trials: 10,
  durableStore: toyStore,
  optimizerModule: { module: referenceOptimizerModule() },
})
