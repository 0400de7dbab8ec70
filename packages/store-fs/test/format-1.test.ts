// Journals of format 1 (before the preamble and its floor): read as they are, held to the
// one-torn-record rule, and replaced by a format 2 journal at their next commit.
import diagnostics from 'node:diagnostics_channel'
import { cp, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { CHANNEL_NAMES, CheckpointCorruptError } from '@cairn/core'
import { createFsStore, type FsStore } from '../src/index.js'
import { advance, tempDir, trial } from './helpers.js'
import { flipped, records } from './journal-bytes.js'

const FIXTURE = fileURLToPath(new URL('./fixtures/format-1-store', import.meta.url))
const ID = 'v1-session'

let dir: string
let cleanup: () => Promise<void>
let store: FsStore
let dropped: unknown[]
const onDropped = (msg: unknown): void => {
  dropped.push(msg)
}

beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir())
  await cp(FIXTURE, dir, { recursive: true })
  store = createFsStore({ dir })
  dropped = []
  diagnostics.subscribe(CHANNEL_NAMES.storeDropped, onDropped)
})
afterEach(async () => {
  diagnostics.unsubscribe(CHANNEL_NAMES.storeDropped, onDropped)
  await store.close()
  await cleanup()
})

const journal = () => join(dir, 'sessions', ID, 'journal')
const upTo = (n: number) => Array.from({ length: n }, (_, i) => trial(i))

it('reads a format 1 store as it is: head, listing, folded and journal trials', async () => {
  const bytes = await readFile(journal())
  expect(bytes.subarray(0, 4).toString('latin1')).toBe('CFSJ')
  expect(await store.load(ID)).toMatchObject({ revision: 12, progress: { attempts: 12 }, lease: { owner: 'old-driver', expiresAt: 0 } })
  expect((await store.list()).items).toMatchObject([{ sessionId: ID, status: 'running', completed: 12 }])
  expect(await store.readTrials(ID)).toEqual(upTo(12))
  expect(await store.readTrials(ID, { from: 6, limit: 4 })).toEqual(upTo(10).slice(6))
})

it('its torn last record is dropped and reported; two damaged records at its end are corrupt', async () => {
  const good = await readFile(journal())
  const recs = records(good)
  const last = recs.at(-1)!
  await writeFile(journal(), flipped(good, last.offset + 100))
  expect((await store.load(ID)).revision).toBe(11)
  await store.acquireLease(ID, 'new-driver', 60_000)
  expect(dropped).toMatchObject([{ sessionId: ID, revision: 12, firstTrial: 11, trialCount: 1, cause: 'damaged' }])

  // No floor to compare with here: no single torn append explains two damaged records.
  const beforeLast = recs.at(-2)!
  await writeFile(journal(), flipped(flipped(good, last.offset + 100), beforeLast.offset + 100))
  const err = await store.load(ID).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(CheckpointCorruptError)
  expect((err as Error).message).toMatch(new RegExp(`session "${ID}".*byte ${beforeLast.offset} .*not the last one`))
})

it('its next commit replaces it by a format 2 journal (migration), every trial kept; then a cut journal is caught', async () => {
  const lease = await store.acquireLease(ID, 'new-driver', 60_000)
  const h = await store.load(ID)
  const next = advance(h, 1)
  await store.commit(ID, { expectedRevision: 12, fencingToken: lease.fencingToken, head: next, trials: [trial(12)] })
  const bytes = await readFile(journal())
  expect(bytes.subarray(0, 4).toString('latin1')).toBe('CFSH')
  expect(records(bytes)).toMatchObject([{ revision: 13, base: 13, firstTrial: 13, trialCount: 0, generation: 2 }])
  expect(await store.readTrials(ID)).toEqual(upTo(13))
  expect((await store.load(ID)).revision).toBe(13)

  let cur = { ...next, revision: 13 }
  for (let i = 13; i < 16; i++) {
    const n = advance(cur, 1)
    const r = await store.commit(ID, { expectedRevision: cur.revision, fencingToken: lease.fencingToken, head: n, trials: [trial(i)] })
    cur = { ...n, revision: r.revision }
  }
  const now = await readFile(journal())
  await writeFile(journal(), now.subarray(0, records(now)[1]!.offset + 10))
  await expect(store.load(ID)).rejects.toThrow(/revision 15 .*was committed/)
})
