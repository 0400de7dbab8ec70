import type { CheckpointStore, ClaimNextRequest, TrialClaim, TrialResultReport, TrialSlot } from '@cairn/core'
import { makeHead, makeTrial, nextHead } from '../helpers/head.js'
import { rejectedWith, settle } from '../helpers/outcome.js'
import type { Needs } from '../runner.js'
import type { StoreSuite } from './context.js'
import { createSharedSession, slotsOf as firstSlots, lapse, sampleReport, slotStore, type SlotStore } from './slot-helpers.js'

/** A claim that outlives any test. */
const LIVE_TTL_MS = 60_000
/** A claim meant to lapse: the tests wait for its `expiresAt` to pass, never assume it did. */
const SHORT_TTL_MS = 20

/** A store with `reportAndClaimTrial` (a store declaring `reportAndClaim` must have it). */
type CombinedStore = SlotStore & Required<Pick<CheckpointStore, 'reportAndClaimTrial'>>

function combinedStore(store: CheckpointStore): CombinedStore {
  const slots = slotStore(store)
  if (typeof slots.reportAndClaimTrial !== 'function')
    throw new Error('[@cairn/testkit] the store declares capabilities.reportAndClaim but has no reportAndClaimTrial')
  return slots as CombinedStore
}

const next = (trialIdxs: number[], owner = 'worker-a', ttlMs = LIVE_TTL_MS): ClaimNextRequest => ({ trialIdxs, owner, ttlMs })

/**
 * `reportAndClaimTrial` (a worker's report and its next claim in one call): which trial it
 * claims, that a refused report claims nothing, that the report stands when nothing can be
 * claimed, lapsed claims taken over, trials the head accounts for skipped, racing workers each
 * getting their own trial, unknown sessions and malformed input. Gated on the declared
 * capabilities `sharedEvaluation` and `reportAndClaim`.
 */
