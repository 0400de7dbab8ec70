import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach } from 'vitest'

/**
 * A fresh directory under the OS temp dir for each test of the calling file, handed to `set`
 * before the test and removed after it (after the file's own `afterEach` hooks, which vitest
 * runs first). For the store packages' tests: `tempDirEachTest((d) => { dir = d })`.
 */
export function tempDirEachTest(set: (dir: string) => void, prefix = 'cairn-test-'): void {
  let current: string | undefined
  beforeEach(async () => {
    current = await mkdtemp(join(tmpdir(), prefix))
    set(current)
  })
  afterEach(async () => {
    if (current !== undefined) await rm(current, { recursive: true, force: true })
    current = undefined
  })
}
