import { defineCairnProject } from '../../vitest.shared.js'

export default defineCairnProject('example-quickstart', { testTimeout: 180_000, childModules: ['../../packages/cli/src/cli/main.ts'] })
