import { defineCairnProject } from '../../vitest.shared.js'

export default defineCairnProject('example-warm-start', { testTimeout: 120_000 })
