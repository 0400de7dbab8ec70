import { defineCairnProject } from '../../vitest.shared.js'

export default defineCairnProject('warm-start', { isolate: false })
