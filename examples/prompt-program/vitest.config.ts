import { defineCairnProject } from '../../vitest.shared.js'

export default defineCairnProject('example-prompt-program', { testTimeout: 60_000 })
