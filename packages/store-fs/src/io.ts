import { open, rename, mkdir, readFile, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'

/** A Node system error code (`ENOENT`, `EEXIST`, ...), or undefined. */
export function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined
}

/** True when `err` is ENOENT (or ENOTDIR: a path component is missing). */
export function isMissing(err: unknown): boolean {
  const code = errorCode(err)
  return code === 'ENOENT' || code === 'ENOTDIR'
}

/** Flushes a directory's entries (a rename or a new file inside it) to disk. No-op on Windows. */
export async function fsyncDir(path: string): Promise<void> {
  if (process.platform === 'win32') return
  const fh = await open(path, 'r')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}

/**
 * Replaces `path` atomically: writes `path + suffix`, fsyncs it, renames it over `path`, and
 * fsyncs the directory. A reader sees the old bytes or the new bytes, never a mix. The caller
 * holds the lock that makes the temporary name its own.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array, durable: boolean, suffix = '.tmp'): Promise<void> {
  const tmp = path + suffix
  const fh = await open(tmp, 'w')
  try {
    await fh.writeFile(bytes)
    if (durable) await fh.sync()
  } finally {
    await fh.close()
  }
  await rename(tmp, path)
  if (durable) await fsyncDir(dirname(path))
}

/** The file's bytes, or undefined when it does not exist. */
export async function readIfExists(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path)
  } catch (err) {
    if (isMissing(err)) return undefined
    throw err
  }
}

/** Removes a file; true when it existed. */
export async function unlinkIfExists(path: string): Promise<boolean> {
  try {
    await unlink(path)
    return true
  } catch (err) {
    if (isMissing(err)) return false
    throw err
  }
}

/** Creates a directory (and its parents); with `durable`, fsyncs the parent of each new one. */
export async function ensureDir(path: string, durable: boolean): Promise<void> {
  const first = await mkdir(path, { recursive: true })
  if (first === undefined || !durable) return
  // `first` is the topmost directory created: flush it and every new one below it into its parent.
  let p = path
  const created: string[] = []
  while (p.length >= first.length) {
    created.push(p)
    const up = dirname(p)
    if (up === p) break
    p = up
  }
  for (const c of created) await fsyncDir(dirname(c))
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
