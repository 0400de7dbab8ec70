import { createMemoryStore } from '@cairn/core'
import type { CheckpointStore } from '@cairn/core'
import { describeCheckpointStore } from '../src/index.js'

const garbage = new TextEncoder().encode('this is not a checkpoint head')

describeCheckpointStore('memory (core)', async () => {
  const store = createMemoryStore()
  return {
    store: store as CheckpointStore,
    corruptHead: async (sessionId) => store.unsafeSetHeadBytes(sessionId, garbage),
  }
})
