import type { CheckpointStore, Lease, ReplaceDamagedHeadRequest, SalvagedSession, TrialRecord } from '@cairn/core'
import { TEST_OWNER, makeHead, nextHead } from '../helpers/head.js'
import { rejectedWith, settle } from '../helpers/outcome.js'
import { commitNext, createSession, type StoreSuite } from './context.js'

/**
 * A damaged head can be salvaged and rebuilt (optional `salvage` / `replaceDamagedHead`):
 * what the store vouches for is exactly what was committed, a refused replacement writes
 * nothing, and an accepted one keeps the trial log and sets the damaged bytes aside.
 */
export function registerSalvage(s: StoreSuite, canSalvage: boolean): void {
  const { expect } = s.runner
  const needs = { ok: canSalvage, what: 'salvage + replaceDamagedHead' }
  const salvage = (store: CheckpointStore, id: string): Promise<SalvagedSession | null> =>
    (store.salvage as NonNullable<CheckpointStore['salvage']>).call(store, id)
  const replace = (store: CheckpointStore, id: string, request: ReplaceDamagedHeadRequest) =>
    (store.replaceDamagedHead as NonNullable<CheckpointStore['replaceDamagedHead']>).call(store, id, request)

  /**
   * Session `damaged` with `count` committed trials and a corrupt head, salvaged, then its lease
   * taken again: the damage token names the damaged bytes, not the lease, so it stays valid.
   */
  async function damagedSession(
    store: CheckpointStore,
    corruptHead: (sessionId: string) => Promise<void>,
    count: number,
  ): Promise<{ committed: TrialRecord[]; found: SalvagedSession; lease: Lease }> {
    await createSession(store, { sessionId: 'damaged' })
    await commitNext(store, 'damaged', { count })
    const committed = await store.readTrials('damaged')
    await corruptHead('damaged')
    const found = (await salvage(store, 'damaged')) as SalvagedSession
    const lease = await store.acquireLease('damaged', TEST_OWNER, 60_000)
    return { committed, found, lease }
  }

  s.itIf(needs, 'salvage: null for an intact head; for a damaged one its problem, lease and exactly the committed trials', async (fx) => {
    const { store } = fx
    const created = await createSession(store, { sessionId: 'damaged', name: 'to salvage', job: 'the-job' })
    await commitNext(store, 'damaged', { count: 3 })
    expect(await salvage(store, 'damaged')).toBeNull()
    const committed = await store.readTrials('damaged')
    await fx.corruptHead('damaged')
    expect(await settle(store.load('damaged'))).toMatchObject(rejectedWith('CHECKPOINT_CORRUPT'))

    const found = await salvage(store, 'damaged')
    expect(found).not.toBeNull()
    expect(found).toMatchObject({ sessionId: 'damaged', lease: { owner: TEST_OWNER, fencingToken: 1 } })
    expect(typeof found?.problem).toBe('string')
    expect(typeof found?.damage).toBe('string')
    if (found?.trials === null) expect(typeof found.trialsProblem).toBe('string')
    else expect(found?.trials).toEqual(committed)
    if (found?.listing)
      expect(found.listing).toMatchObject({
        sessionId: 'damaged',
        name: 'to salvage',
        job: 'the-job',
        status: 'running',
        optimizer: created.optimizer.id,
        completed: 3,
      })
    if (found?.revision !== null) expect(found?.revision).toBe(1)
    // Reading changed nothing.
    expect(await settle(store.load('damaged'))).toMatchObject(rejectedWith('CHECKPOINT_CORRUPT'))
    expect(await settle(salvage(store, 'no-such-session'))).toMatchObject(rejectedWith('NOT_FOUND'))
  })

  s.itIf(
    needs,
    'replaceDamagedHead: refusals write nothing; then the rebuilt head is in place, trials kept, damage set aside',
    async (fx) => {
      const { store } = fx
      const { committed, found, lease } = await damagedSession(store, fx.corruptHead, 3)
      const rebuilt = nextHead(makeHead({ sessionId: 'damaged', name: 'rebuilt' }), committed)
      const request = { damage: found.damage, fencingToken: lease.fencingToken, head: rebuilt }
      const stillCorrupt = async (): Promise<void> =>
        expect(await settle(store.load('damaged'))).toMatchObject(rejectedWith('CHECKPOINT_CORRUPT'))

      if (found.trials === null) {
        // Nothing to vouch for: the store refuses, and the damage stays as it is.
        expect(await settle(replace(store, 'damaged', request))).toMatchObject(rejectedWith('INVALID_INPUT'))
        await stillCorrupt()
        return
      }
      expect(await settle(replace(store, 'damaged', { ...request, damage: `${found.damage}-changed` }))).toMatchObject(
        rejectedWith('REVISION_CONFLICT'),
      )
      await stillCorrupt()
      expect(await settle(replace(store, 'damaged', { ...request, fencingToken: lease.fencingToken - 1 }))).toMatchObject(
        rejectedWith('LEASE_LOST'),
      )
      await stillCorrupt()
      const miscounted = { ...rebuilt, progress: { ...rebuilt.progress, attempts: committed.length + 1 } }
      expect(await settle(replace(store, 'damaged', { ...request, head: miscounted }))).toMatchObject(rejectedWith('INVALID_INPUT'))
      await stillCorrupt()

      const result = await replace(store, 'damaged', request)
      expect(typeof result.keptAs).toBe('string')
      expect(result.keptAs.length).toBeGreaterThan(0)
      if (found.revision !== null) expect(result.revision).toBe(found.revision + 1)
      const head = await store.load('damaged')
      expect(head).toMatchObject({ name: 'rebuilt', revision: result.revision, progress: { attempts: 3 } })
      expect(head.lease).toMatchObject({ owner: TEST_OWNER, fencingToken: lease.fencingToken })
      expect(await store.readTrials('damaged')).toEqual(committed)
      expect((await store.list({ status: 'running' })).items.map((l) => l.sessionId)).toEqual(['damaged'])
      expect(await salvage(store, 'damaged')).toBeNull()
      // The session goes on from the rebuilt head; the old damage cannot be "replaced" twice.
      expect((await commitNext(store, 'damaged', { count: 1, lease: head.lease ?? lease })).progress.attempts).toBe(4)
      expect(await settle(replace(store, 'damaged', request))).toMatchObject(rejectedWith('REVISION_CONFLICT'))
      await store.delete('damaged')
      expect((await store.list()).items).toEqual([])
    },
  )

  s.itIf(
    needs,
    'salvage and replaceDamagedHead refuse malformed input (session id, damage token, fencing token, head) → InvalidInputError, nothing written',
    async (fx) => {
      const { store } = fx
      const { committed, found, lease } = await damagedSession(store, fx.corruptHead, 2)
      const malformed = (id: string, request: unknown) => replace(store, id, request as ReplaceDamagedHeadRequest)
      const head = nextHead(makeHead({ sessionId: 'damaged' }), committed)
      const good = { damage: found.damage, fencingToken: lease.fencingToken, head }
      const bad: Array<[string, () => Promise<unknown>]> = [
        ['salvage ../x', () => salvage(store, '../x')],
        ['salvage ""', () => salvage(store, '')],
        ['replace ../x', () => malformed('../x', { ...good, head: { ...head, sessionId: '../x' } })],
        ['request null', () => malformed('damaged', null)],
        ['damage ""', () => malformed('damaged', { ...good, damage: '' })],
        ['damage 5', () => malformed('damaged', { ...good, damage: 5 })],
        ['fencing token 0', () => malformed('damaged', { ...good, fencingToken: 0 })],
        ['fencing token as a string', () => malformed('damaged', { ...good, fencingToken: String(lease.fencingToken) })],
        ['head null', () => malformed('damaged', { ...good, head: null })],
        ['head of another session', () => malformed('damaged', { ...good, head: { ...head, sessionId: 'another-session' } })],
        ['head without progress', () => malformed('damaged', { ...good, head: { ...head, progress: undefined } })],
      ]
      for (const [label, call] of bad) expect({ label, ...(await settle(call)) }).toMatchObject({ label, ...rejectedWith('INVALID_INPUT') })
      // Nothing was written: the head is as damaged as it was, its damage token unchanged.
      expect(await settle(store.load('damaged'))).toMatchObject(rejectedWith('CHECKPOINT_CORRUPT'))
      expect((await salvage(store, 'damaged'))?.damage).toBe(found.damage)
    },
  )
}
