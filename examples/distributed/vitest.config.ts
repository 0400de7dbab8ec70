import { defineCairnProject } from '../../vitest.shared.js'

export default defineCairnProject('example-distributed', {
  dynamoDbLocal: true,
  testTimeout: 180_000,
  childModules: ['src/worker.ts', 'src/monitor.ts'],
})
