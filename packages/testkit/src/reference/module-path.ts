import { fileURLToPath } from 'node:url'
import { childrenFromSources, SOURCE_MODE } from '../process/source-mode.js'

/**
 * Absolute path of the module that builds `referenceOptimizer()` in a child process
 * (`.ts` when the children run from sources, `.js` from `dist/`), for `describeOptimizer`'s `optimizerModule`.
 */
export function referenceOptimizerModule(): string {
  if (childrenFromSources()) return fileURLToPath(new URL('./optimizer-module.ts', import.meta.url))
  return fileURLToPath(
    SOURCE_MODE
      ? new URL('../../dist/reference/optimizer-module.js', import.meta.url)
      : new URL('./reference/optimizer-module.js', import.meta.url),
  )
}
