import { defineCairnProject } from '../../vitest.shared.js'

export default defineCairnProject('store-level', {
  isolate: false,
  childModules: ['commit-loop.ts', 'completed-session.ts', 'drive-session.ts', 'open-store.ts'].map((f) => `test/fixtures/${f}`),
})
