import {
  AlreadyRunningError,
  InvalidInputError,
  LeaseLostError,
  NotFoundError,
  RevisionConflictError,
  UnknownOptionError,
  type CheckpointHead,
} from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { createLevelStore, type LevelStore } from '../src/index.js'
import { advance, newHead, levelStoreEachTest, trialAt } from './helpers.js'

let dir: string
let store: LevelStore
levelStoreEachTest(
  (d, s) => {
    dir = d
    store = s
  },
  () => store,
)

/** Creates a session and commits `n` trials, one commit each; returns the last head. */
async function seed(id: string, n: number, owner = 'tester'): Promise<CheckpointHead> {
  let head = newHead(id, { lease: { owner, fencingToken: 1, expiresAt: Date.now() + 60_000 } })
  await store.create(head)
  for (let i = 0; i < n; i++) {
    const next = advance(head, [trialAt(i)])
    const { revision } = await store.commit(id, { expectedRevision: i, fencingToken: 1, head: next, trials: [trialAt(i)] })
    head = { ...next, revision }
  }
  return head
}

describe('createLevelStore', () => {
  it('reports its capabilities and validates options', () => {
    expect(store.capabilities).toEqual({
      durable: true,
      multiProcess: false,
      multiMachine: false,
      sharedEvaluation: false,
      trialProgress: true,
    })
    expect(store.location).toBe(dir)
    expect(() => createLevelStore({ location: '' })).toThrow(InvalidInputError)
    expect(() => createLevelStore({ location: dir, sync: 'yes' as unknown as boolean })).toThrow(/sync/)
  })

  it('refuses an unknown option, naming the nearest one', () => {
    expect(() => createLevelStore({ location: dir, fsync: false } as never)).toThrow(
      '[@cairn/store-level] createLevelStore: unknown option fsync (did you mean sync?)',
    )
    expect(() => createLevelStore({ locaton: dir } as never)).toThrow(UnknownOptionError)
    expect(() => createLevelStore(null as never)).toThrow(
      /^\[@cairn\/store-level\] options must be an object \{ location, sync, shareReads, serve, holderTimeoutMs \}, got null$/,
    )
  })

  it('creates, commits and loads; the lease lives beside the head', async () => {
    const head = await seed('s1', 3)
    const loaded = await store.load('s1')
    expect(loaded.revision).toBe(3)
    expect(loaded.progress.attempts).toBe(3)
    expect(loaded.optimizerState).toEqual(head.optimizerState)
    expect(loaded.lease).toMatchObject({ owner: 'tester', fencingToken: 1 })
    expect(await store.readTrials('s1')).toEqual([trialAt(0), trialAt(1), trialAt(2)])
  })

  it('keeps everything across close and reopen', async () => {
    await seed('s1', 5)
    await store.requestControl('s1', 'pause')
    await store.close()
    store = createLevelStore({ location: dir })
    const loaded = await store.load('s1')
    expect(loaded.progress.attempts).toBe(5)
    expect(loaded.lease?.fencingToken).toBe(1)
    expect((await store.readTrials('s1')).map((t) => t.trialIdx)).toEqual([0, 1, 2, 3, 4])
    const next = advance(loaded, [trialAt(5)])
    expect(await store.commit('s1', { expectedRevision: 5, fencingToken: 1, head: next, trials: [trialAt(5)] })).toEqual({
      revision: 6,
      control: 'pause',
    })
  })

  it('refuses a duplicate id, a bad id and a non-zero revision', async () => {
    await store.create(newHead('dup'))
    await expect(store.create(newHead('dup'))).rejects.toThrow(RevisionConflictError)
    await expect(store.create(newHead('../etc'))).rejects.toThrow(InvalidInputError)
    await expect(store.create(newHead('x', { revision: 2 }))).rejects.toThrow(InvalidInputError)
    await expect(store.load('missing')).rejects.toThrow(NotFoundError)
    await expect(store.readTrials('missing')).rejects.toThrow(NotFoundError)
  })

  it('compare-and-sets on revision and fencing token, writing nothing on refusal', async () => {
    const head = await seed('s1', 1)
    const next = advance(head, [trialAt(1)])
    await expect(store.commit('s1', { expectedRevision: 0, fencingToken: 1, head: next, trials: [trialAt(1)] })).rejects.toThrow(
      RevisionConflictError,
    )
    await expect(store.commit('s1', { expectedRevision: 1, fencingToken: 7, head: next, trials: [trialAt(1)] })).rejects.toThrow(
      LeaseLostError,
    )
    await expect(store.commit('s1', { expectedRevision: 1, fencingToken: 1, head: next, trials: [trialAt(2)] })).rejects.toThrow(
      /out of order/,
    )
    await expect(store.commit('s1', { expectedRevision: 1, fencingToken: 1, head, trials: [trialAt(1)] })).rejects.toThrow(/attempts/)
    expect((await store.load('s1')).revision).toBe(1)
    expect(await store.readTrials('s1')).toHaveLength(1)
  })

  it('lets exactly one of many concurrent commits at the same revision win', async () => {
    const head = await seed('s1', 0)
    const next = advance(head, [trialAt(0)])
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => store.commit('s1', { expectedRevision: 0, fencingToken: 1, head: next, trials: [trialAt(0)] })),
    )
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(RevisionConflictError)
  })

  it('commits a status change without trials and clears the control flag when not running', async () => {
    const head = await seed('s1', 2)
    await store.requestControl('s1', 'pause')
    await store.requestControl('s1', 'cancel')
    await store.requestControl('s1', 'pause') // cancel is not downgraded
    const r = await store.commit('s1', { expectedRevision: 2, fencingToken: 1, head: { ...head, status: 'cancelled' }, trials: [] })
    expect(r).toEqual({ revision: 3, control: 'cancel' })
    await store.requestControl('s1', 'pause') // no-op: not running
    const loaded = await store.load('s1')
    expect(loaded.status).toBe('cancelled')
    await expect(store.requestControl('s1', 'stop' as 'pause')).rejects.toThrow(InvalidInputError)
    await expect(store.requestControl('nope', 'pause')).rejects.toThrow(NotFoundError)
  })

  it('pages trials by index range, only up to what the head accounts for', async () => {
    await seed('s1', 25)
    await seed('s10', 3) // a neighbour whose id shares a prefix
    expect((await store.readTrials('s1', { from: 10, limit: 5 })).map((t) => t.trialIdx)).toEqual([10, 11, 12, 13, 14])
    expect((await store.readTrials('s1', { from: 23 })).map((t) => t.trialIdx)).toEqual([23, 24])
    expect(await store.readTrials('s1', { from: 30 })).toEqual([])
    expect(await store.readTrials('s1', { limit: 0 })).toEqual([])
    expect(await store.readTrials('s10')).toHaveLength(3)
    await expect(store.readTrials('s1', { from: -1 })).rejects.toThrow(InvalidInputError)
  })

  it('handles leases: acquire, refuse while live, renew, release, take over with a higher token', async () => {
    await store.create(newHead('s1', { lease: null }))
    const a = await store.acquireLease('s1', 'a', 10_000)
    expect(a.fencingToken).toBe(1)
    await expect(store.acquireLease('s1', 'b', 10_000)).rejects.toThrow(AlreadyRunningError)
    const again = await store.acquireLease('s1', 'a', 10_000)
    expect(again.fencingToken).toBe(2)
    const renewed = await store.renewLease('s1', again, 20_000)
    expect(renewed.fencingToken).toBe(2)
    await expect(store.renewLease('s1', a, 1000)).rejects.toThrow(LeaseLostError)
    await store.releaseLease('s1', a) // stale: no-op
    expect((await store.load('s1')).lease?.expiresAt).toBeGreaterThan(Date.now())
    await store.releaseLease('s1', renewed)
    expect((await store.load('s1')).lease).toMatchObject({ owner: 'a', fencingToken: 2, expiresAt: 0 })
    const b = await store.acquireLease('s1', 'b', 10_000)
    expect(b.fencingToken).toBe(3)
    await expect(store.acquireLease('s1', 'b', 0)).rejects.toThrow(InvalidInputError)
    await expect(store.acquireLease('nope', 'b', 10)).rejects.toThrow(NotFoundError)
    await store.releaseLease('nope', b) // idempotent on a missing session
  })

  it('a stale writer loses after a takeover', async () => {
    const head = await seed('s1', 1)
    await store.releaseLease('s1', { owner: 'tester', fencingToken: 1, expiresAt: 0 })
    const lease = await store.acquireLease('s1', 'other', 10_000)
    const next = advance(head, [trialAt(1)])
    await expect(store.commit('s1', { expectedRevision: 1, fencingToken: 1, head: next, trials: [trialAt(1)] })).rejects.toThrow(
      LeaseLostError,
    )
    await store.commit('s1', { expectedRevision: 1, fencingToken: lease.fencingToken, head: next, trials: [trialAt(1)] })
  })

  it('lists from the index with filters and paging ordered by session id', async () => {
    for (const id of ['c', 'a', 'e', 'b', 'd']) await store.create(newHead(id, { updatedAt: id.charCodeAt(0) }))
    const other = newHead('f', { optimizer: { id: 'other', stateVersion: 1 }, status: 'paused', updatedAt: 1000 })
    await store.create(other)
    const all = await store.list()
    expect(all.items.map((l) => l.sessionId)).toEqual(['a', 'b', 'c', 'd', 'e', 'f'])
    expect(all.cursor).toBeUndefined()
    expect(all.items[0]).toMatchObject({ sessionId: 'a', status: 'running', optimizer: '@cairn/test/opt', completed: 0, bestScore: null })
    expect(all.items[0]?.leaseExpiresAt).toBeGreaterThan(Date.now())

    const p1 = await store.list({ limit: 2 })
    expect(p1.items.map((l) => l.sessionId)).toEqual(['a', 'b'])
    const p2 = await store.list({ limit: 2, cursor: p1.cursor })
    expect(p2.items.map((l) => l.sessionId)).toEqual(['c', 'd'])
    const p3 = await store.list({ limit: 2, cursor: p2.cursor })
    expect(p3.items.map((l) => l.sessionId)).toEqual(['e', 'f'])
    expect(p3.cursor).toBeUndefined()

    expect((await store.list({ status: 'paused' })).items.map((l) => l.sessionId)).toEqual(['f'])
    expect((await store.list({ status: ['paused', 'running'], limit: 10 })).items).toHaveLength(6)
    expect((await store.list({ optimizer: 'other' })).items.map((l) => l.sessionId)).toEqual(['f'])
    expect((await store.list({ updatedSince: 'd'.charCodeAt(0) })).items.map((l) => l.sessionId)).toEqual(['d', 'e', 'f'])
    await expect(store.list({ limit: 0 })).rejects.toThrow(InvalidInputError)
  })

  it('keeps listings in step with commits and lease changes', async () => {
    const head = await seed('s1', 2)
    const listed = (await store.list()).items[0]
    expect(listed).toMatchObject({ sessionId: 's1', completed: 2, bestScore: head.progress.bestScore, updatedAt: head.updatedAt })
    await store.releaseLease('s1', { owner: 'tester', fencingToken: 1, expiresAt: 0 })
    expect((await store.list()).items[0]?.leaseExpiresAt).toBeNull()
  })

  it('deletes a session and its trials, idempotently, and the id can be reused', async () => {
    await seed('s1', 10)
    await seed('s2', 2)
    await store.delete('s1')
    await store.delete('s1')
    await expect(store.load('s1')).rejects.toThrow(NotFoundError)
    expect((await store.list()).items.map((l) => l.sessionId)).toEqual(['s2'])
    await seed('s1', 1)
    expect(await store.readTrials('s1')).toEqual([trialAt(0)])
    expect(await store.readTrials('s2')).toHaveLength(2)
  })

  it('rejects every operation after close', async () => {
    await store.create(newHead('s1'))
    await store.close()
    await store.close()
    await expect(store.load('s1')).rejects.toThrow(/closed/)
    await expect(store.list()).rejects.toThrow(/closed/)
  })

  it('works with sync: false', async () => {
    await store.close()
    store = createLevelStore({ location: dir, sync: false })
    await seed('fast', 20)
    expect((await store.load('fast')).progress.attempts).toBe(20)
  })
})
