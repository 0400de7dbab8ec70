import { cairnPackage } from '../../tsup.config.base.js'

// The child processes and the reference optimizer module are entry points of their own: the
// suites spawn them by path (dist/process/*.js, dist/reference/optimizer-module.js).
export default cairnPackage({
  'process/store-child': 'src/process/store-child.ts',
  'process/session-child': 'src/process/session-child.ts',
  'process/trial-child': 'src/process/trial-child.ts',
  'reference/optimizer-module': 'src/reference/optimizer-module.ts',
})
