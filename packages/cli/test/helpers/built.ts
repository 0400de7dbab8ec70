/**
 * Makes sure every package's `dist/` is built from its current sources (`pnpm build` when one is
 * missing or stale; CI builds everything before testing), so a test of the built CLI never runs a
 * stale or missing build. Throws with the build's output when it fails.
 */
export { ensureBuilt } from '../../../../vitest.builds.js'
