import { defineCairnProject } from '../../vitest.shared.js'

export default defineCairnProject('optimizers', { isolate: false })
