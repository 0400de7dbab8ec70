import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

/** LevelDB's text logs and lock file, which it rewrites on every attempt to open a database. */
const DIAGNOSTICS = new Set(['LOG', 'LOG.old', 'LOCK'])

/**
 * Every file of a directory (not recursive) but LevelDB's text logs and lock, with a hash of
 * its bytes: equal snapshots mean no data was written.
 */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  if (!existsSync(dir)) return out
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!e.isFile() || DIAGNOSTICS.has(e.name)) continue
    out[e.name] = createHash('sha256')
      .update(await readFile(join(dir, e.name)))
      .digest('hex')
  }
  return out
}
