import { closeSync, mkdirSync, openSync, readdirSync, renameSync } from 'node:fs'
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { LeaseLostError } from '@cairn/core'
import type { StoredTrialProgress } from '@cairn/core'
import { SYNC_IO_MAX, datasync, errorCode, fsyncDir, isMissing, unlinkIfExists, writeAt, writevAtSync } from './io.js'
import { PKG, type Layout } from './layout.js'
import { checkSaveTrialProgress, checkTrialProgressArgs } from '@cairn/core/store-kit'
import {
  decodeProgressFile,
  encodeProgressFraming,
  encodeProgressHeader,
  encodeProgressTrailer,
  isProgressFileOf,
  parseProgressFileName,
  progressFileName,
} from './progress-file.js'

/** What trial progress needs from the store it belongs to. */
export interface FsTrialProgressOptions {
  layout: Layout
  durable: boolean
  assertOpen(): void
  /** Throws `NotFoundError` when the store holds no sessions at all. */
  assertStoreExists(id: string): void
  /** Throws `NotFoundError` unless the session exists. */
  mustExist(id: string): void
  /** The error for a session that does not exist. */
  missing(id: string): Error
}

let tmpSeq = 0

/**
 * Trial progress (`saveTrialProgress` …): one file per save, `sessions/<id>/progress/<trialIdx>-<token>.bin`
 * (see progress-file.ts). A save writes a temporary file beside it, fdatasyncs it, renames it into
 * place and fsyncs the directory — one durable write, like the store's other atomic replaces —
 * then removes the trial's files of lower tokens. Only the two syncs go through the thread pool:
 * opening, writing (up to `SYNC_IO_MAX` bytes), closing and renaming are synchronous calls of
 * microseconds (see io.ts), and the checks (the session exists, the fence) are made while the
 * fdatasync runs, so a save costs what the raw durable replace of its bytes costs. A crash leaves the previous save (and at
 * worst a temporary file, removed with the trial's progress). Takes no lock: the token is the
 * fence. A save is refused when a file of a higher token is present; a load reads the file of
 * the highest token. `delete(session)` moves the whole session directory away, progress included.
 */
export class FsTrialProgress {
  constructor(private readonly o: FsTrialProgressOptions) {}

  async save(id: string, trialIdx: number, token: number, bytes: Uint8Array): Promise<void> {
    this.o.assertOpen()
    checkSaveTrialProgress(id, trialIdx, token, bytes)
    this.o.assertStoreExists(id)
    const dir = this.o.layout.progressDir(id)
    const name = progressFileName(trialIdx, token)
    const tmp = join(dir, `${name}.${process.pid}-${++tmpSeq}.tmp`)
    const fd = await this.openTemp(id, dir, tmp)
    let saved: number[] = []
    try {
      await writeProgressFile(fd, trialIdx, token, bytes)
      const synced = this.o.durable ? datasync(fd) : undefined
      // While the thread pool syncs the bytes, this thread makes the checks (synchronous metadata
      // reads of microseconds), as close to the rename as they can be: the session still exists,
      // and no save of a higher token is present (the fence).
      let refused: { err: unknown } | undefined
      try {
        this.o.mustExist(id)
        saved = this.savedTokens(dir, trialIdx)
        const highest = Math.max(0, ...saved)
        if (token < highest)
          throw new LeaseLostError(
            id,
            `trial ${trialIdx}'s progress was saved with token ${highest}; a save with token ${token} is refused`,
          )
      } catch (err) {
        refused = { err }
      }
      if (refused) {
        await synced?.catch(() => undefined)
        throw refused.err
      }
      await synced
    } catch (err) {
      closeSync(fd)
      await unlinkIfExists(tmp).catch(() => undefined)
      throw err
    }
    closeSync(fd)
    try {
      renameSync(tmp, join(dir, name))
    } catch (err) {
      await unlinkIfExists(tmp).catch(() => undefined)
      throw isMissing(err) ? this.o.missing(id) : err
    }
    if (this.o.durable) await fsyncDir(dir)
    // The new save is durable: the older ones can go (a crash before this leaves them, unread).
    for (const older of saved) if (older < token) await unlinkIfExists(join(dir, progressFileName(trialIdx, older)))
  }

