import { defineCairnProject } from '../../vitest.shared.js'

export default defineCairnProject('cli', {
  testTimeout: 240_000,
  dynamoDbLocal: true,
  childModules: ['src/cli/main.ts', 'test/fixtures/ask-tell-child.ts'],
})
