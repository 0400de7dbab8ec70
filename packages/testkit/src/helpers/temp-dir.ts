import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A new empty directory under the OS temp dir (`cairn-testkit-*`). Remove it with `removeDir`. */
export async function tempDir(prefix = 'cairn-testkit-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix))
}

/** Removes a directory and everything in it; no error if it is already gone. */
export async function removeDir(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true, maxRetries: 3 })
}
