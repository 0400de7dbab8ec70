import { makeTrial, nextHead } from '../helpers/head.js'
import { rejectedWith, settle } from '../helpers/outcome.js'
import { commitNext, createSession, type StoreSuite } from './context.js'

/** A corrupt head fails loudly and is never overwritten. */
export function registerCorruption(s: StoreSuite): void {
  const { expect } = s.runner

  s.it('a corrupt head: load → CheckpointCorruptError, list says "corrupt", others list fine, nothing overwritten', async (fx) => {
    const { store } = fx
    const a = await createSession(store, { sessionId: 'good-a' })
    await createSession(store, { sessionId: 'bad-b' })
    await commitNext(store, 'bad-b', { count: 2 })
    const c = await createSession(store, { sessionId: 'good-c' })
    await fx.corruptHead('bad-b')

    expect(await settle(store.load('bad-b'))).toMatchObject(rejectedWith('CHECKPOINT_CORRUPT'))
    const page = await store.list()
    expect(page.items.map((l) => [l.sessionId, l.status])).toEqual(
      [
        ['bad-b', 'corrupt'],
        ['good-a', 'running'],
        ['good-c', 'running'],
      ].sort(),
    )
    const bad = page.items.find((l) => l.sessionId === 'bad-b')
    expect(typeof bad?.problem).toBe('string')
    expect((await store.list({ status: 'corrupt' })).items.map((l) => l.sessionId)).toEqual(['bad-b'])
    expect((await store.list({ status: 'running' })).items.map((l) => l.sessionId)).toEqual(['good-a', 'good-c'])
    expect(await store.load('good-a')).toEqual(a)
    expect(await store.load('good-c')).toEqual(c)

    // A writer cannot paper over the corruption, and the bytes stay corrupt for inspection.
    const trials = [makeTrial(2)]
    const head = nextHead({ ...a, sessionId: 'bad-b', revision: 1, progress: { ...a.progress, attempts: 2 } }, trials)
    const commit = await settle(store.commit('bad-b', { expectedRevision: 1, fencingToken: 1, head, trials }))
    expect(commit.outcome).toBe('rejected')
    expect(await settle(store.load('bad-b'))).toMatchObject(rejectedWith('CHECKPOINT_CORRUPT'))
    expect((await store.list({ status: 'corrupt' })).items.map((l) => l.sessionId)).toEqual(['bad-b'])

    // Deleting it is how an operator gets rid of it.
    await store.delete('bad-b')
    expect((await store.list()).items.map((l) => l.sessionId)).toEqual(['good-a', 'good-c'])
  })
}
