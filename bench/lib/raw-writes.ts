/**
 * The raw writes the store benchmarks compare with: what the same bytes cost written durably
 * with no store around them.
 */
import { closeSync, fdatasync, fsync, openSync, renameSync, writeSync } from 'node:fs'
import { open, rename } from 'node:fs/promises'
import { promisify } from 'node:util'
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

const fdatasyncAsync = promisify(fdatasync)
const fsyncAsync = promisify(fsync)

/**
 * The same atomic durable replace as `rawFsWrite` with the fewest thread-pool round trips: open,
 * write, close and rename are synchronous calls (microseconds on a local disk), only the
 * fdatasync of the file and the fsync of the directory go through the thread pool. The stricter
 * bar for a store's write of small files.
 */
export function rawFsWriteLean(dir: string): RawWrite {
  return async (bytes) => {
    const tmp = join(dir, 'raw-lean.tmp')
    const fd = openSync(tmp, 'w')
    try {
      writeSync(fd, bytes)
      await fdatasyncAsync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, join(dir, 'raw-lean.bin'))
    const d = openSync(dir, 'r')
    try {
      await fsyncAsync(d)
    } finally {
      closeSync(d)
    }
  }
}

/** A `level` database at `location` whose writes are one `put` with `sync: true` each. */
export async function openRawLevel(location: string): Promise<{ write: RawWrite; close(): Promise<void> }> {
  const db = new Level(location, { keyEncoding: 'utf8', valueEncoding: 'view' })
  await db.open()
  return { write: (bytes) => db.put('raw', bytes, { sync: true }), close: () => db.close() }
}
