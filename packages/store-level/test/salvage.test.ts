import { StoreIoError } from '@cairn/core'
import { Level } from 'level'
import { expect, it, vi } from 'vitest'
import { createLevelStore, type LevelStore } from '../src/index.js'
import { corruptHead } from '../src/testing.js'
import { advance, newHead, levelStoreEachTest, trialAt, withRawDatabase } from './helpers.js'

let dir: string
let store: LevelStore
levelStoreEachTest(
  (d, s) => {
    dir = d
    store = s
  },
  () => store,
)

const GARBAGE = new TextEncoder().encode('bit rot')

/** The raw value of `key` in a sublevel (the store closed: LevelDB admits one opener). */
async function raw(sublevel: string, key: string): Promise<Uint8Array | undefined> {
  return withRawDatabase(dir, (db) => db.get(`!${sublevel}!${key}`))
}

it('a damaged head is salvaged from the listing record and trial records, replaced, and its bytes kept until delete', async () => {
  let head = newHead('s1', { name: 'n', job: 'j', lease: { owner: 'w', fencingToken: 1, expiresAt: Date.now() + 60_000 } })
  await store.create(head)
  for (let i = 0; i < 4; i++) {
    const next = advance(head, [trialAt(i)])
    const { revision } = await store.commit('s1', { expectedRevision: i, fencingToken: 1, head: next, trials: [trialAt(i)] })
    head = { ...next, revision }
  }
  await corruptHead(store, 's1', GARBAGE)
  await expect(store.load('s1')).rejects.toMatchObject({ code: 'CHECKPOINT_CORRUPT' })
  expect((await store.list()).items[0]).toMatchObject({ sessionId: 's1', status: 'corrupt' })

  const found = await store.salvage('s1')
  expect(found).toMatchObject({ revision: 4, listing: { name: 'n', job: 'j', status: 'running', completed: 4 }, lease: { owner: 'w' } })
  expect(found?.trials).toEqual([0, 1, 2, 3].map((i) => trialAt(i)))
  const lease = await store.acquireLease('s1', 'w', 60_000)
  const result = await store.replaceDamagedHead('s1', {
    damage: found!.damage,
    fencingToken: lease.fencingToken,
    head: { ...head, name: 'rebuilt' },
  })
  expect(result).toMatchObject({ revision: 5, keptAs: expect.stringContaining('s1:000000000004') })
  expect((await store.list()).items[0]).toMatchObject({ sessionId: 's1', status: 'running', name: 'rebuilt' })
  expect(await store.load('s1')).toMatchObject({ revision: 5, progress: { attempts: 4 } })
  await store.close()
  expect(Buffer.from((await raw('damaged', 's1:000000000004')) ?? [])).toEqual(Buffer.from(GARBAGE))

  store = createLevelStore({ location: dir })
  await store.delete('s1')
  await store.close()
  expect(await raw('damaged', 's1:000000000004')).toBeUndefined()
  store = createLevelStore({ location: dir })
})

it('a trial record missing from under the head is not vouched for: no replacement', async () => {
  const head = newHead('s2', { lease: { owner: 'w', fencingToken: 1, expiresAt: Date.now() + 60_000 } })
  await store.create(head)
  await store.commit('s2', {
    expectedRevision: 0,
    fencingToken: 1,
    head: advance(head, [trialAt(0), trialAt(1)]),
    trials: [trialAt(0), trialAt(1)],
  })
  await corruptHead(store, 's2', GARBAGE)
  await store.close()
  await withRawDatabase(dir, (db) => db.del('!trial!s2:000000000001'))
  store = createLevelStore({ location: dir })
  const found = await store.salvage('s2')
  expect(found?.trials).toBeNull()
  expect(found?.trialsProblem).toMatch(/1 trial records are stored for a head that counted 2/)
  await expect(
    store.replaceDamagedHead('s2', { damage: found!.damage, fencingToken: 1, head: advance(head, [trialAt(0)]) }),
  ).rejects.toMatchObject({ code: 'INVALID_INPUT' })
})

it('a LevelDB failure (injected) in salvage or replaceDamagedHead is a StoreIoError naming the session, as in every other operation', async () => {
  const head = newHead('s3')
  await store.create(head)
  // Sublevels read through AbstractLevel#get.
  const levelGet = Object.getPrototypeOf(Level.prototype) as { get: (...args: unknown[]) => Promise<unknown> }
  const get = vi
    .spyOn(levelGet, 'get')
    .mockRejectedValue(Object.assign(new Error('IO error: 000005.ldb: Input/output error'), { code: 'LEVEL_IO_ERROR' }) as never)
  try {
    const where = new RegExp(`session "s3" in the LevelDB database at "${dir}"`)
    for (const attempt of [
      () => store.salvage('s3'),
      () => store.replaceDamagedHead('s3', { damage: 'd', fencingToken: 1, head: advance(head, []) }),
    ]) {
      const err = await attempt().catch((e: unknown) => e)
      expect(err).toBeInstanceOf(StoreIoError)
      expect((err as Error).message).toMatch(where)
    }
  } finally {
    get.mockRestore()
  }
})
