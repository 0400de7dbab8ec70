/**
 * Many workers, one session, on DynamoDB Local, with real processes: `cairn run shared`
 * coordinates and `cairn worker` processes evaluate; workers and coordinators are SIGKILLed
 * mid-run (see `expectCrashRunCorrect`).
 */
import { test } from 'vitest'
import { createDynamoDbStore, createTable } from '@cairn/store-dynamodb'
import { localClientConfig } from '@cairn/store-dynamodb/testing'
import { dynamoDbLocalEndpoint } from '../../../vitest.dynamodb-endpoint.js'
import { expectCrashRunCorrect } from './helpers/shared-run.js'
import { tempDirEachTest } from '../../../vitest.temp-dir.js'

let cwd: string
tempDirEachTest((dir) => (cwd = dir), 'cairn-shared-ddb-')

/** What DynamoDB Local takes from the SDK's default credential chain in a child process. */
const AWS_ENV = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: 'us-east-1' }

test('1 coordinator + 4 workers on DynamoDB Local, SIGKILLed mid-run: every trial committed once, the candidates of a local run', async () => {
  const endpoint = await dynamoDbLocalEndpoint()
  const clientConfig = localClientConfig(endpoint)
  const tableName = `cli-shared-${process.pid}-${Date.now().toString(36)}`
  await createTable({ tableName, clientConfig })
  const store = createDynamoDbStore({ tableName, clientConfig })
  try {
    await expectCrashRunCorrect(cwd, `dynamodb://${tableName}?region=us-east-1&endpoint=${endpoint}`, store, AWS_ENV)
  } finally {
    await store.close()
  }
})
