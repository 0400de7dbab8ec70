import { describeCheckpointStore, describeWarmStartStore, removeDir, tempDir } from '@cairn/testkit'
import { createLevelStore } from '../src/index.js'
import { corruptHead, corruptTrial, corruptWarmStartEntry, damageTrialProgress, dropTrial } from '../src/testing.js'

/** Bytes that are no Cairn record at all. */
const GARBAGE = new TextEncoder().encode('this is not a cairn record \u0000\u0001\u0002')

async function fixture() {
  const dir = await tempDir('cairn-level-conformance-')
  const store = createLevelStore({ location: dir })
  return {
    store,
    corruptHead: (sessionId: string) => corruptHead(store, sessionId, GARBAGE),
    corruptWarmStartEntry: (key: string, runId: string) => corruptWarmStartEntry(store, key, runId, GARBAGE),
    corruptTrial: (sessionId: string, trialIdx: number) => corruptTrial(store, sessionId, trialIdx),
    dropTrial: (sessionId: string, trialIdx: number) => dropTrial(store, sessionId, trialIdx),
    corruptTrialProgress: (sessionId: string, trialIdx: number) => damageTrialProgress(store, sessionId, trialIdx),
    cleanup: () => removeDir(dir),
  }
}

describeCheckpointStore('level', fixture)
describeWarmStartStore('level', fixture)
