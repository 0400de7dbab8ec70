/**
 * Test hooks: reach under the store's API to simulate damage. Never use them on data you care about.
 * @module
 */
import { readFile, writeFile } from 'node:fs/promises'
import type { FsStore } from './fs-store.js'
import { HEADER_BYTES } from './journal.js'
import { Layout } from './layout.js'
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
