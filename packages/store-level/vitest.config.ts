import { defineCairnProject } from '../../vitest.shared.js'

export default defineCairnProject('store-level', {
  isolate: false,
  childModules: [
    'commit-loop.ts',
    'completed-session.ts',
    'drive-gated.ts',
    'drive-session.ts',
    'open-store.ts',
    'progress-loop.ts',
    'read-through.ts',
  ].map((f) => `test/fixtures/${f}`),
})
