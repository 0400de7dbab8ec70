import { cp, readdir, readFile, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { isCairnError, type TrialRecord } from '@cairn/core'
import { createLevelStore } from '../src/index.js'

/** Copies a database directory to `to` (a scratch copy to damage). */
export async function copyDatabase(from: string, to: string): Promise<string> {
  await cp(from, to, { recursive: true })
  return to
}

/** The one file of a database directory whose name matches `pattern`. */
export async function fileOf(dir: string, pattern: RegExp): Promise<string> {
  const names = (await readdir(dir)).filter((n) => pattern.test(n))
  if (names.length !== 1) throw new Error(`expected one file matching ${pattern} in ${dir}, found ${names.join(', ') || 'none'}`)
  return join(dir, names[0] as string)
}

/** Flips one bit of a file. */
export async function flipBit(path: string, byte: number, bit: number): Promise<void> {
  const bytes = await readFile(path)
  bytes[byte] = (bytes[byte] as number) ^ (1 << bit)
  await writeFile(path, bytes)
}

/** Cuts a file to `length` bytes. */
export async function cutTo(path: string, length: number): Promise<void> {
  await truncate(path, length)
}

/** The outcome of reading a session back: damage reported, the intact session, or what went wrong. */
export type ReadBack = { outcome: 'corrupt'; message: string } | { outcome: 'intact' } | { outcome: 'wrong'; what: string }

/**
 * Opens a store on `location` and reads session `id` back (head and trial log). The promise
 * of the store: it reports `CheckpointCorruptError`, or returns the session exactly as written
 * (`completed`, with `trials`) — never fewer trials, never an earlier status.
 */
export async function readBack(location: string, id: string, trials: readonly TrialRecord[]): Promise<ReadBack> {
  const store = createLevelStore({ location })
  try {
    await store.open()
    const head = await store.load(id)
    const got = await store.readTrials(id)
    const intact = head.status === 'completed' && head.progress.attempts === trials.length && isDeepStrictEqual(got, trials)
    return intact ? { outcome: 'intact' } : { outcome: 'wrong', what: `${head.status} with ${got.length} of ${trials.length} trials` }
  } catch (err) {
    if (isCairnError(err, 'CHECKPOINT_CORRUPT')) return { outcome: 'corrupt', message: err.message }
    return { outcome: 'wrong', what: `${(err as Error).name}: ${(err as Error).message}` }
  } finally {
    await store.close().catch(() => undefined)
  }
}
