import * as fs from 'node:fs'
import { copyFile, open, rename, readFile, unlink, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { InvalidInputError } from '@cairn/core'
import { PKG } from './layout.js'

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

const fsyncAsync = promisify(fs.fsync)

/**
 * Flushes a directory's entries (a rename or a new file inside it) to disk. No-op on Windows.
 * Opening and closing the directory are metadata calls of microseconds, made synchronously; only
 * the fsync goes through the thread pool (one round trip instead of three, see `SYNC_IO_MAX`).
 */
export async function fsyncDir(path: string): Promise<void> {
  if (process.platform === 'win32') return
  const fd = fs.openSync(path, 'r')
  try {
    await fsyncAsync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

let tmpSeq = 0

/**
 * Replaces `path` atomically: writes a temporary file in `staging`, fsyncs it, renames it over
 * `path`, and fsyncs `path`'s directory. A reader sees the old bytes or the new bytes, never a
 * mix. `staging` is the lock holder's own directory (see lock.ts), on the same filesystem:
 * once another process has revoked it, the rename fails and nothing is replaced.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array, durable: boolean, staging: string): Promise<void> {
  await writeFilesAtomic([{ path, bytes }], durable, staging)
}

/**
 * `writeFileAtomic` for several files of one directory: their temporary files are written and
 * fsynced together, each renamed as soon as it is fsynced and the ones before it renamed (so the
 * first is in place after its own fsync, not after every file's), and the directory fsynced
 * once. Each file is replaced atomically; a crash may leave some replaced and the rest not.
 */
export async function writeFilesAtomic(
  files: readonly { path: string; bytes: Uint8Array }[],
  durable: boolean,
  staging: string,
): Promise<void> {
  let renamed: Promise<unknown> = Promise.resolve()
  const steps = files.map(({ path, bytes }) => {
    const tmp = join(staging, `${basename(path)}.${process.pid}-${++tmpSeq}.tmp`)
    const written = (async () => {
      const fh = await open(tmp, 'w')
      try {
        await fh.writeFile(bytes)
        if (durable) await fh.sync()
      } finally {
        await fh.close()
      }
    })()
    const before = renamed
    renamed = Promise.all([written, before]).then(() => rename(tmp, path))
    return renamed
  })
  // Every step settled (none left running) before a failure is thrown.
  const outcomes = await Promise.allSettled(steps)
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')
  if (failed) throw failed.reason
  const first = files[0]
  if (durable && first) await fsyncDir(dirname(first.path))
}

/**
 * Replaces each of `files` atomically, in order, without any flush: its bytes are written to a
 * temporary file in `staging` and renamed over it (synchronously when small, see `SYNC_IO_MAX`:
 * microseconds in the page cache). A reader sees the old bytes or the new, never a mix, and a
 * process killed at any instant (SIGKILL) leaves each file old or new, since the page cache
 * outlives it; only a power cut or a kernel crash may lose a rename, or leave a renamed file
 * empty or partial — for files whose loss costs nothing lasting (see trial-slots.ts). Once
 * `staging` is revoked (see lock.ts), the renames fail and nothing is replaced.
 */
export async function replaceFilesUnflushed(files: readonly { path: string; bytes: Uint8Array }[], staging: string): Promise<void> {
  for (const { path, bytes } of files) {
    const tmp = join(staging, `${basename(path)}.${process.pid}-${++tmpSeq}.tmp`)
    if (bytes.byteLength <= SYNC_IO_MAX) fs.writeFileSync(tmp, bytes)
    else await writeFile(tmp, bytes)
    fs.renameSync(tmp, path)
  }
}

/**
 * Replaces `path` atomically by a copy of the first `length` bytes of `src` (all of it when
 * undefined), made in `staging` like `writeFileAtomic`: the result is a new inode, so writes
 * through descriptors still open on the old file no longer reach `path`. False when `src` does
 * not exist.
 */
export async function copyFileAtomic(
  src: string,
  path: string,
  length: number | undefined,
  durable: boolean,
  staging: string,
): Promise<boolean> {
  const tmp = join(staging, `${basename(path)}.${process.pid}-${++tmpSeq}.tmp`)
  try {
    await copyFile(src, tmp)
  } catch (err) {
    if (isMissing(err)) return false
    throw err
  }
  const fh = await open(tmp, 'r+')
  try {
    if (length !== undefined) await fh.truncate(length)
    if (durable) await fh.sync()
  } finally {
    await fh.close()
  }
  await rename(tmp, path)
  if (durable) await fsyncDir(dirname(path))
  return true
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

/** What kind of thing a non-directory is, for messages. */
export function kindOf(st: fs.Stats): string {
  if (st.isFile()) return 'a regular file'
  if (st.isCharacterDevice()) return 'a character device'
  if (st.isBlockDevice()) return 'a block device'
  if (st.isFIFO()) return 'a named pipe'
  if (st.isSocket()) return 'a socket'
  return 'not a directory'
}

/** The nearest existing path at or above `path`, with its stats. */
function nearestExisting(path: string): { path: string; stats: fs.Stats } {
  let p = path
  for (;;) {
    try {
      return { path: p, stats: fs.statSync(p) }
    } catch (err) {
      const up = dirname(p)
      if (!isMissing(err) || up === p) throw err
      p = up
    }
  }
}

/**
 * Throws `InvalidInputError` (field `dir`) unless `path` is a directory or could become one:
 * it must not be, or lie under, a file, a device or anything else that is not a directory.
 * Creates nothing.
 */
export function assertDirectoryPath(path: string): void {
  const found = nearestExisting(path)
  if (found.stats.isDirectory()) return
  const what = found.path === path ? `${path} is` : `${path} lies under ${found.path}, which is`
  throw new InvalidInputError(
    `${PKG} ${what} ${kindOf(found.stats)}, not a directory; a store needs a directory (nothing was created)`,
    'dir',
  )
}

/**
 * Creates `path` and its missing parents one level at a time (synchronously: metadata
 * operations) and returns the directories it created, topmost first. Node's own
 * `mkdir({ recursive: true })` spins for ever where a filesystem refuses with ENOENT although
 * the parent exists (`/proc`, `/sys`); here that, a file in the way, and a permission or
 * read-only error are `InvalidInputError` naming the directory.
 */
export function makeDirs(path: string): string[] {
  assertDirectoryPath(path)
  const missing: string[] = []
  for (let p = path; !fs.existsSync(p); p = dirname(p)) missing.unshift(p)
  for (const p of missing) {
    try {
      fs.mkdirSync(p)
    } catch (err) {
      const code = errorCode(err)
      if (code === 'EEXIST' && fs.statSync(p).isDirectory()) continue // made by someone else meanwhile
      if (code === 'EEXIST' || code === 'ENOTDIR') assertDirectoryPath(p)
      const why =
        code === 'ENOENT' ? 'the filesystem refuses to create directories there' : code === 'EROFS' ? 'the filesystem is read-only' : code
      if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
        throw new InvalidInputError(`${PKG} cannot create the directory ${p}: ${why} (${code}); a store needs a writable directory`, 'dir')
      throw err
    }
  }
  return missing
}

/** Creates a directory (and its parents, see `makeDirs`); with `durable`, fsyncs the parent of each new one. */
export async function ensureDir(path: string, durable: boolean): Promise<void> {
  const created = makeDirs(path)
  if (durable) for (const c of created) await fsyncDir(dirname(c))
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

/**
 * Writes `parts` one after the other from `position`, synchronously, in one `writev` call when
 * the kernel takes them whole (no copy into one buffer). For small writes (it blocks the event loop).
 */
export function writevAtSync(fd: number, parts: readonly Uint8Array[], position: number): void {
  let rest = parts.filter((p) => p.byteLength > 0)
  let at = position
  while (rest.length > 0) {
    let n = fs.writevSync(fd, rest as Uint8Array[], at)
    at += n
    // A short write: drop what was written and go on with the rest.
    while (rest.length > 0 && n >= rest[0]!.byteLength) {
      n -= rest[0]!.byteLength
      rest = rest.slice(1)
    }
    if (n > 0) rest = [rest[0]!.subarray(n), ...rest.slice(1)]
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