  async load(id: string, trialIdx: number): Promise<StoredTrialProgress | null> {
    this.o.assertOpen()
    checkTrialProgressArgs(id, trialIdx)
    this.o.assertStoreExists(id)
    this.o.mustExist(id)
    const dir = this.o.layout.progressDir(id)
    // A save of a higher token may remove the file found here before it is read: look again.
    for (;;) {
      const token = Math.max(0, ...this.savedTokens(dir, trialIdx))
      if (token === 0) {
        this.o.mustExist(id)
        return null
      }
      const path = join(dir, progressFileName(trialIdx, token))
      let file: Uint8Array
      try {
        file = await readFile(path)
      } catch (err) {
        if (isMissing(err)) {
          this.o.mustExist(id)
          continue
        }
        throw err
      }
      const what = `${PKG} progress of trial ${trialIdx} of session "${id}" (${path})`
      return { token, bytes: decodeProgressFile(file, trialIdx, token, what) }
    }
  }

  async delete(id: string, trialIdx: number): Promise<void> {
    this.o.assertOpen()
    checkTrialProgressArgs(id, trialIdx)
    this.o.assertStoreExists(id)
    this.o.mustExist(id)
    const dir = this.o.layout.progressDir(id)
    const names = (await listDir(dir)).filter((n) => isProgressFileOf(n, trialIdx))
    for (const n of names) await unlinkIfExists(join(dir, n))
    if (names.length > 0 && this.o.durable) await fsyncDir(dir).catch((err: unknown) => (isMissing(err) ? undefined : Promise.reject(err)))
  }

  /** The tokens of the trial's saves present in `dir` (read synchronously: one small directory, a metadata read). */
  private savedTokens(dir: string, trialIdx: number): number[] {
    const tokens: number[] = []
    for (const n of listDirSync(dir)) {
      const parsed = parseProgressFileName(n)
      if (parsed?.trialIdx === trialIdx) tokens.push(parsed.token)
    }
    return tokens
  }

  /**
   * Opens the save's temporary file in the session's progress directory; when the directory is
   * missing, checks that the session exists and creates it (never its parents: a deleted
   * session must not come back), then opens again. The usual save finds it: one `open`.
   */
  private async openTemp(id: string, dir: string, tmp: string): Promise<number> {
    try {
      return openSync(tmp, 'w')
    } catch (err) {
      if (!isMissing(err)) throw err
    }
    this.o.mustExist(id)
    try {
      mkdirSync(dir)
      if (this.o.durable) await fsyncDir(this.o.layout.sessionDir(id))
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') throw isMissing(err) ? this.o.missing(id) : err
    }
    try {
      return openSync(tmp, 'w')
    } catch (err) {
      throw isMissing(err) ? this.o.missing(id) : err
    }
  }
}

/**
 * Saves up to this many bytes are written with one synchronous `writev`. A save is followed by
 * an fdatasync that costs milliseconds, and a thread-pool round trip costs 50–300 µs on a busy
 * machine, more than copying 1 MiB into the page cache; so a checkpoint blocks the event loop a
 * little longer than the store's other writes (`SYNC_IO_MAX`) to stay one durable write.
 */
const PROGRESS_SYNC_WRITE_MAX = 16 * SYNC_IO_MAX

/**
 * Writes a progress file at the start of `fd`: header, bytes, trailer. Up to
 * `PROGRESS_SYNC_WRITE_MAX` bytes in one synchronous write; larger, the bytes are written by the
 * thread pool while this thread computes their checksum, so the checksum costs (nearly) nothing
 * on top of the write.
 */
async function writeProgressFile(fd: number, trialIdx: number, token: number, bytes: Uint8Array): Promise<void> {
  if (bytes.byteLength <= PROGRESS_SYNC_WRITE_MAX) {
    const { header, trailer } = encodeProgressFraming(trialIdx, token, bytes)
    writevAtSync(fd, [header, bytes, trailer], 0)
    return
  }
  const header = encodeProgressHeader(trialIdx, token, bytes.byteLength)
  await writeAt(fd, header, 0)
  const writing = writeAt(fd, bytes, header.length)
  let trailer: Buffer
  try {
    trailer = encodeProgressTrailer(bytes)
  } finally {
    await writing
  }
  await writeAt(fd, trailer, header.length + bytes.byteLength)
}

/** A directory's names, read synchronously; none when it does not exist. */
function listDirSync(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch (err) {
    if (isMissing(err)) return []
    throw err
  }
}

/** A directory's names; none when it does not exist. */
async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir)
  } catch (err) {
    if (isMissing(err)) return []
    throw err
  }
}
