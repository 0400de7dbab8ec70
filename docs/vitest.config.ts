import { defineCairnProject } from '../vitest.shared.js'

export default defineCairnProject('docs', { testTimeout: 60_000 })
