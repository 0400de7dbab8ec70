import { readFile, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  AlreadyRunningError,
  InvalidInputError,
  LeaseLostError,
  NotFoundError,
  RevisionConflictError,
  UnknownOptionError,
  listSessions,
} from '@cairn/core'
import { encodeTrial } from '@cairn/core/store-kit'
import { createFsStore, type FsStore } from '../src/index.js'
import { advance, newHead, tempDir, trial } from './helpers.js'

let dir: string
let cleanup: () => Promise<void>
let store: FsStore

beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir())
  store = createFsStore({ dir })
})
afterEach(async () => {
  await store.close()
  await cleanup()
})

describe('createFsStore', () => {
  it('reports its capabilities and validates options', () => {
    expect(store.capabilities).toEqual({
      durable: true,
      multiProcess: true,
      multiMachine: false,
      sharedEvaluation: true,
      reportAndClaim: true,
      trialProgress: true,
    })
    expect(() => createFsStore({ dir: '' })).toThrow(InvalidInputError)
    expect(() => createFsStore({ dir, lockStaleMs: -1 })).toThrow(/lockStaleMs/)
    expect(() => createFsStore({ dir, durable: 'yes' as unknown as boolean })).toThrow(/durable/)
    expect(() => createFsStore({ dir, journalBytes: 0 })).toThrow(/journalBytes/)
  })

  it("refuses an unknown option, naming the nearest one, and a lock timeout beyond setTimeout's limit", () => {
    expect(() => createFsStore({ dir, lockTimeout: 5_000 } as never)).toThrow(
      '[@cairn/store-fs] createFsStore: unknown option lockTimeout (did you mean lockTimeoutMs?)',
    )
    expect(() => createFsStore({ dirr: dir } as never)).toThrow(UnknownOptionError)
    expect(() => createFsStore({ dir, lockTimeoutMs: 2 ** 31 })).toThrow(/lockTimeoutMs: \[@cairn\/store-fs\] .*at most 2147483647/)
    expect(() => createFsStore({ dir, lockStaleMs: 2 ** 31 })).toThrow(/lockStaleMs/)
    expect(() => createFsStore(null as never)).toThrow(InvalidInputError)
  })

  it('creates, commits and loads a session, lease included', async () => {
    const head = newHead('a')
    await store.create(head)
    const loaded = await store.load('a')
    expect(loaded.revision).toBe(0)
    expect(loaded.lease).toEqual(head.lease)
    expect(loaded.optimizerState).toEqual(new Uint8Array([1, 2, 3]))

    const r = await store.commit('a', { expectedRevision: 0, fencingToken: 1, head: advance(loaded, 1), trials: [trial(0)] })
    expect(r).toEqual({ revision: 1, control: null })
    const after = await store.load('a')
    expect(after.revision).toBe(1)
    expect(after.progress.attempts).toBe(1)
    expect(after.lease).toEqual(head.lease)
    expect(await store.readTrials('a')).toEqual([trial(0)])
  })

  it('refuses a second create, a non-zero revision and unknown sessions', async () => {
    await store.create(newHead('a'))
    await expect(store.create(newHead('a'))).rejects.toBeInstanceOf(RevisionConflictError)
    await expect(store.create(newHead('b', { revision: 3 }))).rejects.toBeInstanceOf(InvalidInputError)
    await expect(store.load('nope')).rejects.toBeInstanceOf(NotFoundError)
    await expect(store.readTrials('nope')).rejects.toBeInstanceOf(NotFoundError)
    await expect(store.acquireLease('nope', 'o', 1000)).rejects.toBeInstanceOf(NotFoundError)
    await expect(store.requestControl('nope', 'pause')).rejects.toBeInstanceOf(NotFoundError)
    await expect(store.commit('nope', { expectedRevision: 0, fencingToken: 1, head: newHead('nope'), trials: [] })).rejects.toBeInstanceOf(
      NotFoundError,
    )
  })

  it('compare-and-set: a stale revision or fencing token writes nothing', async () => {
    await store.create(newHead('a'))
    const h = await store.load('a')
    await store.commit('a', { expectedRevision: 0, fencingToken: 1, head: advance(h, 1), trials: [trial(0)] })
    await expect(
      store.commit('a', { expectedRevision: 0, fencingToken: 1, head: advance(h, 1), trials: [trial(0)] }),
    ).rejects.toBeInstanceOf(RevisionConflictError)
    const lease = await store.acquireLease('a', 'creator', 1000)
    expect(lease.fencingToken).toBe(2)
    const h1 = await store.load('a')
    await expect(
      store.commit('a', { expectedRevision: 1, fencingToken: 1, head: advance(h1, 1), trials: [trial(1)] }),
    ).rejects.toBeInstanceOf(LeaseLostError)
    expect((await store.load('a')).revision).toBe(1)
    expect(await store.readTrials('a')).toEqual([trial(0)])
  })

  it('refuses trials out of order and a head that does not count them', async () => {
    await store.create(newHead('a'))
    const h = await store.load('a')
    await expect(store.commit('a', { expectedRevision: 0, fencingToken: 1, head: advance(h, 1), trials: [trial(1)] })).rejects.toThrow(
      /out of order/,
    )
    await expect(store.commit('a', { expectedRevision: 0, fencingToken: 1, head: advance(h, 2), trials: [trial(0)] })).rejects.toThrow(
      /attempts/,
    )
    await expect(
      store.commit('a', { expectedRevision: 0, fencingToken: 1, head: advance(h, 1, { sessionId: 'b' }), trials: [trial(0)] }),
    ).rejects.toThrow(/sessionId/)
    expect((await store.load('a')).revision).toBe(0)
  })

  it('pages trials and only shows those the head accounts for', async () => {
    await store.create(newHead('a'))
    let h = await store.load('a')
    for (let i = 0; i < 10; i += 2) {
      const next = advance(h, 2)
      const { revision } = await store.commit('a', {
        expectedRevision: h.revision,
        fencingToken: 1,
        head: next,
        trials: [trial(i), trial(i + 1)],
      })
      h = { ...next, revision }
    }
    expect((await store.readTrials('a')).map((t) => t.trialIdx)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect((await store.readTrials('a', { from: 3, limit: 4 })).map((t) => t.trialIdx)).toEqual([3, 4, 5, 6])
    expect((await store.readTrials('a', { from: 8, limit: 10 })).map((t) => t.trialIdx)).toEqual([8, 9])
    expect(await store.readTrials('a', { from: 10 })).toEqual([])
    expect(await store.readTrials('a', { from: 20 })).toEqual([])
    expect(await store.readTrials('a', { limit: 0 })).toEqual([])
    await expect(store.readTrials('a', { from: -1 })).rejects.toBeInstanceOf(InvalidInputError)
  })

  it('leases: acquire, conflict, expiry, renew, release', async () => {
    await store.create(newHead('a', { lease: null }))
    const l1 = await store.acquireLease('a', 'p1', 60_000)
    expect(l1.fencingToken).toBe(1)
    await expect(store.acquireLease('a', 'p2', 60_000)).rejects.toBeInstanceOf(AlreadyRunningError)
    const again = await store.acquireLease('a', 'p1', 60_000)
    expect(again.fencingToken).toBe(2)
    const renewed = await store.renewLease('a', again, 120_000)
    expect(renewed.fencingToken).toBe(2)
    expect(renewed.expiresAt).toBeGreaterThan(again.expiresAt)
    await expect(store.renewLease('a', l1, 1000)).rejects.toBeInstanceOf(LeaseLostError)
    await store.releaseLease('a', l1) // not the holder: no-op
    expect((await store.load('a')).lease?.expiresAt).toBe(renewed.expiresAt)
    await store.releaseLease('a', renewed)
    expect((await store.load('a')).lease).toEqual({ ...renewed, expiresAt: 0 })
    const l3 = await store.acquireLease('a', 'p2', 60_000)
    expect(l3.fencingToken).toBe(3)
    await expect(store.acquireLease('a', 'p1', 0)).rejects.toBeInstanceOf(InvalidInputError)
    await store.releaseLease('gone', l3)
  })

  it('control flags: returned by the next commit, cleared by a non-running commit, ignored when not running', async () => {
    await store.create(newHead('a'))
    let h = await store.load('a')
    await store.requestControl('a', 'pause')
    await store.requestControl('a', 'cancel')
    await store.requestControl('a', 'pause') // cancel wins
    let r = await store.commit('a', { expectedRevision: 0, fencingToken: 1, head: advance(h, 1), trials: [trial(0)] })
    expect(r.control).toBe('cancel')
    h = await store.load('a')
    r = await store.commit('a', { expectedRevision: 1, fencingToken: 1, head: { ...h, status: 'cancelled' }, trials: [] })
    expect(r.control).toBe('cancel')
    h = await store.load('a')
    await store.requestControl('a', 'pause') // not running: no-op
    r = await store.commit('a', { expectedRevision: 2, fencingToken: 1, head: { ...h, status: 'running' }, trials: [] })
    expect(r.control).toBeNull()
    await expect(store.requestControl('a', 'stop' as 'pause')).rejects.toBeInstanceOf(InvalidInputError)
  })

  it('lists by session id with filters and paging, without reading the optimizer state', async () => {
    for (const id of ['c', 'a', 'b', 'd']) await store.create(newHead(id, { name: `n-${id}`, job: id === 'b' ? 'job-b' : undefined }))
    const h = await store.load('d')
    await store.commit('d', { expectedRevision: 0, fencingToken: 1, head: advance(h, 1, { status: 'completed' }), trials: [trial(0)] })
    const all = await store.list()
    expect(all.items.map((l) => l.sessionId)).toEqual(['a', 'b', 'c', 'd'])
    expect(all.cursor).toBeUndefined()
    expect(all.items[1]).toMatchObject({
      sessionId: 'b',
      name: 'n-b',
      job: 'job-b',
      status: 'running',
      optimizer: 'test/opt',
      completed: 0,
    })
    expect(all.items[0]?.leaseExpiresAt).toBeGreaterThan(Date.now())
    expect(all.items[3]).toMatchObject({ status: 'completed', completed: 1, bestScore: 0 })
    expect((await store.list({ status: 'completed' })).items.map((l) => l.sessionId)).toEqual(['d'])
    expect((await store.list({ optimizer: 'other' })).items).toEqual([])
    const p1 = await store.list({ limit: 3 })
    expect(p1.items.map((l) => l.sessionId)).toEqual(['a', 'b', 'c'])
    expect(p1.cursor).toBe('c')
    const p2 = await store.list({ limit: 3, cursor: p1.cursor })
    expect(p2.items.map((l) => l.sessionId)).toEqual(['d'])
    expect(p2.cursor).toBeUndefined()
    expect((await listSessions(store, { limit: 1 })).length).toBe(4)
    await expect(store.list({ limit: 0 })).rejects.toBeInstanceOf(InvalidInputError)
  })

  it('delete is idempotent and removes journal, lease and trials', async () => {
    await store.create(newHead('a'))
    const h = await store.load('a')
    await store.commit('a', { expectedRevision: 0, fencingToken: 1, head: advance(h, 1), trials: [trial(0)] })
    await store.delete('a')
    await store.delete('a')
    await store.delete('never')
    await expect(store.load('a')).rejects.toBeInstanceOf(NotFoundError)
    expect((await store.list()).items).toEqual([])
    expect(await readdir(join(dir, 'sessions'))).toEqual([])
    await store.create(newHead('a'))
    expect(await store.readTrials('a')).toEqual([])
  })

  it('reads racing a delete see the session or NotFoundError, never a corrupt one', async () => {
    const errors: unknown[] = []
    let stop = false
    const reader = (async () => {
      while (!stop) {
        await Promise.all([
          store.load('r').catch((e: unknown) => errors.push(e)),
          store.readTrials('r').catch((e: unknown) => errors.push(e)),
          store.list().then((p) =>
            p.items.forEach((l) => {
              if (l.status === 'corrupt') errors.push(new Error(l.problem))
            }),
          ),
        ])
      }
    })()
    for (let i = 0; i < 15; i++) {
      await store.create(newHead('r'))
      const h = await store.load('r')
      await store.commit('r', { expectedRevision: 0, fencingToken: 1, head: advance(h, 1), trials: [trial(0)] })
      await store.delete('r')
    }
    stop = true
    await reader
    for (const e of errors) expect(e).toBeInstanceOf(NotFoundError)
  })

  it('a closed store refuses work', async () => {
    await store.close()
    await expect(store.load('a')).rejects.toThrow(/closed/)
  })

  it('writes O(1) bytes per commit: one journal record each, and the journal stays bounded', async () => {
    const small = createFsStore({ dir, journalBytes: 4096 })
    await small.create(newHead('a'))
    let h = await small.load('a')
    const journal = join(dir, 'sessions', 'a', 'journal')
    const growth: number[] = []
    const sizes: number[] = []
    let last = (await stat(journal)).size
    let folds = 0
    for (let i = 0; i < 60; i++) {
      const next = advance(h, 1, { optimizerState: new Uint8Array(16) })
      const { revision } = await small.commit('a', { expectedRevision: h.revision, fencingToken: 1, head: next, trials: [trial(i)] })
      h = { ...next, revision }
      const size = (await stat(journal)).size
      if (size > last) growth.push(size - last)
      else folds++
      sizes.push(size)
      last = size
    }
    // Each commit appends one record of the same size (digits of counters aside); folds keep the journal small.
    expect(Math.max(...growth) - Math.min(...growth)).toBeLessThan(16)
    expect(folds).toBeGreaterThan(2)
    expect(Math.max(...sizes)).toBeLessThanOrEqual(Math.max(4096, 8 * Math.max(...growth)))
    // The folded trials sit in the trial log, once each; the rest in the journal.
    const log = (await stat(join(dir, 'sessions', 'a', 'trials.log'))).size
    const idx = (await stat(join(dir, 'sessions', 'a', 'trials.idx'))).size
    const folded = idx / 8
    expect(folded).toBeGreaterThan(0)
    expect(log).toBe(Array.from({ length: folded }, (_, i) => encodeTrial(trial(i)).length).reduce((a, b) => a + b, 0))
    expect(await small.readTrials('a')).toEqual(Array.from({ length: 60 }, (_, i) => trial(i)))
  })

  it('works with durable: false', async () => {
    const fast = createFsStore({ dir, durable: false })
    await fast.create(newHead('x'))
    const h = await fast.load('x')
    await fast.commit('x', { expectedRevision: 0, fencingToken: 1, head: advance(h, 1), trials: [trial(0)] })
    expect(await store.readTrials('x')).toEqual([trial(0)])
  })

  it('equal heads give equal journals', async () => {
    const now = 1_700_000_000_000
    const h = newHead('a', {
      createdAt: now,
      updatedAt: now,
      progress: { attempts: 0, completed: 0, errors: 0, bestScore: null, bestTrialIdx: null, startedAt: now },
    })
    const other = await tempDir()
    try {
      await store.create(h)
      await createFsStore({ dir: other.dir }).create(structuredClone(h))
      const a = await readFile(join(dir, 'sessions', 'a', 'journal'))
      const b = await readFile(join(other.dir, 'sessions', 'a', 'journal'))
      expect(a.equals(b)).toBe(true)
    } finally {
      await other.cleanup()
    }
  })
})
