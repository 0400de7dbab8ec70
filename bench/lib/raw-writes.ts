/**
 * The raw writes the store benchmarks compare with: what the same bytes cost written durably
 * with no store around them.
 */
import { open, rename } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** A `level` database, as far as the benchmarks use it. */
export interface RawLevel {
  open(): Promise<void>
  put(key: string, value: Uint8Array, options: { sync: boolean }): Promise<void>
  close(): Promise<void>
}

// `level` is a dependency of @cairn/store-level, not of the repository root.
const requireFromLevelStore = createRequire(fileURLToPath(new URL('../../packages/store-level/package.json', import.meta.url)))

/** The `level` package's constructor (the copy @cairn/store-level uses). */
export const Level = (requireFromLevelStore('level') as { Level: new (location: string, options: object) => RawLevel }).Level

/** One raw durable write of `bytes` (resolves when it is on disk). */
export type RawWrite = (bytes: Uint8Array) => Promise<void>

/** An atomic durable replace of one file in `dir`: temp file, write, fdatasync, rename, fsync of the directory. */
export function rawFsWrite(dir: string): RawWrite {
  return async (bytes) => {
    const tmp = join(dir, 'raw.tmp')
    const fh = await open(tmp, 'w')
    await fh.writeFile(bytes)
    await fh.datasync()
    await fh.close()
    await rename(tmp, join(dir, 'raw.bin'))
    const d = await open(dir, 'r')
    await d.sync()
    await d.close()
  }
}

/** A `level` database at `location` whose writes are one `put` with `sync: true` each. */
export async function openRawLevel(location: string): Promise<{ write: RawWrite; close(): Promise<void> }> {
  const db = new Level(location, { keyEncoding: 'utf8', valueEncoding: 'view' })
  await db.open()
  return { write: (bytes) => db.put('raw', bytes, { sync: true }), close: () => db.close() }
}
