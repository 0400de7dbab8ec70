import { defineCairnProject } from '../../vitest.shared.js'

export default defineCairnProject('store-fs', { isolate: false })
