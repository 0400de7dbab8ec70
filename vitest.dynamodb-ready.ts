import { waitForDynamoDbLocal } from '@cairn/store-dynamodb/testing'
import { inject } from 'vitest'

// Setup file of the projects that use DynamoDB Local: its global setup spawned it without waiting
// for Java to answer, so every test file waits here (at once, once it is up).
await waitForDynamoDbLocal(inject('dynamoDbEndpoint'), { timeoutMs: 120_000 })
