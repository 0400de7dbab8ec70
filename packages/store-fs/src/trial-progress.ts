import { mkdirSync } from 'node:fs'
import { open, readFile, readdir, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { LeaseLostError } from '@cairn/core'
import type { StoredTrialProgress } from '@cairn/core'
import { errorCode, fsyncDir, isMissing, unlinkIfExists } from './io.js'
import { PKG, type Layout } from './layout.js'
import { checkSaveTrialProgress, checkTrialProgressTarget } from './progress-input.js'
import { decodeProgressFile, encodeProgressHeader, isProgressFileOf, parseProgressFileName, progressFileName } from './progress-file.js'

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
 * (see progress-file.ts). A save writes a temporary file beside it, fsyncs it, renames it into
 * place and fsyncs the directory — one durable write, like the store's other atomic replaces —
 * then removes the trial's files of lower tokens. A crash leaves the previous save (and at
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
    this.o.mustExist(id)
    const dir = await this.ensureDir(id)
    const saved = await this.savedTokens(dir, trialIdx)
    const highest = Math.max(0, ...saved)
    if (token < highest)
      throw new LeaseLostError(id, `trial ${trialIdx}'s progress was saved with token ${highest}; a save with token ${token} is refused`)

    const name = progressFileName(trialIdx, token)
    const tmp = join(dir, `${name}.${process.pid}-${++tmpSeq}.tmp`)
    const fh = await open(tmp, 'w')
    try {
      await fh.write(encodeProgressHeader(trialIdx, token, bytes))
      await fh.writeFile(bytes) // from the current position, every byte
      if (this.o.durable) await fh.datasync()
    } finally {
      await fh.close()
    }
    try {
      await rename(tmp, join(dir, name))
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
    checkTrialProgressTarget(id, trialIdx)
    this.o.assertStoreExists(id)
    this.o.mustExist(id)
    const dir = this.o.layout.progressDir(id)
    // A save of a higher token may remove the file found here before it is read: look again.
    for (;;) {
      const token = Math.max(0, ...(await this.savedTokens(dir, trialIdx)))
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
    checkTrialProgressTarget(id, trialIdx)
    this.o.assertStoreExists(id)
    this.o.mustExist(id)
    const dir = this.o.layout.progressDir(id)
    const names = (await listDir(dir)).filter((n) => isProgressFileOf(n, trialIdx))
    for (const n of names) await unlinkIfExists(join(dir, n))
    if (names.length > 0 && this.o.durable) await fsyncDir(dir).catch((err: unknown) => (isMissing(err) ? undefined : Promise.reject(err)))
  }

  /** The tokens of the trial's saves present in `dir`. */
  private async savedTokens(dir: string, trialIdx: number): Promise<number[]> {
    const tokens: number[] = []
    for (const n of await listDir(dir)) {
      const parsed = parseProgressFileName(n)
      if (parsed?.trialIdx === trialIdx) tokens.push(parsed.token)
    }
    return tokens
  }

  /** The session's progress directory, created when missing (never its parents: a deleted session must not come back). */
  private async ensureDir(id: string): Promise<string> {
    const l = this.o.layout
    const dir = l.progressDir(id)
    try {
      mkdirSync(dir)
    } catch (err) {
      if (errorCode(err) === 'EEXIST') return dir
      throw isMissing(err) ? this.o.missing(id) : err
    }
    if (this.o.durable) await fsyncDir(l.sessionDir(id))
    return dir
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
