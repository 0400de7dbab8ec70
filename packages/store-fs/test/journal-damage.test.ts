// A damaged journal: a torn or damaged LAST record is dropped and reported (its bytes kept);
// damage anywhere else is CheckpointCorruptError, never a silent rollback.
import diagnostics from 'node:diagnostics_channel'
import { readFile, readdir, stat, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CheckpointCorruptError, type CheckpointHead } from '@cairn/core'
import { createFsStore, type FsStore } from '../src/index.js'
import { advance, newHead, tempDir, trial } from './helpers.js'
import { flipped, records } from './journal-bytes.js'

let dir: string
let cleanup: () => Promise<void>
let store: FsStore
let dropped: Array<Record<string, unknown>>
const onDropped = (msg: unknown): void => {
  dropped.push(msg as Record<string, unknown>)
}
/** The channel's name, spelled out: a store that does not publish on it fails these tests. */
const DROPPED = 'cairn:store:dropped'

beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir())
  store = createFsStore({ dir })
  dropped = []
  diagnostics.subscribe(DROPPED, onDropped)
})
afterEach(async () => {
  diagnostics.unsubscribe(DROPPED, onDropped)
  await store.close()
  await cleanup()
})

const journalOf = (id: string) => join(dir, 'sessions', id, 'journal')

/** A session with `n` commits of one trial each (revision n, trials 0 … n-1); returns its head. */
async function session(id: string, n: number, s: FsStore = store): Promise<CheckpointHead> {
  await s.create(newHead(id))
  let h = await s.load(id)
  for (let i = 0; i < n; i++) h = await commitOne(s, h)
  return h
}

async function commitOne(s: FsStore, h: CheckpointHead): Promise<CheckpointHead> {
  const next = advance(h, 1)
  const { revision } = await s.commit(h.sessionId, {
    expectedRevision: h.revision,
    fencingToken: 1,
    head: next,
    trials: [trial(h.progress.attempts)],
  })
  return { ...next, revision }
}

/**
 * Every way a reader or writer can look at the session fails with CheckpointCorruptError naming
 * what `pattern` says; the bytes stay. The lease can still be taken (holding it is how a
 * damaged head is salvaged and replaced): that leaves the journal as it is, and a commit under
 * it is refused all the same.
 */
async function expectCorrupt(id: string, pattern: RegExp): Promise<void> {
  const before = await readFile(journalOf(id))
  const lease = await store.acquireLease(id, 'creator', 1000)
  expect((await readFile(journalOf(id))).equals(before)).toBe(true)
  const h = { ...newHead(id), revision: 99 }
  for (const call of [
    () => store.load(id),
    () => store.readTrials(id),
    () => store.requestControl(id, 'pause'),
    () => store.commit(id, { expectedRevision: 99, fencingToken: lease.fencingToken, head: advance(h, 0), trials: [] }),
  ]) {
    const err = await call().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CheckpointCorruptError)
    expect((err as Error).message).toMatch(pattern)
  }
  expect((await store.list()).items).toMatchObject([{ sessionId: id, status: 'corrupt' }])
  expect((await readFile(journalOf(id))).equals(before)).toBe(true)
  expect(dropped).toEqual([])
}

describe('a damaged or torn last record', () => {
  it('a byte flipped anywhere in the last record: read as of the record before; the next writer drops it, reports it and keeps its bytes', async () => {
    const good = await (async () => {
      await session('a', 5)
      return readFile(journalOf('a'))
    })()
    const last = records(good).at(-1)!
    expect(last).toMatchObject({ revision: 5, firstTrial: 4, trialCount: 1 })
    const inside = [0, 20, 100, last.length >> 1, last.length - 30, last.length - 5].map((k) => last.offset + k)
    for (const at of inside) {
      dropped = []
      await writeFile(journalOf('a'), flipped(good, at))
      // Lock-free readers see the commit before, and report nothing: they cannot tell a damaged
      // record from one being appended right now.
      expect((await store.load('a')).revision).toBe(4)
      expect((await store.readTrials('a')).map((t) => t.trialIdx)).toEqual([0, 1, 2, 3])
      expect((await store.list()).items).toMatchObject([{ sessionId: 'a', status: 'running', completed: 4 }])
      expect(dropped).toEqual([])
      // The next writer under the lock (a takeover, here) settles it, once.
      await store.acquireLease('a', 'creator', 60_000)
      expect(dropped).toHaveLength(1)
      expect(dropped[0]).toMatchObject({
        store: '@cairn/store-fs',
        sessionId: 'a',
        journal: journalOf('a'),
        offset: last.offset,
        bytes: last.length,
        revision: 5,
        keptRevision: 4,
        firstTrial: 4,
      })
      const message = String(dropped[0]?.message)
      expect(message).toMatch(/session "a".*revision 5, trials? (from )?4.*dropped.*revision 4/)
      expect((await readFile(String(dropped[0]?.keptAt))).equals(flipped(good, at).subarray(last.offset))).toBe(true)
      expect((await stat(journalOf('a'))).size).toBe(last.offset)
      await store.acquireLease('a', 'creator', 60_000)
      expect(dropped).toHaveLength(1)
    }
  })

  it('a journal cut inside its last record (a crash mid-append): dropped and reported as cut short, then committed over', async () => {
    let h = await session('a', 3)
    const good = await readFile(journalOf('a'))
    const last = records(good).at(-1)!
    for (const keep of [1, 40, 80, last.length - 12, last.length - 1]) {
      dropped = []
      await writeFile(journalOf('a'), good.subarray(0, last.offset + keep))
      expect((await store.load('a')).revision).toBe(2)
      h = { ...(await store.load('a')) }
      // The writer that made revision 3 expected it: its next commit is refused, the drop reported.
      await expect(
        store.commit('a', { expectedRevision: 3, fencingToken: 1, head: advance({ ...h, revision: 3 }, 1), trials: [trial(3)] }),
      ).rejects.toThrow(/revision 2, expected 3/)
      expect(dropped).toMatchObject([
        {
          sessionId: 'a',
          revision: 3,
          firstTrial: 2,
          cause: 'cut-short',
          offset: last.offset,
          bytes: keep,
          trialCount: keep >= 80 ? 1 : null,
        },
      ])
    }
    h = await commitOne(store, h)
    expect((await store.readTrials('a')).map((t) => t.trialIdx)).toEqual([0, 1, 2])
    // Each drop kept in a file of its own, though all were at the same place.
    expect((await readdir(join(dir, 'sessions', 'a'))).filter((n) => n.endsWith('.dropped'))).toHaveLength(5)
  })
})

