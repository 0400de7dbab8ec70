/**
 * Test hooks of `@cairn/store-fs` (`@cairn/store-fs/testing`): they reach under the store's API
 * to simulate damage or hold a writer at its most dangerous instant, for tests of this package
 * and of code built on it. Never use them on data you care about.
 *
 * @packageDocumentation
 */
import { readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { FsStore } from './fs-store.js'
import { beforeCommitWrite, beforeSlotWrite } from './hooks.js'
import { HEADER_BYTES } from './journal.js'
import { Layout } from './layout.js'
import { parseProgressFileName, PROGRESS_HEADER_BYTES } from './progress-file.js'
import { walkJournal } from './salvage.js'

/**
 * Flips one byte in the middle of the head section of the last record of a session's journal
 * (bit rot in the head alone: the record's trials and listing block stay intact). Returns how
 * many records the journal holds: with one, nothing older is left to read and the head is
 * damaged for good (`load` throws `CheckpointCorruptError`).
 */
export async function damageHead(store: FsStore, sessionId: string): Promise<{ records: number }> {
  const path = new Layout(store.dir).journal(sessionId)
  const bytes = await readFile(path)
  const { records, problem } = walkJournal(bytes, path)
  const last = records?.[records.length - 1]
  if (!records || !last) throw new Error(`[@cairn/store-fs] damageHead: the journal of "${sessionId}" is not intact (${problem})`)
  const at = last.offset + HEADER_BYTES + last.trialsLength + last.listingLength + Math.floor(last.headLength / 2)
  bytes[at] = (bytes[at] as number) ^ 0x20
  await writeFile(path, bytes)
  return { records: records.length }
}

/**
 * Flips one byte in the middle of the latest progress save of trial `trialIdx` of a session
 * (bit rot after the save): `loadTrialProgress` then throws `CheckpointCorruptError`.
 */
export async function damageTrialProgress(store: FsStore, sessionId: string, trialIdx: number): Promise<void> {
  const dir = new Layout(store.dir).progressDir(sessionId)
  const tokens = (await readdir(dir)).flatMap((n) => {
    const p = parseProgressFileName(n)
    return p?.trialIdx === trialIdx ? [p.token] : []
  })
  if (tokens.length === 0) throw new Error(`[@cairn/store-fs] damageTrialProgress: trial ${trialIdx} of "${sessionId}" has no progress`)
  const path = join(dir, `${trialIdx}-${Math.max(...tokens)}.bin`)
  const bytes = await readFile(path)
  const at = PROGRESS_HEADER_BYTES + Math.floor((bytes.length - PROGRESS_HEADER_BYTES) / 2)
  bytes[at] = (bytes[at] as number) ^ 0x20
  await writeFile(path, bytes)
}

/** A commit held inside its critical section by `holdNextCommit`. */
export interface HeldCommit {
  /** Resolves once the commit holds the session's lock and every check has passed, just before it writes. */
  reached: Promise<void>
  /** Lets the commit go on. */
  release(): void
}

/**
 * Holds `store`'s next commit inside its critical section — the session's lock taken, the
 * revision and fencing token checked, nothing written yet — until `release()` is called: the
 * instant at which a stopped or stalled writer is most dangerous.
 */
export function holdNextCommit(store: FsStore): HeldCommit {
  return hold(beforeCommitWrite, store)
}

/**
 * Holds `store`'s next trial-slot write (a claim, renewal or report) inside the session's slot
 * lock — the slot read and checked, nothing written yet — until `release()` is called.
 */
export function holdNextSlotWrite(store: FsStore): HeldCommit {
  return hold(beforeSlotWrite, store)
}

function hold(hooks: WeakMap<object, () => Promise<void>>, store: FsStore): HeldCommit {
  let reached!: () => void
  let release!: () => void
  const reachedP = new Promise<void>((resolve) => (reached = resolve))
  const released = new Promise<void>((resolve) => (release = resolve))
  hooks.set(store, () => {
    reached()
    return released
  })
  return { reached: reachedP, release }
}
