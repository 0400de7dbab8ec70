import { inject } from 'vitest'
import type {} from './vitest.children.js'

// Setup file of the projects whose tests start child processes (`childModules` in
// vitest.shared.ts): when those run the built packages, so do @cairn/testkit's own children
// (its store and session children run its `dist/` on plain Node instead of its sources through
// tsx; see `childrenFromSources` in packages/testkit/src/process/source-mode.ts).
if (inject('builtChildren') === null) delete process.env['CAIRN_TESTKIT_CHILDREN']
else process.env['CAIRN_TESTKIT_CHILDREN'] = 'built'
