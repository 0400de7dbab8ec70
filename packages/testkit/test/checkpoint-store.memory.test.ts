import { createMemoryStore } from '@cairn/core'
import type { CheckpointStore } from '@cairn/core'
import { corruptHead, corruptTrial, dropTrial } from '@cairn/core/testing'
import { describeCheckpointStore } from '../src/index.js'

const garbage = new TextEncoder().encode('this is not a checkpoint head')

describeCheckpointStore('memory (core)', async () => {
  const store = createMemoryStore()
  return {
    store: store as CheckpointStore,
    corruptHead: (sessionId) => corruptHead(store, sessionId, garbage),
    corruptTrial: async (sessionId, trialIdx) => corruptTrial(store, sessionId, trialIdx),
    dropTrial: async (sessionId, trialIdx) => dropTrial(store, sessionId, trialIdx),
    // Progress is kept as given, in memory: there are no stored bytes a disk fault could damage.
    corruptTrialProgress: null,
  }
})
