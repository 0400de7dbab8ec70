import { defineCairnProject } from '../../vitest.shared.js'

export default defineCairnProject('store-level', { isolate: false })
