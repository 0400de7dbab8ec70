import { fileURLToPath } from 'node:url'

const SOURCE_MODE = import.meta.url.endsWith('.ts')

/**
 * Absolute path of the module that builds `referenceOptimizer()` in a child process
 * (`.ts` from sources, `.js` from `dist/`), for `describeOptimizer`'s `optimizerModule`.
 */
export function referenceOptimizerModule(): string {
  return fileURLToPath(
    SOURCE_MODE ? new URL('./optimizer-module.ts', import.meta.url) : new URL('./reference/optimizer-module.js', import.meta.url),
  )
}
