import { defineCairnProject } from '../../vitest.shared.js'

export default defineCairnProject('testkit', {
  isolate: false,
  childModules: ['test/fixtures/toy-fs-store.ts', 'test/fixtures/toy-progress-store.ts'],
})