describe('damage that is not the last record: an error, never a rollback', () => {
  it('a journal cut inside an earlier record (or at its end) is corrupt, naming the session, the journal, the byte and the revision', async () => {
    await session('a', 6)
    const good = await readFile(journalOf('a'))
    const recs = records(good)
    // Inside records 1–4 (revisions 1–4) and exactly at the end of revision 3: all before the last two.
    for (const cut of [
      recs[1]!.offset + 10,
      recs[2]!.offset + 90,
      recs[3]!.offset + recs[3]!.length,
      recs[4]!.offset + 200,
      recs[5]!.offset + 5,
    ]) {
      await writeFile(journalOf('a'), good.subarray(0, cut))
      await expectCorrupt('a', /head of session "a" \(.*journal\) is corrupt: .*byte \d+.*revision 5 .*was committed/)
    }
  })

  it('a byte flipped in an earlier record while the last one is torn is corrupt (today: two commits silently rolled back)', async () => {
    await session('a', 6)
    const good = await readFile(journalOf('a'))
    const recs = records(good)
    const [fifth, sixth] = [recs[4]!, recs[5]!]
    await writeFile(journalOf('a'), flipped(good, fifth.offset + 100).subarray(0, sixth.offset + 50))
    await expectCorrupt('a', new RegExp(`session "a" \\(.*journal\\).*byte ${fifth.offset}.*revision 5 .*was committed`))
  })

  it('the last two records damaged: corrupt, naming the first of them', async () => {
    await session('a', 6)
    const good = await readFile(journalOf('a'))
    const recs = records(good)
    const [fifth, sixth] = [recs[5]!, recs[6]!]
    await writeFile(journalOf('a'), flipped(flipped(good, fifth.offset + 100), sixth.offset + 100))
    await expectCorrupt('a', new RegExp(`session "a".*byte ${fifth.offset} is damaged.*revision 5 .*was committed`))
  })

  it('a journal that was folded is held to the same rules', async () => {
    const small = createFsStore({ dir, journalBytes: 1 })
    let h = await session('a', 0, small)
    while ((await stat(join(dir, 'sessions', 'a', 'trials.idx')).catch(() => ({ size: 0 }))).size === 0) h = await commitOne(small, h)
    for (let i = 0; i < 4; i++) h = await commitOne(small, h)
    const good = await readFile(journalOf('a'))
    const recs = records(good)
    expect(recs[0]!.base).toBeGreaterThan(0)
    await writeFile(journalOf('a'), good.subarray(0, recs[2]!.offset + 7))
    await expectCorrupt('a', /head of session "a".*was committed/)
    await writeFile(journalOf('a'), good.subarray(0, recs.at(-1)!.offset + 7))
    expect((await small.load('a')).revision).toBe(h.revision - 1)
  })

  it('a trial log cut short: readTrials names it, and the next fold refuses instead of writing past the damage', async () => {
    const small = createFsStore({ dir, journalBytes: 1 })
    let h = await session('a', 0, small)
    const log = join(dir, 'sessions', 'a', 'trials.log')
    while ((await stat(log).catch(() => ({ size: 0 }))).size === 0) h = await commitOne(small, h)
    const folded = await readFile(log)
    await truncate(log, folded.length - 10)
    await expect(small.readTrials('a')).rejects.toThrow(/trial \d+ of session "a" \(.*trials\.log\).*corrupt/)
    // Commit until the journal would fold again: that commit is refused, and nothing is written.
    const journalBefore = async () => readFile(journalOf('a'))
    let err: unknown
    for (let i = 0; i < 40 && err === undefined; i++) {
      const before = await journalBefore()
      try {
        h = await commitOne(small, h)
      } catch (e) {
        err = e
        expect((await journalBefore()).equals(before)).toBe(true)
      }
    }
    expect(err).toBeInstanceOf(CheckpointCorruptError)
    expect((err as Error).message).toMatch(/session "a" \(.*trials\.log\).*holds \d+ bytes.*nothing was written/)
    expect((await stat(log)).size).toBe(folded.length - 10)
  })
})

describe('the floor in the journal preamble', () => {
  it('one damaged floor slot (a torn slot write) is tolerated; both damaged, or a damaged preamble, are corrupt', async () => {
    await session('a', 3)
    const good = await readFile(journalOf('a'))
    expect(good.subarray(0, 4).toString('latin1')).toBe('CFSH')
    await writeFile(journalOf('a'), flipped(good, 10))
    expect((await store.load('a')).revision).toBe(3)
    await writeFile(journalOf('a'), flipped(flipped(good, 10), 34))
    await expectCorrupt('a', /head of session "a".*both floor slots/)
    await writeFile(journalOf('a'), flipped(good, 1))
    await expectCorrupt('a', /head of session "a".*preamble/)
  })
})
