import { defineCairnProject } from '../../vitest.shared.js'

export default defineCairnProject('store-dynamodb', {
  dynamoDbLocal: true,
  isolate: false,
  testTimeout: 60_000,
  childModules: ['test/fixtures/open-store.ts', 'test/fixtures/session-worker.ts', 'test/fixtures/wait-for-takeover.ts'],
})
