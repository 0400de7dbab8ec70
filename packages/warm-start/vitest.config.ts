import { defineCairnProject } from '../../vitest.shared.js'

export default defineCairnProject('warm-start', {
  isolate: false,
  childModules: ['test/fixtures/hash-examples.ts', 'test/fixtures/second-session.ts'],
})
