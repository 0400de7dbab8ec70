import { describe, expect, test } from 'vitest'
import { ClaimLostError, createMemoryStore, NotFoundError, TrialClaimedError, type MemoryStore } from '../src/index.js'
import { jumpingClock } from './helpers/shared.js'
import { makeHead } from '@cairn/testkit'

const evaluation = { status: 'ok' as const, score: 1, durationMs: 3 }

async function sessionWithPending(store: MemoryStore, sessionId = 's1'): Promise<string> {
  await store.create(makeHead({ sessionId, pending: [0, 1, 2].map((trialIdx) => ({ trialIdx, candidate: { x: trialIdx } })) }))
  return sessionId
}

describe('memory store: trial slots', () => {
  test('declares shared evaluation for workers of one process', () => {
    expect(createMemoryStore().capabilities).toMatchObject({ sharedEvaluation: true, multiProcess: false, multiMachine: false })
  })

  test('a claim excludes other workers until it lapses on the store clock; the next claim gets token + 1', async () => {
    const clock = jumpingClock()
    const store = createMemoryStore({ clock })
    const id = await sessionWithPending(store)
    const first = await store.claimTrial(id, { trialIdx: 1, owner: 'a', ttlMs: 1_000 })
    expect(first).toMatchObject({ trialIdx: 1, owner: 'a', token: 1 })
    await expect(store.claimTrial(id, { trialIdx: 1, owner: 'b', ttlMs: 1_000 })).rejects.toMatchObject({
      code: 'TRIAL_CLAIMED',
      owner: 'a',
    })
    clock.advance(1_001)
    const second = await store.claimTrial(id, { trialIdx: 1, owner: 'b', ttlMs: 1_000 })
    expect(second).toMatchObject({ owner: 'b', token: 2 })
    // the first claim is fenced off: no renewal, no result
    await expect(store.renewTrialClaim(id, first, 1_000)).rejects.toBeInstanceOf(ClaimLostError)
    await expect(store.reportTrialResult(id, first, { candidate: { x: 1 }, evaluation })).rejects.toBeInstanceOf(ClaimLostError)
    const [slot] = await store.readTrialSlots(id, [1])
    expect(slot).toEqual({ trialIdx: 1, claim: second, result: null })
  })

  test('a renewed claim outlives its first ttl; a lapsed one cannot be renewed or report', async () => {
    const clock = jumpingClock()
    const store = createMemoryStore({ clock })
    const id = await sessionWithPending(store)
    const claim = await store.claimTrial(id, { trialIdx: 0, owner: 'a', ttlMs: 1_000 })
    clock.advance(800)
    const renewed = await store.renewTrialClaim(id, claim, 1_000)
    clock.advance(800)
    await expect(store.claimTrial(id, { trialIdx: 0, owner: 'b', ttlMs: 1_000 })).rejects.toBeInstanceOf(TrialClaimedError)
    clock.advance(201)
    await expect(store.renewTrialClaim(id, renewed, 1_000)).rejects.toThrow(/lapsed/)
    await expect(store.reportTrialResult(id, renewed, { candidate: { x: 0 }, evaluation })).rejects.toBeInstanceOf(ClaimLostError)
  })

  test('a result is stored once, with its claim; the slot then refuses claims and further reports', async () => {
    const store = createMemoryStore()
    const id = await sessionWithPending(store)
    const claim = await store.claimTrial(id, { trialIdx: 2, owner: 'a', ttlMs: 1_000 })
    const report = { candidate: { x: 2 }, evaluation: { ...evaluation, stats: { epochs: 3 } } }
    await store.reportTrialResult(id, claim, report)
    report.evaluation.stats.epochs = 99 // the store kept a copy
    await expect(store.reportTrialResult(id, claim, report)).rejects.toThrow(/already reported/)
    await expect(store.claimTrial(id, { trialIdx: 2, owner: 'b', ttlMs: 1_000 })).rejects.toThrow(/already has a reported result/)
    const slots = await store.readTrialSlots(id, [2, 0])
    expect(slots[0]?.result).toMatchObject({ candidate: { x: 2 }, evaluation: { stats: { epochs: 3 } }, owner: 'a', claimToken: 1 })
    expect(slots[1]).toEqual({ trialIdx: 0, claim: null, result: null })
  })

  test('slots of trials the head accounts for are dropped at commit and refused after; delete removes the rest', async () => {
    const store = createMemoryStore()
    const id = await sessionWithPending(store)
    const c0 = await store.claimTrial(id, { trialIdx: 0, owner: 'a', ttlMs: 10_000 })
    await store.reportTrialResult(id, c0, { candidate: { x: 0 }, evaluation })
    const c1 = await store.claimTrial(id, { trialIdx: 1, owner: 'a', ttlMs: 10_000 })
    const head = await store.load(id)
    await store.commit(id, {
      expectedRevision: head.revision,
      fencingToken: 1,
      head: { ...head, progress: { ...head.progress, attempts: 1 }, pending: head.pending.slice(1) },
      trials: [{ trialIdx: 0, candidate: { x: 0 }, status: 'ok', score: 1, durationMs: 3 }],
    })
    expect(await store.readTrialSlots(id, [0, 1])).toEqual([
      { trialIdx: 0, claim: null, result: null },
      { trialIdx: 1, claim: c1, result: null },
    ])
    await expect(store.claimTrial(id, { trialIdx: 0, owner: 'b', ttlMs: 1_000 })).rejects.toBeInstanceOf(TrialClaimedError)
    await store.delete(id)
    await expect(store.readTrialSlots(id, [1])).rejects.toBeInstanceOf(NotFoundError)
    await sessionWithPending(store)
    expect(await store.readTrialSlots(id, [1])).toEqual([{ trialIdx: 1, claim: null, result: null }])
  })

  test('unknown sessions and malformed input are refused before anything is written', async () => {
    const store = createMemoryStore()
    await expect(store.claimTrial('nope', { trialIdx: 0, owner: 'a', ttlMs: 1 })).rejects.toBeInstanceOf(NotFoundError)
    await expect(store.readTrialSlots('nope', [0])).rejects.toBeInstanceOf(NotFoundError)
    const id = await sessionWithPending(store)
    await expect(store.claimTrial(id, { trialIdx: -1, owner: 'a', ttlMs: 1 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'trialIdx',
    })
    expect(await store.readTrialSlots(id, [0])).toEqual([{ trialIdx: 0, claim: null, result: null }])
  })
})
