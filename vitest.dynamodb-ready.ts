import { dynamoDbLocalEndpoint } from './vitest.dynamodb-endpoint.js'

// Setup file of the projects whose every file uses DynamoDB Local (`dynamoDbLocal: true`): each
// test file waits here, once, until it answers.
await dynamoDbLocalEndpoint()
