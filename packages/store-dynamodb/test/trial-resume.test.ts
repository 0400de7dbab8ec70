// Issue 14's crash test on DynamoDB Local: a trial SIGKILLed after its 7th checkpoint continues
// from that checkpoint in the next process.
import { describeTrialResume } from '@cairn/testkit'
import { childModulePath } from '../../../vitest.children.js'
import { createDynamoDbStore } from '../src/index.js'
import { OPEN_STORE_MODULE, dropTable, endpoint, localConfig, newTable } from './support/tables.js'

describeTrialResume('@cairn/store-dynamodb', async () => {
  const tableName = await newTable('resume')
  return {
    store: createDynamoDbStore({ tableName, clientConfig: localConfig() }),
    corruptHead: async () => undefined,
    child: { module: childModulePath(OPEN_STORE_MODULE), args: [endpoint(), tableName] },
    cleanup: () => dropTable(tableName),
  }
})
