import * as fs from 'node:fs'
import { open, rename, mkdir, readFile, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { promisify } from 'node:util'

/**
 * Reads and writes up to this many bytes are done synchronously. On a local disk they hit the
 * page cache and take microseconds, whereas a round trip through libuv's thread pool costs
 * 50–300 µs on a busy machine (and waits behind other fsyncs): on the commit path that would
 * cost more than the one fdatasync the commit needs. Bigger transfers and every fsync stay
 * asynchronous, so the event loop is never blocked for long.
 */
export const SYNC_IO_MAX = 64 * 1024

const readAsync = promisify(fs.read)
const writeAsync = promisify(fs.write)
const datasyncAsync = promisify(fs.fdatasync)

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

/** Opens `path` with `flags` (synchronously: a metadata operation); undefined when it does not exist. */
export function openIfExists(path: string, flags: string): number | undefined {
  try {
    return fs.openSync(path, flags)
  } catch (err) {
    if (isMissing(err)) return undefined
    throw err
  }
}

/** Closes a file descriptor, ignoring errors (it is only ever read or already synced). */
export function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd)
  } catch {
    // nothing to do
  }
}

/** The size of an open file. */
export function sizeOf(fd: number): number {
  return fs.fstatSync(fd).size
}

/** Reads `length` bytes at `position`; fewer when the file ends first. */
export async function readAt(fd: number, length: number, position: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length)
  let done = 0
  while (done < length) {
    const n =
      length <= SYNC_IO_MAX
        ? fs.readSync(fd, buf, done, length - done, position + done)
        : (await readAsync(fd, buf, done, length - done, position + done)).bytesRead
    if (n === 0) break
    done += n
  }
  return done === length ? buf : buf.subarray(0, done)
}

/** Writes all of `bytes` at `position`. */
export async function writeAt(fd: number, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0
  while (done < bytes.length) {
    const n =
      bytes.length <= SYNC_IO_MAX
        ? fs.writeSync(fd, bytes, done, bytes.length - done, position + done)
        : (await writeAsync(fd, bytes, done, bytes.length - done, position + done)).bytesWritten
    done += n
  }
}

/** fdatasync: flushes the file's data and the metadata needed to read it back (its size), not its times. */
export function datasync(fd: number): Promise<void> {
  return datasyncAsync(fd)
}

/** Removes a file synchronously; true when it existed. */
export function unlinkSyncIfExists(path: string): boolean {
  try {
    fs.unlinkSync(path)
    return true
  } catch (err) {
    if (isMissing(err)) return false
    throw err
  }
}
