import { SPECIFICATION_VERSION } from '@cairn/core'
import { makeHead, makeTrial, nextHead } from '../helpers/head.js'
import { rejectedWith, settle } from '../helpers/outcome.js'
import { commitNext, createSession, snapshot, type StoreSuite } from './context.js'

const BAD_IDS = ['../x', 'a/b', '', 'x'.repeat(300), '..', 'a\\b', '.hidden']

/** create, load, commit, readTrials, compare-and-set, unknown ids, bad ids. */
export function registerBasics(s: StoreSuite): void {
  const { expect } = s.runner

  s.it(`declares specificationVersion "${SPECIFICATION_VERSION}", the contract version this @cairn/core knows`, async ({ store }) => {
    expect(store.specificationVersion).toBe(SPECIFICATION_VERSION)
  })

  s.it('create + load round trip: the head comes back equal, lease included', async ({ store }) => {
    const head = makeHead({
      name: 'round trip',
      job: 'job-1',
      settings: { a: [1, 2, { b: null }] },
      optimizerState: new Uint8Array([0, 1, 254, 255]),
    })
    await store.create(head)
    const loaded = await store.load(head.sessionId)
    expect(loaded).toEqual(head)
    expect(loaded.lease).toEqual(head.lease)
    expect(loaded.optimizerState).toBeInstanceOf(Uint8Array)
    expect(await store.readTrials(head.sessionId)).toEqual([])
  })

  s.it('create of an existing id → RevisionConflictError, nothing overwritten', async ({ store }) => {
    const first = await createSession(store, { name: 'first' })
    await commitNext(store, first.sessionId)
    const before = await snapshot(store, first.sessionId)
    const again = makeHead({
      sessionId: first.sessionId,
      name: 'second',
      lease: { owner: 'intruder', fencingToken: 1, expiresAt: Date.now() + 60_000 },
    })
    expect(await settle(store.create(again))).toMatchObject(rejectedWith('REVISION_CONFLICT'))
    expect(await snapshot(store, first.sessionId)).toEqual(before)
  })

  s.it('invalid session ids (../x, a/b, empty, 300 chars …) → InvalidInputError, nothing stored', async ({ store }) => {
    for (const id of BAD_IDS) {
      const head = makeHead({ sessionId: id })
      expect({ id, ...(await settle(store.create(head))) }).toMatchObject({ id, ...rejectedWith('INVALID_INPUT') })
      expect({ id, ...(await settle(store.load(id))) }).toMatchObject({ id, ...rejectedWith('INVALID_INPUT') })
      expect({ id, ...(await settle(store.delete(id))) }).toMatchObject({ id, ...rejectedWith('INVALID_INPUT') })
      const commit = store.commit(id, {
        expectedRevision: 0,
        fencingToken: 1,
        head: nextHead(head, [makeTrial(0)]),
        trials: [makeTrial(0)],
      })
      expect({ id, ...(await settle(commit)) }).toMatchObject({ id, ...rejectedWith('INVALID_INPUT') })
    }
    expect((await store.list()).items).toEqual([])
  })

  s.it('load / commit / acquireLease / requestControl of an unknown id → NotFoundError', async ({ store }) => {
    const head = makeHead({ sessionId: 'no-such-session' })
    expect(await settle(store.load('no-such-session'))).toMatchObject(rejectedWith('NOT_FOUND'))
    const trials = [makeTrial(0)]
    const commit = store.commit('no-such-session', { expectedRevision: 0, fencingToken: 1, head: nextHead(head, trials), trials })
    expect(await settle(commit)).toMatchObject(rejectedWith('NOT_FOUND'))
    expect(await settle(store.acquireLease('no-such-session', 'someone', 10_000))).toMatchObject(rejectedWith('NOT_FOUND'))
    expect(await settle(store.requestControl('no-such-session', 'pause'))).toMatchObject(rejectedWith('NOT_FOUND'))
    expect((await store.list()).items).toEqual([])
  })

  s.it('commit bumps the revision and makes trials visible with the head', async ({ store }) => {
    const created = await createSession(store)
    const id = created.sessionId
    let head = created
    for (let i = 0; i < 5; i++) {
      const trials = [makeTrial(i, { score: 10 - i, candidate: { i, nested: { tag: `t${i}` } }, stats: { n: i } })]
      const next = nextHead(head, trials, { bestArtifact: { best: i } })
      const result = await store.commit(id, { expectedRevision: head.revision, fencingToken: 1, head: next, trials })
      expect(result).toEqual({ revision: i + 1, control: null })
      head = await store.load(id)
      // The store sets revision and lease; everything else is what was committed.
      expect(head).toEqual({ ...next, revision: i + 1, lease: created.lease })
      expect(await store.readTrials(id)).toHaveLength(i + 1)
    }
    const all = await store.readTrials(id)
    expect(all.map((t) => t.trialIdx)).toEqual([0, 1, 2, 3, 4])
    expect(all[3]).toEqual(makeTrial(3, { score: 7, candidate: { i: 3, nested: { tag: 't3' } }, stats: { n: 3 } }))
    expect(await store.readTrials(id, { from: 2 })).toEqual(all.slice(2))
    expect(await store.readTrials(id, { limit: 2 })).toEqual(all.slice(0, 2))
    expect(await store.readTrials(id, { from: 1, limit: 3 })).toEqual(all.slice(1, 4))
    expect(await store.readTrials(id, { from: 4, limit: 10 })).toEqual(all.slice(4))
    expect(await store.readTrials(id, { from: 5 })).toEqual([])
    expect(await store.readTrials(id, { from: 99, limit: 3 })).toEqual([])
  })

  s.it('commit ignores the revision and lease in the given head: the store sets them', async ({ store }) => {
    const created = await createSession(store)
    const head = await store.load(created.sessionId)
    const trials = [makeTrial(0)]
    const forged = { ...nextHead(head, trials), revision: 999, lease: { owner: 'forger', fencingToken: 77, expiresAt: 1 } }
    const result = await store.commit(created.sessionId, { expectedRevision: 0, fencingToken: 1, head: forged, trials })
    expect(result.revision).toBe(1)
    const loaded = await store.load(created.sessionId)
    expect(loaded.revision).toBe(1)
    expect(loaded.lease).toEqual(created.lease)
  })

  s.it('a commit may carry several trials, or none (a status change)', async ({ store }) => {
    const { sessionId: id } = await createSession(store)
    let head = await commitNext(store, id, { count: 3 })
    expect(head.revision).toBe(1)
    expect(head.progress.attempts).toBe(3)
    expect((await store.readTrials(id)).map((t) => t.trialIdx)).toEqual([0, 1, 2])
    head = await commitNext(store, id, { trials: [], head: { status: 'paused' } })
    expect(head.revision).toBe(2)
    expect(head.status).toBe('paused')
    expect(await store.readTrials(id)).toHaveLength(3)
  })

  s.it('a trial record that does not continue the log is refused → InvalidInputError, nothing written', async ({ store }) => {
    const { sessionId: id } = await createSession(store)
    await commitNext(store, id, { count: 2 })
    const before = await snapshot(store, id)
    const gap = [makeTrial(5)]
    const commit = store.commit(id, { expectedRevision: 1, fencingToken: 1, head: nextHead(before.head, gap), trials: gap })
    expect(await settle(commit)).toMatchObject(rejectedWith('INVALID_INPUT'))
    expect(await snapshot(store, id)).toEqual(before)
  })

  s.it('compare-and-set: a stale (or future) expectedRevision → RevisionConflictError, nothing written', async ({ store }) => {
    const { sessionId: id } = await createSession(store)
    await commitNext(store, id, { count: 1 })
    await commitNext(store, id, { count: 1 })
    const before = await snapshot(store, id)
    expect(before.head.revision).toBe(2)
    for (const expectedRevision of [0, 1, 3]) {
      const trials = [makeTrial(before.head.progress.attempts, { candidate: { stale: expectedRevision } })]
      const commit = store.commit(id, { expectedRevision, fencingToken: 1, head: nextHead(before.head, trials), trials })
      expect({ expectedRevision, ...(await settle(commit)) }).toMatchObject({ expectedRevision, ...rejectedWith('REVISION_CONFLICT') })
    }
    expect(await snapshot(store, id)).toEqual(before)
  })

  s.it('delete is idempotent and removes the trials; the id can then be created afresh', async ({ store }) => {
    const { sessionId: id } = await createSession(store)
    const other = await createSession(store)
    await commitNext(store, id, { count: 3 })
    await store.delete(id)
    await store.delete(id)
    await store.delete('never-existed')
    expect(await settle(store.load(id))).toMatchObject(rejectedWith('NOT_FOUND'))
    expect((await store.list()).items.map((l) => l.sessionId)).toEqual([other.sessionId])
    const recreated = await createSession(store, { sessionId: id })
    expect(await store.load(id)).toEqual(recreated)
    expect(await store.readTrials(id)).toEqual([])
    expect(await store.load(other.sessionId)).toEqual(other)
  })
}
