import { defineCairnProject } from '../../vitest.shared.js'

export default defineCairnProject('example-custom-optimizer', { testTimeout: 60_000 })
