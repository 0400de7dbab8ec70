import { defineCairnProject } from '../vitest.shared.js'

export default defineCairnProject('packaging', { testTimeout: 300_000 })
