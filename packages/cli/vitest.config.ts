import { defineCairnProject } from '../../vitest.shared.js'

export default defineCairnProject('cairn', { testTimeout: 240_000 })
