// The journal: one record per commit, folded into the trial log when it grows, torn tails ignored.
import { closeSync, fstatSync, openSync } from 'node:fs'
import { appendFile, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  CheckpointCorruptError,
  LeaseLostError,
  NotFoundError,
  RevisionConflictError,
  type CheckpointHead,
  type TrialRecord,
} from '@cairn/core'
import { createFsStore, type FsStore } from '../src/index.js'
import { FOOTER_BYTES, findTail, parseHeader, readJournalStart, startThenSize } from '../src/journal.js'
import { advance, newHead, trial } from './helpers.js'
import { tempDirEachTest } from '../../../vitest.temp-dir.js'

let dir: string
tempDirEachTest((d) => {
  dir = d
}, 'cairn-store-fs-')

const journalOf = (id: string) => join(dir, 'sessions', id, 'journal')

/** Commits `trials` (indices continuing the head's) and returns the new head. */
async function commit(store: FsStore, h: CheckpointHead, n: number, overrides: Partial<CheckpointHead> = {}): Promise<CheckpointHead> {
  const trials = Array.from({ length: n }, (_, k) => trial(h.progress.attempts + k))
  const next = advance(h, n, overrides)
  const { revision } = await store.commit(next.sessionId, { expectedRevision: h.revision, fencingToken: 1, head: next, trials })
  return { ...next, revision }
}

const upTo = (n: number): TrialRecord[] => Array.from({ length: n }, (_, i) => trial(i))

describe('folding the journal into the trial log', () => {
  it('keeps every trial readable, in pages that straddle the fold, from this store and a fresh one', async () => {
    const store = createFsStore({ dir, journalBytes: 1 })
    await store.create(newHead('a'))
    let h = await store.load('a')
    const sizes: number[] = []
    for (let i = 0; i < 40; i++) {
      h = await commit(store, h, i % 5 === 4 ? 0 : (i % 3) + 1) // batches of 1–3 trials, and status-only commits
      sizes.push((await stat(journalOf('a'))).size)
    }
    const total = h.progress.attempts
    const folded = (await stat(join(dir, 'sessions', 'a', 'trials.idx'))).size / 8
    expect(folded).toBeGreaterThan(10)
    expect(folded).toBeLessThan(total)
    expect(Math.max(...sizes)).toBeLessThan(8 * 2000)

    for (const s of [store, createFsStore({ dir })]) {
      expect(await s.readTrials('a')).toEqual(upTo(total))
      for (const from of [0, folded - 2, folded - 1, folded, folded + 1, total - 1]) {
        for (const limit of [1, 2, 3, 50]) {
          expect(await s.readTrials('a', { from, limit })).toEqual(upTo(total).slice(from, from + limit))
        }
      }
      expect(await s.load('a')).toMatchObject({ revision: 40, progress: { attempts: total } })
      expect((await s.list()).items).toMatchObject([{ sessionId: 'a', completed: total }])
    }
  })

  it('works the same without fsync', async () => {
    const store = createFsStore({ dir, journalBytes: 1, durable: false })
    await store.create(newHead('a'))
    let h = await store.load('a')
    for (let i = 0; i < 30; i++) h = await commit(store, h, 1)
    expect(await createFsStore({ dir }).readTrials('a')).toEqual(upTo(30))
  })
})

describe('records bigger than a first read', () => {
  const bigState = (seed: number) => new Uint8Array(100_000).map((_, i) => (i * 31 + seed) & 255)

  it('load reads them whole; list reads only the listing block of a very big one', async () => {
    const store = createFsStore({ dir })
    const huge = (seed: number) => new Uint8Array(300_000).map((_, i) => (i * 7 + seed) & 255)
    await store.create(newHead('a', { optimizerState: huge(0) }))
    let h = await store.load('a')
    for (let i = 1; i <= 3; i++) h = await commit(store, h, 1, { optimizerState: huge(i) })
    expect((await store.load('a')).optimizerState).toEqual(huge(3))
    expect((await store.list()).items).toMatchObject([{ sessionId: 'a', completed: 3 }])
    expect(await store.readTrials('a')).toEqual(upTo(3))
  })

  it('a big record torn in the middle: load, list and readTrials agree on the record before; the next commit truncates it', async () => {
    const store = createFsStore({ dir })
    await store.create(newHead('a', { optimizerState: bigState(0) }))
    let h = await store.load('a')
    h = await commit(store, h, 1, { optimizerState: bigState(1) })
    const before = (await stat(journalOf('a'))).size
    const full = await readFile(journalOf('a'))
    await commit(store, h, 1, { optimizerState: bigState(2) })
    const record = (await readFile(journalOf('a'))).subarray(before)
    // The first half of the record, then the rest of its length in zeros (a power cut), footer included.
    const torn = Buffer.concat([
      full,
      record.subarray(0, record.length >> 1),
      Buffer.alloc(record.length - (record.length >> 1) - FOOTER_BYTES),
      record.subarray(-FOOTER_BYTES),
    ])
    await writeFile(journalOf('a'), torn)
    expect((await store.load('a')).revision).toBe(1)
    expect((await store.list()).items).toMatchObject([{ sessionId: 'a', completed: 1 }])
    expect(await store.readTrials('a')).toEqual(upTo(1))
    h = await commit(store, h, 1, { optimizerState: bigState(3) })
    const after = await readFile(journalOf('a'))
    expect(parseHeader(after.subarray(before))).toMatchObject({ offset: before, length: after.length - before, revision: 2 })
    expect((await store.load('a')).optimizerState).toEqual(bigState(3))
  })
})

