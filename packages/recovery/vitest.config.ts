import { defineCairnProject } from '../../vitest.shared.js'

export default defineCairnProject('recovery', {
  dynamoDbLocal: true,
  isolate: false,
  testTimeout: 60_000,
  childModules: ['test/fixtures/monitor-process.ts', 'test/fixtures/worker-process.ts'],
})
