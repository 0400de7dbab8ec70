import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach } from 'vitest'

/**
 * Gives every test of the file a fresh directory under the OS temp dir (`<prefix>*`), handed to
 * `use` before the test and removed after it.
 */
export function tempDirEachTest(prefix: string, use: (dir: string) => void): void {
  let dir: string | undefined
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix))
    use(dir)
  })
  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
    dir = undefined
  })
}
