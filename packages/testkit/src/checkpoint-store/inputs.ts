import { MAX_LEASE_TTL_MS } from '@cairn/core'
import type { CheckpointStore, CommitRequest, Lease, ListFilter } from '@cairn/core'
import { makeHead, makeTrial, nextHead } from '../helpers/head.js'
import { rejectedWith, settle } from '../helpers/outcome.js'
import { createSession, snapshot, type StoreSuite } from './context.js'

/** Lease owners every store refuses. */
const BAD_OWNERS: unknown[] = ['', 42, null, undefined, 'o'.repeat(513)]
/** Lease ttls every store refuses: not a positive number of ms, or more than 24 hours. */
const BAD_TTLS: unknown[] = [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '1000', null, MAX_LEASE_TTL_MS + 1, 1e15]
/** Leases `renewLease` / `releaseLease` refuse. */
const BAD_LEASES: unknown[] = [
  null,
  {},
  { owner: '', fencingToken: 1, expiresAt: 0 },
  { owner: 'o', fencingToken: 0, expiresAt: 0 },
  { owner: 'o', fencingToken: 1.5, expiresAt: 0 },
  { owner: 'o', fencingToken: '1', expiresAt: 0 },
  { owner: 'o', fencingToken: 1, expiresAt: Number.NaN },
]
/** Session ids every method refuses. */
const BAD_IDS = ['../x', 'a/b', '']

/**
 * Malformed input: every store refuses the same things with `InvalidInputError` (code
 * `INVALID_INPUT`) before it reads or writes anything — core's shared checks
 * (`@cairn/core/store-kit`) make that one call per method.
 */
