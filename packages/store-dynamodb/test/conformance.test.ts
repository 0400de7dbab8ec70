import { describeCheckpointStore, describeWarmStartStore } from '@cairn/testkit'
import { childModulePath } from '../../../vitest.children.js'
import { createDynamoDbStore } from '../src/index.js'
import {
  OPEN_STORE_MODULE,
  corruptHead,
  corruptTrial,
  corruptTrialProgress,
  corruptWarmStartEntry,
  dropTable,
  dropTrial,
  endpoint,
  localConfig,
  newTable,
} from './support/tables.js'

async function fixture() {
  const tableName = await newTable('conf')
  return {
    store: createDynamoDbStore({ tableName, clientConfig: localConfig() }),
    corruptHead: (sessionId: string) => corruptHead(tableName, sessionId),
    corruptTrial: (sessionId: string, trialIdx: number) => corruptTrial(tableName, sessionId, trialIdx),
    dropTrial: (sessionId: string, trialIdx: number) => dropTrial(tableName, sessionId, trialIdx),
    corruptTrialProgress: (sessionId: string, trialIdx: number) => corruptTrialProgress(tableName, sessionId, trialIdx),
    corruptWarmStartEntry: (key: string, runId: string) => corruptWarmStartEntry(tableName, key, runId),
    child: { module: childModulePath(OPEN_STORE_MODULE), args: [endpoint(), tableName] },
    cleanup: () => dropTable(tableName),
  }
}

describeCheckpointStore('dynamodb', fixture)
describeWarmStartStore('dynamodb', fixture)
