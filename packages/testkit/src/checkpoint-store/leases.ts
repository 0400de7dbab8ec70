import type { CheckpointStore, Lease } from '@cairn/core'
import { makeTrial, nextHead } from '../helpers/head.js'
import { rejectedWith, settle } from '../helpers/outcome.js'
import { sleep } from '../helpers/time.js'
import { commitNext, createSession, snapshot, type StoreSuite } from './context.js'

/** Makes `owner`'s lease expire: re-acquire it with a tiny TTL and let the TTL pass. */
async function expire(store: CheckpointStore, sessionId: string, owner: string): Promise<Lease> {
  const lease = await store.acquireLease(sessionId, owner, 20)
  await sleep(60)
  return lease
}

/** Leases and fencing. */
export function registerLeases(s: StoreSuite): void {
  const { expect } = s.runner

  s.it('acquireLease while another owner holds a live lease → AlreadyRunningError', async ({ store }) => {
    const created = await createSession(store)
    const id = created.sessionId
    expect(await settle(store.acquireLease(id, 'other-owner', 10_000))).toMatchObject(rejectedWith('ALREADY_RUNNING'))
    expect((await store.load(id)).lease).toEqual(created.lease)
    // The refusal names the holder and says when its lease expires (callers wait for it or report it).
    const refused = (await store.acquireLease(id, 'other-owner', 10_000).catch((err: unknown) => err)) as {
      owner?: unknown
      leaseExpiresAt?: unknown
    }
    expect(refused.owner).toBe(created.lease!.owner)
    expect(typeof refused.leaseExpiresAt).toBe('number')
    expect(Math.abs((refused.leaseExpiresAt as number) - created.lease!.expiresAt)).toBeLessThanOrEqual(1_000)
    // The holder itself may re-acquire (it gets a new token).
    const again = await store.acquireLease(id, created.lease!.owner, 10_000)
    expect(again).toMatchObject({ owner: created.lease!.owner, fencingToken: 2 })
  })

  s.it('the fencing token increments on every acquisition, also after a release', async ({ store }) => {
    const { sessionId: id, lease: first } = await createSession(store)
    expect(first!.fencingToken).toBe(1)
    const a = await store.acquireLease(id, first!.owner, 10_000)
    expect(a.fencingToken).toBe(2)
    await store.releaseLease(id, a)
    const b = await store.acquireLease(id, 'owner-b', 10_000)
    expect(b).toMatchObject({ owner: 'owner-b', fencingToken: 3 })
    expect(b.expiresAt).toBeGreaterThan(Date.now())
    const loaded = (await store.load(id)).lease
    expect(loaded).toMatchObject({ owner: 'owner-b', fencingToken: 3 })
    expect(Math.abs((loaded?.expiresAt ?? 0) - b.expiresAt)).toBeLessThanOrEqual(1_000)
    await store.releaseLease(id, b)
    const c = await store.acquireLease(id, 'owner-c', 10_000)
    expect(c.fencingToken).toBe(4)
  })

  s.it('fencing: after another owner takes the expired lease, the old token commits nothing → LeaseLostError', async ({ store }) => {
    const created = await createSession(store)
    const id = created.sessionId
    await commitNext(store, id)
    const old = await expire(store, id, created.lease!.owner)
    const taken = await store.acquireLease(id, 'new-owner', 10_000)
    expect(taken.fencingToken).toBeGreaterThan(old.fencingToken)
    const before = await snapshot(store, id)
    const trials = [makeTrial(before.head.progress.attempts, { candidate: { from: 'zombie' } })]
    const stale = store.commit(id, {
      expectedRevision: before.head.revision,
      fencingToken: old.fencingToken,
      head: nextHead(before.head, trials),
      trials,
    })
    expect(await settle(stale)).toMatchObject(rejectedWith('LEASE_LOST'))
    expect(await snapshot(store, id)).toEqual(before)
    // The new owner commits fine.
    const after = await commitNext(store, id, { lease: taken })
    expect(after.revision).toBe(before.head.revision + 1)
    expect(after.lease).toMatchObject({ owner: 'new-owner', fencingToken: taken.fencingToken })
  })

  s.it('renewLease extends the current lease; with a superseded token → LeaseLostError', async ({ store }) => {
    const created = await createSession(store)
    const id = created.sessionId
    await store.releaseLease(id, created.lease!)
    const lease = await store.acquireLease(id, 'owner-a', 1_000)
    const renewed = await store.renewLease(id, lease, 60_000)
    expect(renewed).toMatchObject({ owner: 'owner-a', fencingToken: lease.fencingToken })
    expect(renewed.expiresAt).toBeGreaterThan(lease.expiresAt)
    await expire(store, id, 'owner-a')
    const taken = await store.acquireLease(id, 'owner-b', 10_000)
    expect(await settle(store.renewLease(id, renewed, 10_000))).toMatchObject(rejectedWith('LEASE_LOST'))
    expect((await store.load(id)).lease).toMatchObject({ owner: 'owner-b', fencingToken: taken.fencingToken })
  })

  s.it('releaseLease lets another owner acquire at once; a stale release is a no-op', async ({ store }) => {
    const created = await createSession(store)
    const id = created.sessionId
    await store.releaseLease(id, created.lease!)
    const b = await store.acquireLease(id, 'owner-b', 60_000)
    expect(b).toMatchObject({ owner: 'owner-b', fencingToken: 2 })
    // Releasing the superseded lease must not free owner-b's.
    await store.releaseLease(id, created.lease!)
    expect(await settle(store.acquireLease(id, 'owner-c', 60_000))).toMatchObject(rejectedWith('ALREADY_RUNNING'))
    expect((await store.load(id)).lease).toMatchObject({ owner: 'owner-b', fencingToken: 2 })
  })
}
