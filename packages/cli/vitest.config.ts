import { defineCairnProject } from '../../vitest.shared.js'

export default defineCairnProject('cli', {
  testTimeout: 240_000,
  dynamoDbLocal: 'on-demand',
  childModules: ['src/cli/main.ts', 'test/fixtures/ask-tell-child.ts'],
})
