import { defineCairnProject } from '../../vitest.shared.js'

export default defineCairnProject('recovery')
