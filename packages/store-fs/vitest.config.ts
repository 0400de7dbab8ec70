import { defineCairnProject } from '../../vitest.shared.js'

export default defineCairnProject('store-fs', {
  isolate: false,
  childModules: [
    'cas-worker.ts',
    'drive-session.ts',
    'hold-lock.ts',
    'open-store.ts',
    'slot-worker.ts',
    'stall-claim.ts',
    'stall-commit.ts',
  ].map((f) => `test/fixtures/${f}`),
})
