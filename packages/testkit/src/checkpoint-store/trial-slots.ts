import { MAX_LEASE_TTL_MS } from '@cairn/core'
import type { TrialClaim, TrialResultReport, TrialSlot } from '@cairn/core'
import { makeHead, makeTrial, nextHead } from '../helpers/head.js'
import { rejectedWith, settle } from '../helpers/outcome.js'
import type { Needs } from '../runner.js'
import { snapshot, type StoreSuite } from './context.js'
import { createSharedSession, slotsOf as firstSlots, lapse, sampleReport, slotStore, type SlotStore } from './slot-helpers.js'

/** A claim that outlives any test. */
const LIVE_TTL_MS = 60_000
/** A claim meant to lapse: the tests wait for its `expiresAt` to pass, never assume it did. */
const SHORT_TTL_MS = 20

/** An `error` evaluation report. */
function errorReport(trialIdx: number): TrialResultReport {
  return {
    candidate: { x: trialIdx },
    evaluation: { status: 'error', error: { name: 'Error', message: 'boom' }, errorClass: 'objective', durationMs: 3 },
  }
}

/**
 * Claims `trialIdx` and reports `report` before the claim lapses, the claim's ttl growing (and
 * the trial claimed again) until the report beats it however slow the machine: so a test can
 * then let the claim lapse and look at a reported trial.
 */
async function claimAndReport(store: SlotStore, id: string, trialIdx: number, owner: string, report: TrialResultReport) {
  for (let ttlMs = 50; ; ttlMs *= 4) {
    const claim = await store.claimTrial(id, { trialIdx, owner, ttlMs })
    const outcome = await settle(store.reportTrialResult(id, claim, report))
    if (outcome.outcome === 'resolved') return claim
    if (outcome.code !== 'CLAIM_LOST' || ttlMs > LIVE_TTL_MS) throw new Error(`report failed: ${String(outcome.message)}`)
    await lapse(claim)
  }
}

/**
 * Trial slots ("many workers, one session"): claims with tokens, lapse and takeover, renewal,
 * reports refused to lost claims, readTrialSlots, unknown sessions, malformed input, delete,
 * and claims racing in one process and (multi-process stores) in several. Gated on the declared
 * capability `sharedEvaluation`.
 */
