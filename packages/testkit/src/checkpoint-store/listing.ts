import type { CheckpointStore, ListFilter, SessionListing } from '@cairn/core'
import { headToListing } from '@cairn/core/store-kit'
import { makeTrial } from '../helpers/head.js'
import { rejectedWith, settle } from '../helpers/outcome.js'
import { commitNext, createSession, type StoreSuite } from './context.js'

/** Follows cursors until the last page (guarding against a cursor that never ends). */
export async function listAll(store: CheckpointStore, filter: ListFilter = {}): Promise<{ items: SessionListing[]; pages: number }> {
  const items: SessionListing[] = []
  let cursor: string | undefined
  for (let pages = 1; pages <= 1_000; pages++) {
    const page = await store.list({ ...filter, ...(cursor !== undefined ? { cursor } : {}) })
    if (filter.limit !== undefined && page.items.length > filter.limit)
      throw new Error(`[@cairn/testkit] list returned ${page.items.length} items for limit ${filter.limit}`)
    items.push(...page.items)
    if (page.cursor === undefined) return { items, pages }
    cursor = page.cursor
  }
  throw new Error('[@cairn/testkit] list paging did not end after 1,000 pages')
}

const ids = (items: SessionListing[]): string[] => items.map((l) => l.sessionId)

/** Five sessions with known statuses, optimizers and update times. */
async function seed(store: CheckpointStore): Promise<void> {
  const plan = [
    { id: 'list-a', status: 'running', optimizer: 'opt-x', updatedAt: 1_000 },
    { id: 'list-b', status: 'paused', optimizer: 'opt-y', updatedAt: 2_000 },
    { id: 'list-c', status: 'completed', optimizer: 'opt-x', updatedAt: 3_000 },
    { id: 'list-d', status: 'running', optimizer: 'opt-y', updatedAt: 4_000 },
    { id: 'list-e', status: 'failed', optimizer: 'opt-x', updatedAt: 5_000 },
  ] as const
  // Created out of order: listing order must not depend on creation order.
  for (const p of [plan[3], plan[0], plan[4], plan[2], plan[1]]) {
    await createSession(store, {
      sessionId: p.id,
      name: `name of ${p.id}`,
      optimizer: { id: p.optimizer, stateVersion: 1 },
      createdAt: 500,
      updatedAt: 500,
    })
    await commitNext(store, p.id, { count: 2, head: { status: p.status, updatedAt: p.updatedAt } })
  }
}

/** list: filters, paging, listing contents. */
export function registerListing(s: StoreSuite): void {
  const { expect } = s.runner

  s.it('list returns one listing per session, ordered by id, matching the head', async ({ store }) => {
    await seed(store)
    const page = await store.list()
    expect(page.cursor).toBeUndefined()
    expect(ids(page.items)).toEqual(['list-a', 'list-b', 'list-c', 'list-d', 'list-e'])
    for (const item of page.items) expect(item).toEqual(headToListing(await store.load(item.sessionId)))
    expect(page.items[2]).toMatchObject({
      sessionId: 'list-c',
      name: 'name of list-c',
      status: 'completed',
      optimizer: 'opt-x',
      completed: 2,
      bestScore: 0,
      updatedAt: 3_000,
    })
  })

  s.it('a listing counts the pruned trials of its session (absent when none was pruned)', async ({ store }) => {
    await createSession(store, { sessionId: 'list-pruned' })
    const trials = [0, 1, 2].map((i) => makeTrial(i, i > 0 ? { status: 'pruned' } : {}))
    const head = await commitNext(store, 'list-pruned', { trials })
    expect(head.progress.pruned).toBe(2)
    await createSession(store, { sessionId: 'list-plain' })
    await commitNext(store, 'list-plain', { count: 2 })
    const items = (await listAll(store)).items
    expect(items.find((l) => l.sessionId === 'list-pruned')).toMatchObject({ completed: 1, pruned: 2 })
    expect(items.find((l) => l.sessionId === 'list-plain')?.pruned).toBeUndefined()
  })

  s.it('list filters by status, optimizer and updatedSince (inclusive), combined', async ({ store }) => {
    await seed(store)
    expect(ids((await listAll(store, { status: 'running' })).items)).toEqual(['list-a', 'list-d'])
    expect(ids((await listAll(store, { status: ['paused', 'completed'] })).items)).toEqual(['list-b', 'list-c'])
    expect(ids((await listAll(store, { optimizer: 'opt-x' })).items)).toEqual(['list-a', 'list-c', 'list-e'])
    expect(ids((await listAll(store, { updatedSince: 3_000 })).items)).toEqual(['list-c', 'list-d', 'list-e'])
    expect(ids((await listAll(store, { optimizer: 'opt-x', updatedSince: 2_000 })).items)).toEqual(['list-c', 'list-e'])
    expect(ids((await listAll(store, { status: 'running', optimizer: 'opt-x' })).items)).toEqual(['list-a'])
    expect(ids((await listAll(store, { optimizer: 'nobody' })).items)).toEqual([])
    expect(ids((await listAll(store, { status: 'corrupt' })).items)).toEqual([])
  })

  s.it('list pages with limit + cursor cover every session exactly once', async ({ store }) => {
    await seed(store)
    for (const limit of [1, 2, 3, 5, 10]) {
      const { items, pages } = await listAll(store, { limit })
      expect({ limit, ids: ids(items) }).toEqual({ limit, ids: ['list-a', 'list-b', 'list-c', 'list-d', 'list-e'] })
      expect(pages).toBeGreaterThanOrEqual(Math.ceil(5 / limit))
    }
    expect(ids((await listAll(store, { limit: 1, optimizer: 'opt-x' })).items)).toEqual(['list-a', 'list-c', 'list-e'])
    expect(ids((await listAll(store, { limit: 1, status: 'running' })).items)).toEqual(['list-a', 'list-d'])
    const first = await store.list({ limit: 2 })
    expect(ids(first.items)).toEqual(['list-a', 'list-b'])
    expect(first.cursor).toBeDefined()
  })

  s.it('list with a bad limit → InvalidInputError', async ({ store }) => {
    await seed(store)
    for (const limit of [0, -1, 1.5])
      expect({ limit, ...(await settle(store.list({ limit }))) }).toMatchObject({ limit, ...rejectedWith('INVALID_INPUT') })
  })
}
