import { createMemoryStore } from '@cairn/core'
import { corruptHead, corruptWarmStartEntry } from '@cairn/core/testing'
import { describeWarmStartStore } from '../src/index.js'

const garbage = new Uint8Array([0x43, 0x41, 0x49, 0x52, 0x57, 0, 1, 1, 2, 3, 4, 0, 0, 0, 1, 0x7b])

describeWarmStartStore('memory (core)', async () => {
  const store = createMemoryStore()
  return {
    store,
    corruptHead: (sessionId) => corruptHead(store, sessionId, garbage),
    corruptWarmStartEntry: (key, runId) => corruptWarmStartEntry(store, key, runId, garbage),
  }
})

describeWarmStartStore('memory (core), without a corruption hook', async () => {
  const store = createMemoryStore()
  return { store, corruptHead: (sessionId) => corruptHead(store, sessionId, garbage) }
})