export function registerReportAndClaim(s: StoreSuite, sharedEvaluation: Needs): void {
  const { expect } = s.runner
  const needs: Needs = sharedEvaluation.ok
    ? { ok: s.capabilities.reportAndClaim === true, what: 'reportAndClaim' }
    : { ok: false, what: `${sharedEvaluation.what} + reportAndClaim` }
  const it = (name: string, fn: (store: CombinedStore) => Promise<void>, timeoutMs?: number) =>
    s.itIf(needs, `reportAndClaimTrial: ${name}`, async ({ store }) => fn(combinedStore(store)), timeoutMs)

  const slotsOf = (store: SlotStore, id: string, n = 6): Promise<TrialSlot[]> => firstSlots(store, id, n)

  it('stores the report, then claims the first trial of the list with no result and no live claim, also one not pending yet', async (store) => {
    const { sessionId: id } = await createSharedSession(store)
    const mine = await store.claimTrial(id, { trialIdx: 0, owner: 'worker-a', ttlMs: LIVE_TTL_MS })
    await store.claimTrial(id, { trialIdx: 1, owner: 'worker-b', ttlMs: LIVE_TTL_MS })
    const reported = await store.claimTrial(id, { trialIdx: 2, owner: 'worker-c', ttlMs: LIVE_TTL_MS })
    await store.reportTrialResult(id, reported, sampleReport(2))
    await store.claimTrial(id, { trialIdx: 3, owner: 'worker-d', ttlMs: LIVE_TTL_MS })
    // 0 is the reported trial, 1 and 3 have live claims, 2 a result: 4 (pending once 0 is committed) is claimed.
    const taken = await store.reportAndClaimTrial(id, mine, sampleReport(0), next([0, 1, 2, 3, 4, 5], 'worker-a'))
    expect(taken).toMatchObject({ trialIdx: 4, owner: 'worker-a', token: 1 })
    const [zero, , , , four, five] = await slotsOf(store, id)
    expect(zero?.result).toMatchObject({ ...sampleReport(0), owner: 'worker-a', claimToken: mine.token })
    expect(four?.claim).toMatchObject({ trialIdx: 4, owner: 'worker-a', token: 1 })
    expect(Math.abs((four?.claim?.expiresAt ?? 0) - (taken?.expiresAt ?? 0))).toBeLessThanOrEqual(1_000)
    expect(five).toEqual({ trialIdx: 5, claim: null, result: null })
    // The claim is like any other: renewed, refused to another worker, reported once.
    expect(await settle(store.claimTrial(id, { trialIdx: 4, owner: 'worker-b', ttlMs: LIVE_TTL_MS }))).toMatchObject(
      rejectedWith('TRIAL_CLAIMED'),
    )
    const renewed = await store.renewTrialClaim(id, taken as TrialClaim, LIVE_TTL_MS)
    await store.reportTrialResult(id, renewed, sampleReport(4))
    expect((await store.readTrialSlots(id, [4]))[0]?.result).toMatchObject({ owner: 'worker-a', claimToken: 1 })
  })

  it('the order of the list decides: the first claimable one is taken, not the lowest', async (store) => {
    const { sessionId: id } = await createSharedSession(store)
    const mine = await store.claimTrial(id, { trialIdx: 1, owner: 'worker-a', ttlMs: LIVE_TTL_MS })
    expect(await store.reportAndClaimTrial(id, mine, sampleReport(1), next([3, 2]))).toMatchObject({ trialIdx: 3, token: 1 })
    const [, , two] = await slotsOf(store, id)
    expect(two).toEqual({ trialIdx: 2, claim: null, result: null })
  })

  it('nothing claimable → null, and the report is stored all the same', async (store) => {
    const { sessionId: id } = await createSharedSession(store)
    const mine = await store.claimTrial(id, { trialIdx: 0, owner: 'worker-a', ttlMs: LIVE_TTL_MS })
    await store.claimTrial(id, { trialIdx: 1, owner: 'worker-b', ttlMs: LIVE_TTL_MS })
    const before = (await slotsOf(store, id)).slice(1)
    expect(await store.reportAndClaimTrial(id, mine, sampleReport(0), next([0, 1]))).toBeNull()
    const after = await slotsOf(store, id)
    expect(after[0]?.result).toMatchObject({ ...sampleReport(0), owner: 'worker-a', claimToken: 1 })
    expect(after.slice(1)).toEqual(before)
  })

  it('a refused report (superseded, lapsed, already reported) → ClaimLostError, and nothing is claimed', async (store) => {
    const { sessionId: id } = await createSharedSession(store)
    const superseded = await store.claimTrial(id, { trialIdx: 0, owner: 'worker-a', ttlMs: SHORT_TTL_MS })
    const lapsed = await store.claimTrial(id, { trialIdx: 1, owner: 'worker-a', ttlMs: SHORT_TTL_MS })
    await lapse(superseded)
    await lapse(lapsed)
    await store.claimTrial(id, { trialIdx: 0, owner: 'worker-b', ttlMs: LIVE_TTL_MS })
    const done = await store.claimTrial(id, { trialIdx: 2, owner: 'worker-c', ttlMs: LIVE_TTL_MS })
    await store.reportTrialResult(id, done, sampleReport(2))
    const before = await slotsOf(store, id)
    for (const [claim, idx] of [
      [superseded, 0],
      [lapsed, 1],
      [done, 2],
    ] as const)
      expect(await settle(store.reportAndClaimTrial(id, claim, sampleReport(idx), next([3, 4, 5])))).toMatchObject(
        rejectedWith('CLAIM_LOST'),
      )
    expect(await slotsOf(store, id)).toEqual(before)
  })

  it('a lapsed claim in the list is taken over with token + 1', async (store) => {
    const { sessionId: id } = await createSharedSession(store)
    const old = await store.claimTrial(id, { trialIdx: 3, owner: 'worker-b', ttlMs: SHORT_TTL_MS })
    await lapse(old)
    const mine = await store.claimTrial(id, { trialIdx: 0, owner: 'worker-a', ttlMs: LIVE_TTL_MS })
    expect(await store.reportAndClaimTrial(id, mine, sampleReport(0), next([3, 4]))).toMatchObject({
      trialIdx: 3,
      owner: 'worker-a',
      token: 2,
    })
    expect(await settle(store.reportTrialResult(id, old, sampleReport(3)))).toMatchObject(rejectedWith('CLAIM_LOST'))
  })

  it('a trial the head accounts for is not claimed', async (store) => {
    const { sessionId: id } = await createSharedSession(store)
    const first = await store.claimTrial(id, { trialIdx: 0, owner: 'worker-b', ttlMs: LIVE_TTL_MS })
    await store.reportTrialResult(id, first, sampleReport(0))
    const trials = [makeTrial(0)]
    const head = await store.load(id)
    await store.commit(id, {
      expectedRevision: head.revision,
      fencingToken: head.lease!.fencingToken,
      head: nextHead(head, trials, { pending: [...head.pending.slice(1), { trialIdx: 4, candidate: { x: 4 } }] }),
      trials,
    })
    const mine = await store.claimTrial(id, { trialIdx: 1, owner: 'worker-a', ttlMs: LIVE_TTL_MS })
    expect(await store.reportAndClaimTrial(id, mine, sampleReport(1), next([0, 2]))).toMatchObject({ trialIdx: 2, token: 1 })
  })

  it('workers reporting at once with the same list each claim a different trial', async (store) => {
    const { sessionId: id } = await createSharedSession(store)
    const claims = await Promise.all(
      [0, 1, 2, 3].map((trialIdx) => store.claimTrial(id, { trialIdx, owner: `worker-${trialIdx}`, ttlMs: LIVE_TTL_MS })),
    )
    const taken = await Promise.all(
      claims.map((c) => store.reportAndClaimTrial(id, c, sampleReport(c.trialIdx), next([0, 1, 2, 3, 4, 5, 6], c.owner))),
    )
    const idxs = taken.map((t) => t?.trialIdx)
    expect([...idxs].sort()).toEqual([4, 5, 6, undefined])
    const slots = await store.readTrialSlots(id, [0, 1, 2, 3, 4, 5, 6])
    expect(slots.slice(0, 4).every((slot) => slot.result !== null)).toBe(true)
    for (const t of taken) if (t) expect(slots[t.trialIdx]?.claim).toMatchObject({ owner: t.owner, token: 1 })
  })

  it('an unknown session → NotFoundError; malformed input → InvalidInputError, nothing written', async (store) => {
    const claim: TrialClaim = { trialIdx: 0, owner: 'worker-a', token: 1, expiresAt: Date.now() + LIVE_TTL_MS }
    expect(await settle(store.reportAndClaimTrial(makeHead().sessionId, claim, sampleReport(0), next([1])))).toMatchObject(
      rejectedWith('NOT_FOUND'),
    )
    const { sessionId: id } = await createSharedSession(store)
    const mine = await store.claimTrial(id, { trialIdx: 0, owner: 'worker-a', ttlMs: LIVE_TTL_MS })
    const before = await slotsOf(store, id)
    const badNext: unknown[] = [
      null,
      {},
      next([]),
      next([-1]),
      next([1.5]),
      { ...next([1]), trialIdxs: '1' },
      next([1], ''),
      next([1], 'worker-a', 0),
      next(Array.from({ length: 1025 }, (_, i) => i)),
    ]
    for (const bad of badNext)
      expect({ bad, ...(await settle(store.reportAndClaimTrial(id, mine, sampleReport(0), bad as ClaimNextRequest))) }).toMatchObject({
        bad,
        ...rejectedWith('INVALID_INPUT'),
      })
    const badReport = { candidate: { x: 0 } } as unknown as TrialResultReport
    expect(await settle(store.reportAndClaimTrial(id, mine, badReport, next([1])))).toMatchObject(rejectedWith('INVALID_INPUT'))
    expect(await settle(store.reportAndClaimTrial('../x', mine, sampleReport(0), next([1])))).toMatchObject(rejectedWith('INVALID_INPUT'))
    expect(await slotsOf(store, id)).toEqual(before)
  })
}