export function registerInputs(s: StoreSuite): void {
  const { expect } = s.runner

  /** Asserts each call rejects with INVALID_INPUT and that the session is left as it was. */
  async function refusesAll(store: CheckpointStore, id: string, calls: Array<[label: unknown, call: () => Promise<unknown>]>) {
    const before = await snapshot(store, id)
    for (const [label, call] of calls) expect({ label, ...(await settle(call)) }).toMatchObject({ label, ...rejectedWith('INVALID_INPUT') })
    expect(await snapshot(store, id)).toEqual(before)
  }

  s.it('acquireLease refuses a malformed owner (empty, not a string, over 512 characters) → InvalidInputError', async ({ store }) => {
    const { sessionId: id } = await createSession(store)
    await store.releaseLease(id, (await store.load(id)).lease as Lease)
    await refusesAll(
      store,
      id,
      BAD_OWNERS.map((owner) => [owner, () => store.acquireLease(id, owner as string, 10_000)]),
    )
    // The longest owner name is fine.
    expect(await store.acquireLease(id, 'o'.repeat(512), 10_000)).toMatchObject({ owner: 'o'.repeat(512) })
  })

  s.it('acquireLease and renewLease refuse a ttl that is not a positive number of ms of at most 24 hours', async ({ store }) => {
    const created = await createSession(store)
    const id = created.sessionId
    const lease = created.lease as Lease
    await refusesAll(store, id, [
      ...BAD_TTLS.map((ttl): [unknown, () => Promise<unknown>] => [
        `acquire ${String(ttl)}`,
        () => store.acquireLease(id, lease.owner, ttl as number),
      ]),
      ...BAD_TTLS.map((ttl): [unknown, () => Promise<unknown>] => [
        `renew ${String(ttl)}`,
        () => store.renewLease(id, lease, ttl as number),
      ]),
    ])
    // 24 hours is the longest lease.
    const day = await store.renewLease(id, lease, MAX_LEASE_TTL_MS)
    expect(day.expiresAt).toBeGreaterThan(Date.now() + MAX_LEASE_TTL_MS - 60_000)
  })

  s.it('renewLease and releaseLease refuse a malformed lease → InvalidInputError, the lease unchanged', async ({ store }) => {
    const { sessionId: id } = await createSession(store)
    await refusesAll(store, id, [
      ...BAD_LEASES.map((l): [unknown, () => Promise<unknown>] => [l, () => store.renewLease(id, l as Lease, 10_000)]),
      ...BAD_LEASES.map((l): [unknown, () => Promise<unknown>] => [l, () => store.releaseLease(id, l as Lease)]),
    ])
  })

  s.it(
    'commit refuses a malformed request (revision, fencing token, head, trials) → InvalidInputError, nothing written',
    async ({ store }) => {
      const created = await createSession(store)
      const id = created.sessionId
      const trials = [makeTrial(0)]
      const good: CommitRequest = { expectedRevision: 0, fencingToken: 1, head: nextHead(created, trials), trials }
      const bad: Array<[string, unknown]> = [
        ['request null', null],
        ['revision -1', { ...good, expectedRevision: -1 }],
        ['revision 0.5', { ...good, expectedRevision: 0.5 }],
        ['revision "0"', { ...good, expectedRevision: '0' }],
        ['fencing token 0', { ...good, fencingToken: 0 }],
        ['fencing token 1.5', { ...good, fencingToken: 1.5 }],
        ['fencing token "1"', { ...good, fencingToken: '1' }],
        ['head null', { ...good, head: null }],
        ['head of another session', { ...good, head: { ...good.head, sessionId: 'another-session' } }],
        ['trials not an array', { ...good, trials: 'trial 0' }],
        ['a trial without an index', { ...good, trials: [{ ...trials[0], trialIdx: 'first' }] }],
      ]
      await refusesAll(
        store,
        id,
        bad.map(([label, request]) => [label, () => store.commit(id, request as CommitRequest)]),
      )
      // The well-formed request still commits.
      expect(await store.commit(id, good)).toEqual({ revision: 1, control: null })
    },
  )

  s.it(
    'create refuses a malformed head (not an object, revision ≠ 0, a malformed lease) → InvalidInputError, nothing stored',
    async ({ store }) => {
      const bad: Array<[string, unknown]> = [
        ['null', null],
        ['revision 1', makeHead({ revision: 1 })],
        ['lease without an owner', makeHead({ lease: { owner: '', fencingToken: 1, expiresAt: Date.now() + 60_000 } })],
        ['lease with token 0', makeHead({ lease: { owner: 'o', fencingToken: 0, expiresAt: Date.now() + 60_000 } })],
      ]
      for (const [label, head] of bad)
        expect({ label, ...(await settle(store.create(head as never))) }).toMatchObject({ label, ...rejectedWith('INVALID_INPUT') })
      expect((await store.list()).items).toEqual([])
    },
  )

  s.it('requestControl refuses a request other than pause or cancel → InvalidInputError', async ({ store }) => {
    const { sessionId: id } = await createSession(store)
    await refusesAll(
      store,
      id,
      ['stop', 'PAUSE', undefined, 1].map((r) => [r, () => store.requestControl(id, r as never)]),
    )
  })

  s.it(
    'list refuses a malformed filter (unknown key, status, limit, cursor, updatedSince, optimizer) → InvalidInputError',
    async ({ store }) => {
      await createSession(store)
      const bad: unknown[] = [
        { limt: 5 },
        { status: 'bogus' },
        { status: ['running', 'bogus'] },
        { limit: 0 },
        { limit: 1.5 },
        { limit: '5' },
        { cursor: 5 },
        { updatedSince: Number.NaN },
        { updatedSince: '2020-01-01' },
        { optimizer: 5 },
        null,
      ]
      for (const filter of bad)
        expect({ filter, ...(await settle(store.list(filter as ListFilter))) }).toMatchObject({ filter, ...rejectedWith('INVALID_INPUT') })
      expect((await store.list({ status: ['running', 'corrupt'], limit: 1 })).items).toHaveLength(1)
    },
  )

  s.it('readTrials refuses malformed from / limit and unknown keys → InvalidInputError', async ({ store }) => {
    const { sessionId: id } = await createSession(store)
    await refusesAll(
      store,
      id,
      [{ from: -1 }, { from: 1.5 }, { from: Number.NaN }, { from: '0' }, { limit: -1 }, { limit: 1.5 }, { form: 1 }, null].map((o) => [
        o,
        () => store.readTrials(id, o as never),
      ]),
    )
  })

  s.it('every method refuses a malformed session id, lease and control methods included → InvalidInputError', async ({ store }) => {
    const { sessionId: id, lease } = await createSession(store)
    const l = lease as Lease
    await refusesAll(
      store,
      id,
      BAD_IDS.flatMap(
        (bad): Array<[unknown, () => Promise<unknown>]> => [
          [`acquireLease ${bad}`, () => store.acquireLease(bad, 'o', 10_000)],
          [`renewLease ${bad}`, () => store.renewLease(bad, l, 10_000)],
          [`releaseLease ${bad}`, () => store.releaseLease(bad, l)],
          [`readTrials ${bad}`, () => store.readTrials(bad)],
          [`requestControl ${bad}`, () => store.requestControl(bad, 'pause')],
        ],
      ),
    )
  })
}