describe('finding the last intact record', () => {
  it('searches back through a long torn tail, fooled by neither footer bytes nor embedded records', async () => {
    const store = createFsStore({ dir })
    await store.create(newHead('a'))
    let h = await store.load('a')
    for (let i = 0; i < 5; i++) h = await commit(store, h, 1)
    const good = await readFile(journalOf('a'))
    // 200 KB of junk full of footer magic, plus a copy of a real record (at the wrong offset).
    const junk = Buffer.alloc(200_000)
    for (let i = 0; i < junk.length; i += 97) Buffer.from([0xff, 0xc1, 0xf5, 0xfe]).copy(junk, i)
    const copy = good.subarray(good.length - 2000)
    await appendFile(journalOf('a'), Buffer.concat([junk, copy]))
    expect(await store.load('a')).toMatchObject({ revision: 5, progress: { attempts: 5 } })
    expect((await store.list()).items).toMatchObject([{ sessionId: 'a', completed: 5 }])
    expect(await store.readTrials('a')).toEqual(upTo(5))
    h = await commit(store, h, 1)
    expect(await store.readTrials('a')).toEqual(upTo(6))
    expect((await stat(journalOf('a'))).size).toBeLessThan(good.length + 2000)
  })

  it('readers racing a writer in this process always see a whole commit', async () => {
    const store = createFsStore({ dir })
    const reader = createFsStore({ dir })
    await store.create(newHead('r'))
    let h = await store.load('r')
    let done = false
    const seen: number[] = []
    const problems: unknown[] = []
    const read = (async () => {
      while (!done) {
        const [head, trials, page] = await Promise.all([reader.load('r'), reader.readTrials('r'), reader.list()])
        if (head.revision !== head.progress.attempts) problems.push(`head ${head.revision}/${head.progress.attempts}`)
        if (trials.length < head.progress.attempts) problems.push(`trials ${trials.length} < ${head.progress.attempts}`)
        if (page.items[0]?.status !== 'running') problems.push(page.items[0])
        seen.push(head.revision)
      }
    })()
    for (let i = 0; i < 150; i++) h = await commit(store, h, 1)
    done = true
    await read
    expect(problems).toEqual([])
    expect(seen.length).toBeGreaterThan(0)
    expect(await reader.readTrials('r')).toEqual(upTo(150))
  })
})

describe('files kept open between commits', () => {
  it('every change another store (or process) makes is seen: commits, folds, leases, delete and create', async () => {
    const a = createFsStore({ dir, journalBytes: 1 })
    const b = createFsStore({ dir, journalBytes: 1 })
    await a.create(newHead('s'))
    let h = await a.load('s')
    h = await commit(a, h, 1) // a keeps the journal and the lease file open
    // b commits on top, and folds the journal more than once.
    let hb = await b.load('s')
    for (let i = 0; i < 20; i++) hb = await commit(b, hb, 1)
    await expect(commit(a, h, 1)).rejects.toBeInstanceOf(RevisionConflictError)
    h = await commit(a, await a.load('s'), 1)
    expect(await b.readTrials('s')).toEqual(upTo(22))
    // The lease is taken again through b (a new fencing token): a's token is stale.
    const lease = await b.acquireLease('s', 'creator', 60_000)
    await expect(commit(a, h, 1)).rejects.toBeInstanceOf(LeaseLostError)
    const next = advance(h, 1)
    await b.commit('s', { expectedRevision: h.revision, fencingToken: lease.fencingToken, head: next, trials: [trial(22)] })
    // Deleted and created again by b: a sees the new session.
    await b.delete('s')
    await expect(commit(a, { ...h, revision: 23 }, 1)).rejects.toBeInstanceOf(NotFoundError)
    await b.create(newHead('s'))
    const fresh = await commit(a, await a.load('s'), 2)
    expect(fresh.revision).toBe(1)
    expect(await b.readTrials('s')).toEqual(upTo(2))
    // A lease file rewritten in place (not by a store) is read again too.
    await writeFile(join(dir, 'sessions', 's', 'lease'), 'garbage')
    await expect(commit(a, fresh, 1)).rejects.toThrow(/lease of session "s".*corrupt/)
    await a.close()
    await b.close()
  })
})

describe('a reader racing a commit of another process', () => {
  // A reader measures the journal's size, then reads its floor; another process's commit in
  // between appends a record and moves the floor past the size measured. The reader must read
  // a consistent head, never report damage.
  it('reads the journal as of its floor when the size it measured first is stale', async () => {
    const store = createFsStore({ dir })
    await store.create(newHead('a'))
    let h = await store.load('a')
    for (let i = 0; i < 3; i++) h = await commit(store, h, 1)
    const fd = openSync(journalOf('a'), 'r')
    try {
      const stale = fstatSync(fd).size
      for (let i = 0; i < 3; i++) h = await commit(store, h, 1) // the other process's commits
      const what = 'journal of "a"'
      // Measured before the floor, the size ends before the records the floor names.
      await expect(findTail(fd, stale, 'listing', what, readJournalStart(fd, stale, what))).rejects.toThrow(CheckpointCorruptError)
      const { start, size } = startThenSize(fd, stale, what)
      const tail = await findTail(fd, size, 'listing', what, start)
      expect(tail.header.revision).toBe(h.revision)
    } finally {
      closeSync(fd)
    }
  })
})
