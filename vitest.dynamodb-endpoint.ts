import { waitForDynamoDbLocal } from '@cairn/store-dynamodb/testing'
import { inject } from 'vitest'
import type {} from './vitest.dynamodb-local.js'

/**
 * The endpoint of the run's DynamoDB Local, once it answers: its global setup spawns Java without
 * waiting for it (vitest.dynamodb-local.ts). Test files of projects with `dynamoDbLocal:
 * 'on-demand'` call it where they need DynamoDB, so their other files do not wait for Java.
 */
export async function dynamoDbLocalEndpoint(): Promise<string> {
  const endpoint = inject('dynamoDbEndpoint')
  await waitForDynamoDbLocal(endpoint, { timeoutMs: 120_000 })
  return endpoint
}