export function registerTrialSlots(s: StoreSuite): Needs {
  const { expect } = s.runner
  const needs = { ok: s.capabilities.sharedEvaluation === true, what: 'sharedEvaluation' }
  const it = (name: string, fn: (store: SlotStore) => Promise<void>, timeoutMs?: number) =>
    s.itIf(needs, `trial slots: ${name}`, async ({ store }) => fn(slotStore(store)), timeoutMs)

  const slotsOf = (store: SlotStore, id: string, n = 4): Promise<TrialSlot[]> => firstSlots(store, id, n)

  it('the first claim of a trial gets token 1, its owner and an expiry ttl ahead; readTrialSlots shows it', async (store) => {
    const { sessionId: id } = await createSharedSession(store)
    const before = Date.now()
    const claim = await store.claimTrial(id, { trialIdx: 1, owner: 'worker-a', ttlMs: LIVE_TTL_MS })
    expect(claim).toMatchObject({ trialIdx: 1, owner: 'worker-a', token: 1 })
    expect(claim.expiresAt).toBeGreaterThanOrEqual(before + LIVE_TTL_MS - 1_000)
    const [slot] = await store.readTrialSlots(id, [1])
    expect(slot).toMatchObject({ trialIdx: 1, claim: { trialIdx: 1, owner: 'worker-a', token: 1 }, result: null })
    expect(Math.abs((slot?.claim?.expiresAt ?? 0) - claim.expiresAt)).toBeLessThanOrEqual(1_000)
    // Other trials are untouched, and claimed independently.
    expect(await store.readTrialSlots(id, [0, 2])).toEqual([
      { trialIdx: 0, claim: null, result: null },
      { trialIdx: 2, claim: null, result: null },
    ])
    expect(await store.claimTrial(id, { trialIdx: 2, owner: 'worker-b', ttlMs: LIVE_TTL_MS })).toMatchObject({
      token: 1,
      owner: 'worker-b',
    })
  })

  it('claimTrial while another claim is live → TrialClaimedError naming its owner (same owner too), the slot unchanged', async (store) => {
    const { sessionId: id } = await createSharedSession(store)
    await store.claimTrial(id, { trialIdx: 0, owner: 'worker-a', ttlMs: LIVE_TTL_MS })
    const before = await slotsOf(store, id)
    const refused = await store.claimTrial(id, { trialIdx: 0, owner: 'worker-b', ttlMs: LIVE_TTL_MS }).catch((err: unknown) => err)
    expect(refused).toMatchObject({ code: 'TRIAL_CLAIMED', trialIdx: 0, owner: 'worker-a' })
    // A claim is not a lease: its holder asking again is refused as well (one evaluation per claim).
    expect(await settle(store.claimTrial(id, { trialIdx: 0, owner: 'worker-a', ttlMs: LIVE_TTL_MS }))).toMatchObject(
      rejectedWith('TRIAL_CLAIMED'),
    )
    expect(await slotsOf(store, id)).toEqual(before)
  })

  it('a lapsed claim is taken over with token + 1; the old claim can then neither renew nor report', async (store) => {
    const { sessionId: id } = await createSharedSession(store)
    const old = await store.claimTrial(id, { trialIdx: 3, owner: 'worker-a', ttlMs: SHORT_TTL_MS })
    expect(old.token).toBe(1)
    await lapse(old)
    const taken = await store.claimTrial(id, { trialIdx: 3, owner: 'worker-b', ttlMs: SHORT_TTL_MS })
    expect(taken).toMatchObject({ trialIdx: 3, owner: 'worker-b', token: 2 })
    const before = await slotsOf(store, id)
    expect(await settle(store.renewTrialClaim(id, old, LIVE_TTL_MS))).toMatchObject(rejectedWith('CLAIM_LOST'))
    expect(await settle(store.reportTrialResult(id, old, sampleReport(3)))).toMatchObject(rejectedWith('CLAIM_LOST'))
    expect(await slotsOf(store, id)).toEqual(before)
    // Lapsing again: each takeover gets the next token.
    await lapse(taken)
    expect(await store.claimTrial(id, { trialIdx: 3, owner: 'worker-a', ttlMs: LIVE_TTL_MS })).toMatchObject({
      token: 3,
      owner: 'worker-a',
    })
  })

  it('renewTrialClaim extends a live claim and keeps its token; a superseded or lapsed claim → ClaimLostError', async (store) => {
    const { sessionId: id } = await createSharedSession(store)
    const claim = await store.claimTrial(id, { trialIdx: 0, owner: 'worker-a', ttlMs: LIVE_TTL_MS })
    const renewed = await store.renewTrialClaim(id, claim, 10 * LIVE_TTL_MS)
    expect(renewed).toMatchObject({ trialIdx: 0, owner: 'worker-a', token: claim.token })
    expect(renewed.expiresAt).toBeGreaterThan(claim.expiresAt)
    const [slot] = await store.readTrialSlots(id, [0])
    expect(slot?.claim).toMatchObject({ owner: 'worker-a', token: claim.token })
    expect(Math.abs((slot?.claim?.expiresAt ?? 0) - renewed.expiresAt)).toBeLessThanOrEqual(1_000)
    // Renewing with the claim as first returned (not the renewed copy) works too: the token is what counts.
    expect(await store.renewTrialClaim(id, claim, 10 * LIVE_TTL_MS)).toMatchObject({ token: claim.token })

    // Lapsed, no one took it over: renewing does not revive it, and the next claim gets token + 1.
    const lapsing = await store.claimTrial(id, { trialIdx: 1, owner: 'worker-a', ttlMs: SHORT_TTL_MS })
    await lapse(lapsing)
    expect(await settle(store.renewTrialClaim(id, lapsing, LIVE_TTL_MS))).toMatchObject(rejectedWith('CLAIM_LOST'))
    expect(await store.claimTrial(id, { trialIdx: 1, owner: 'worker-b', ttlMs: LIVE_TTL_MS })).toMatchObject({ token: 2 })

    // Superseded: the slot keeps its new holder's claim.
    const superseded = await store.claimTrial(id, { trialIdx: 2, owner: 'worker-a', ttlMs: SHORT_TTL_MS })
    await lapse(superseded)
    const holder = await store.claimTrial(id, { trialIdx: 2, owner: 'worker-b', ttlMs: LIVE_TTL_MS })
    expect(await settle(store.renewTrialClaim(id, superseded, LIVE_TTL_MS))).toMatchObject(rejectedWith('CLAIM_LOST'))
    const [after] = await store.readTrialSlots(id, [2])
    expect(after?.claim).toMatchObject({ owner: 'worker-b', token: holder.token })
  })

  it('reportTrialResult by the current claim stores the result exactly (owner, token, candidate, evaluation)', async (store) => {
    const { sessionId: id } = await createSharedSession(store)
    const ok = await store.claimTrial(id, { trialIdx: 0, owner: 'worker-a', ttlMs: LIVE_TTL_MS })
    const failed = await store.claimTrial(id, { trialIdx: 2, owner: 'worker-b', ttlMs: LIVE_TTL_MS })
    const before = Date.now()
    expect(await store.reportTrialResult(id, ok, sampleReport(0))).toBeUndefined()
    await store.reportTrialResult(id, failed, errorReport(2))
    const [zero, one, two] = await store.readTrialSlots(id, [0, 1, 2])
    expect(zero?.result).toEqual({ ...sampleReport(0), owner: 'worker-a', claimToken: 1, reportedAt: zero?.result?.reportedAt })
    expect(zero?.result?.reportedAt).toBeGreaterThanOrEqual(before - 1_000)
    expect(zero?.result?.reportedAt).toBeLessThanOrEqual(Date.now() + 1_000)
    expect(two?.result).toEqual({ ...errorReport(2), owner: 'worker-b', claimToken: 1, reportedAt: two?.result?.reportedAt })
    // The claim that reported stays the slot's latest claim.
    expect(zero?.claim).toMatchObject({ owner: 'worker-a', token: 1 })
    expect(one).toEqual({ trialIdx: 1, claim: null, result: null })
    // Once: a second report, even by the same claim with the same result, is refused and changes nothing.
    const stored = await slotsOf(store, id)
    expect(await settle(store.reportTrialResult(id, ok, sampleReport(0)))).toMatchObject(rejectedWith('CLAIM_LOST'))
    expect(await settle(store.reportTrialResult(id, ok, errorReport(0)))).toMatchObject(rejectedWith('CLAIM_LOST'))
    expect(await settle(store.renewTrialClaim(id, ok, LIVE_TTL_MS))).toMatchObject(rejectedWith('CLAIM_LOST'))
    expect(await slotsOf(store, id)).toEqual(stored)
  })

  it('reportTrialResult by a superseded or a lapsed claim → ClaimLostError, nothing written', async (store) => {
    const { sessionId: id } = await createSharedSession(store)
    const superseded = await store.claimTrial(id, { trialIdx: 0, owner: 'worker-a', ttlMs: SHORT_TTL_MS })
    const lapsed = await store.claimTrial(id, { trialIdx: 1, owner: 'worker-a', ttlMs: SHORT_TTL_MS })
    await lapse(superseded)
    await lapse(lapsed)
    const holder = await store.claimTrial(id, { trialIdx: 0, owner: 'worker-b', ttlMs: LIVE_TTL_MS })
    const before = await slotsOf(store, id)
    expect(await settle(store.reportTrialResult(id, superseded, sampleReport(0)))).toMatchObject(rejectedWith('CLAIM_LOST'))
    expect(await settle(store.reportTrialResult(id, lapsed, sampleReport(1)))).toMatchObject(rejectedWith('CLAIM_LOST'))
    expect(await slotsOf(store, id)).toEqual(before)
    // The current holder still reports; the lapsed trial is claimed again with the next token.
    await store.reportTrialResult(id, holder, sampleReport(0))
    expect((await store.readTrialSlots(id, [0]))[0]?.result).toMatchObject({ owner: 'worker-b', claimToken: 2 })
    expect(await store.claimTrial(id, { trialIdx: 1, owner: 'worker-b', ttlMs: LIVE_TTL_MS })).toMatchObject({ token: 2 })
  })

  it('a trial with a reported result cannot be claimed again → TrialClaimedError, also once its claim lapsed', async (store) => {
    const { sessionId: id } = await createSharedSession(store)
    const claim = await claimAndReport(store, id, 2, 'worker-a', sampleReport(2))
    const before = await slotsOf(store, id)
    expect(await settle(store.claimTrial(id, { trialIdx: 2, owner: 'worker-b', ttlMs: LIVE_TTL_MS }))).toMatchObject(
      rejectedWith('TRIAL_CLAIMED'),
    )
    await lapse(claim)
    expect(await settle(store.claimTrial(id, { trialIdx: 2, owner: 'worker-b', ttlMs: LIVE_TTL_MS }))).toMatchObject(
      rejectedWith('TRIAL_CLAIMED'),
    )
    expect(await slotsOf(store, id)).toEqual(before)
  })

  it('readTrialSlots returns the slots in the order asked; a trial never claimed reads { claim: null, result: null }', async (store) => {
    const { sessionId: id } = await createSharedSession(store, 6)
    await store.claimTrial(id, { trialIdx: 4, owner: 'worker-a', ttlMs: LIVE_TTL_MS })
    const reported = await store.claimTrial(id, { trialIdx: 1, owner: 'worker-b', ttlMs: LIVE_TTL_MS })
    await store.reportTrialResult(id, reported, sampleReport(1))
    const slots = await store.readTrialSlots(id, [4, 0, 1, 5])
    expect(slots.map((slot) => slot.trialIdx)).toEqual([4, 0, 1, 5])
    expect(slots[0]).toMatchObject({ claim: { owner: 'worker-a', token: 1 }, result: null })
    expect(slots[1]).toEqual({ trialIdx: 0, claim: null, result: null })
    expect(slots[2]).toMatchObject({ claim: { owner: 'worker-b', token: 1 }, result: { owner: 'worker-b', claimToken: 1 } })
    expect(slots[3]).toEqual({ trialIdx: 5, claim: null, result: null })
    expect(await store.readTrialSlots(id, [])).toEqual([])
    expect(await store.readTrialSlots(id, [1, 4])).toEqual([slots[2], slots[0]])
  })

  it('a commit of other trials leaves the slots of trials still pending as they were', async (store) => {
    const created = await createSharedSession(store)
    const id = created.sessionId
    await claimAndReport(store, id, 0, 'worker-a', sampleReport(0))
    const reported = await store.claimTrial(id, { trialIdx: 1, owner: 'worker-b', ttlMs: LIVE_TTL_MS })
    await store.reportTrialResult(id, reported, sampleReport(1))
    await store.claimTrial(id, { trialIdx: 2, owner: 'worker-c', ttlMs: LIVE_TTL_MS })
    const pendingBefore = await store.readTrialSlots(id, [1, 2, 3])
    // The coordinator commits trial 0 (the slot of a trial the head accounts for may be dropped).
    const trials = [makeTrial(0)]
    const head = await store.load(id)
    await store.commit(id, {
      expectedRevision: head.revision,
      fencingToken: head.lease!.fencingToken,
      head: nextHead(head, trials, { pending: head.pending.slice(1) }),
      trials,
    })
    expect(await store.readTrialSlots(id, [1, 2, 3])).toEqual(pendingBefore)
    const [zero] = await store.readTrialSlots(id, [0])
    expect(zero?.trialIdx).toBe(0)
    if (zero?.result) expect(zero.result).toMatchObject({ ...sampleReport(0), owner: 'worker-a' })
  })

  it('every slot method on an unknown session → NotFoundError', async (store) => {
    const id = makeHead().sessionId
    const claim: TrialClaim = { trialIdx: 0, owner: 'worker-a', token: 1, expiresAt: Date.now() + LIVE_TTL_MS }
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['claimTrial', () => store.claimTrial(id, { trialIdx: 0, owner: 'worker-a', ttlMs: LIVE_TTL_MS })],
      ['renewTrialClaim', () => store.renewTrialClaim(id, claim, LIVE_TTL_MS)],
      ['reportTrialResult', () => store.reportTrialResult(id, claim, sampleReport(0))],
      ['readTrialSlots', () => store.readTrialSlots(id, [0])],
    ]
    for (const [method, call] of calls) expect({ method, ...(await settle(call)) }).toMatchObject({ method, ...rejectedWith('NOT_FOUND') })
    expect((await store.list()).items).toEqual([])
  })

  it('slot methods refuse malformed input (trial index, owner, ttl, claim, report, session id) → InvalidInputError, nothing written', async (store) => {
    const { sessionId: id } = await createSharedSession(store)
    const claim = await store.claimTrial(id, { trialIdx: 0, owner: 'worker-a', ttlMs: LIVE_TTL_MS })
    const before = { session: await snapshot(store, id), slots: await slotsOf(store, id) }
    const request = { trialIdx: 1, owner: 'worker-b', ttlMs: LIVE_TTL_MS }
    const badIdx: unknown[] = [-1, 1.5, Number.NaN, '1', null, undefined]
    const badOwners: unknown[] = ['', 42, null, 'o'.repeat(513)]
    const badTtls: unknown[] = [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '1000', MAX_LEASE_TTL_MS + 1]
    const badClaims: unknown[] = [
      null,
      {},
      { ...claim, token: 0 },
      { ...claim, token: 1.5 },
      { ...claim, token: '1' },
      { ...claim, trialIdx: -1 },
      { ...claim, owner: '' },
    ]
    const badReports: unknown[] = [
      null,
      { candidate: { x: 0 } },
      { candidate: { x: 0 }, evaluation: null },
      { evaluation: sampleReport(0).evaluation },
    ]
    const calls: Array<[string, () => Promise<unknown>]> = [
      ...badIdx.map((trialIdx): [string, () => Promise<unknown>] => [
        `claimTrial trialIdx ${String(trialIdx)}`,
        () => store.claimTrial(id, { ...request, trialIdx: trialIdx as number }),
      ]),
      ...badOwners.map((owner): [string, () => Promise<unknown>] => [
        `claimTrial owner ${String(owner)}`,
        () => store.claimTrial(id, { ...request, owner: owner as string }),
      ]),
      ...badTtls.map((ttlMs): [string, () => Promise<unknown>] => [
        `claimTrial ttl ${String(ttlMs)}`,
        () => store.claimTrial(id, { ...request, ttlMs: ttlMs as number }),
      ]),
      ['claimTrial request null', () => store.claimTrial(id, null as never)],
      ...badTtls.map((ttlMs): [string, () => Promise<unknown>] => [
        `renewTrialClaim ttl ${String(ttlMs)}`,
        () => store.renewTrialClaim(id, claim, ttlMs as number),
      ]),
      ...badClaims.map((c): [string, () => Promise<unknown>] => [
        `renewTrialClaim claim ${JSON.stringify(c)}`,
        () => store.renewTrialClaim(id, c as TrialClaim, LIVE_TTL_MS),
      ]),
      ...badClaims.map((c): [string, () => Promise<unknown>] => [
        `reportTrialResult claim ${JSON.stringify(c)}`,
        () => store.reportTrialResult(id, c as TrialClaim, sampleReport(0)),
      ]),
      ...badReports.map((r): [string, () => Promise<unknown>] => [
        `reportTrialResult report ${JSON.stringify(r)}`,
        () => store.reportTrialResult(id, claim, r as TrialResultReport),
      ]),
      ...[null, 'x', [-1], [0, 1.5], ['0']].map((idxs): [string, () => Promise<unknown>] => [
        `readTrialSlots ${JSON.stringify(idxs)}`,
        () => store.readTrialSlots(id, idxs as number[]),
      ]),
      ...['../x', 'a/b', ''].flatMap(
        (bad): Array<[string, () => Promise<unknown>]> => [
          [`claimTrial id ${bad}`, () => store.claimTrial(bad, request)],
          [`renewTrialClaim id ${bad}`, () => store.renewTrialClaim(bad, claim, LIVE_TTL_MS)],
          [`reportTrialResult id ${bad}`, () => store.reportTrialResult(bad, claim, sampleReport(0))],
          [`readTrialSlots id ${bad}`, () => store.readTrialSlots(bad, [0])],
        ],
      ),
    ]
    for (const [label, call] of calls) expect({ label, ...(await settle(call)) }).toMatchObject({ label, ...rejectedWith('INVALID_INPUT') })
    expect({ session: await snapshot(store, id), slots: await slotsOf(store, id) }).toEqual(before)
    // The well-formed calls still go through.
    expect(await store.claimTrial(id, request)).toMatchObject({ token: 1, owner: 'worker-b' })
    await store.reportTrialResult(id, claim, sampleReport(0))
  })

  it('delete removes the slots: a session created again with the same id has none', async (store) => {
    const { sessionId: id } = await createSharedSession(store)
    await claimAndReport(store, id, 0, 'worker-a', sampleReport(0))
    await store.claimTrial(id, { trialIdx: 1, owner: 'worker-b', ttlMs: LIVE_TTL_MS })
    await store.delete(id)
    expect(await settle(store.readTrialSlots(id, [0, 1]))).toMatchObject(rejectedWith('NOT_FOUND'))
    await createSharedSession(store, 4, { sessionId: id })
    expect(await slotsOf(store, id)).toEqual(Array.from({ length: 4 }, (_, i) => ({ trialIdx: i, claim: null, result: null })))
    expect(await store.claimTrial(id, { trialIdx: 0, owner: 'worker-c', ttlMs: LIVE_TTL_MS })).toMatchObject({ token: 1 })
  })

  it('parallel claims of one trial: exactly one wins; parallel reports of one claim: exactly one is stored', async (store) => {
    const { sessionId: id } = await createSharedSession(store)
    const owners = Array.from({ length: 8 }, (_, i) => `worker-${i}`)
    const outcomes = await Promise.all(owners.map((owner) => settle(store.claimTrial(id, { trialIdx: 2, owner, ttlMs: LIVE_TTL_MS }))))
    const won = outcomes.flatMap((o) => (o.outcome === 'resolved' ? [o.value] : []))
    expect(won).toHaveLength(1)
    expect(won[0]).toMatchObject({ trialIdx: 2, token: 1 })
    for (const o of outcomes) if (o.outcome === 'rejected') expect(o).toMatchObject(rejectedWith('TRIAL_CLAIMED'))
    const claim = won[0] as TrialClaim
    expect((await store.readTrialSlots(id, [2]))[0]?.claim).toMatchObject({ owner: claim.owner, token: 1 })

    const reports = await Promise.all(
      [0, 1, 2, 3].map((k) => settle(store.reportTrialResult(id, claim, { ...sampleReport(2), candidate: { x: 2, attempt: k } }))),
    )
    expect(reports.filter((o) => o.outcome === 'resolved')).toHaveLength(1)
    for (const o of reports) if (o.outcome === 'rejected') expect(o).toMatchObject(rejectedWith('CLAIM_LOST'))
    const stored = (await store.readTrialSlots(id, [2]))[0]?.result
    const k = reports.findIndex((o) => o.outcome === 'resolved')
    expect(stored).toMatchObject({ candidate: { x: 2, attempt: k }, owner: claim.owner, claimToken: 1 })
  })

  return needs
}
