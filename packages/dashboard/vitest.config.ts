import { defineCairnProject } from '../../vitest.shared.js'

export default defineCairnProject('dashboard', {})
