import { defineCairnProject } from '../../vitest.shared.js'

// DynamoDB Local (Java) for the DynamoDB recovery tests, started once for the project by
// @cairn/store-dynamodb's own global setup; it provides `dynamoDbEndpoint`.
export default defineCairnProject('recovery', {
  globalSetup: ['../store-dynamodb/test/global-setup.ts'],
  testTimeout: 60_000,
})
