import { describe, expect, test } from 'vitest'
import { createMemoryStore, joinSession, startSession, type ObjectiveContext } from '../src/index.js'
import { joinSessionWith } from '../src/testing.js'
import { nearBest, uniform } from './helpers/optimizers.js'
import { gate, jumpingClock, killable, localRun, outcomes, until } from './helpers/shared.js'

const score = (c: { x: number }): number => (c.x - 1) ** 2
const SEED = 11

describe('shared evaluation: lost claims, stale results, a dead coordinator', () => {
  test('a worker whose claim lapses loses its result (claimsLost); another worker runs the trial again, and only its result is committed', async () => {
    const clock = jumpingClock()
    const store = createMemoryStore({ clock })
    const stuckStarted = gate()
    const releaseStuck = gate()
    const stuck = async (c: { x: number }, ctx: ObjectiveContext): Promise<number> => {
      if (ctx.trialIdx === 0) {
        stuckStarted.open()
        await releaseStuck.wait
        return -1_000 // would be the best score by far, were it committed
      }
      return score(c)
    }
    const coordinator = await startSession({
      store,
      optimizer: nearBest(),
      objective: score,
      evaluation: 'shared',
      evaluateLocally: false,
      parallelism: 2,
      seed: SEED,
      maxTrials: 6,
      pollIntervalMs: 1,
    })
    const slow = await joinSessionWith(store, coordinator.id, { objective: stuck, owner: 'slow', pollIntervalMs: 1 }, { now: clock.now })
    await stuckStarted.wait
    expect(slow.running()).toEqual([0])
    clock.advance(30_001) // past the default trial lease: the slow worker's claim lapsed (it renews every 7.5 s of real time)
    const fast = await joinSessionWith(store, coordinator.id, { objective: score, owner: 'fast', pollIntervalMs: 1 }, { now: clock.now })
    // the fast worker claims trial 0 again and the session goes on without the slow one
    await until(async () => (await store.load(coordinator.id)).progress.attempts >= 1, 'trial 0 is committed')
    releaseStuck.open()
    await coordinator.wait()
    const [slowEnd, fastEnd] = await Promise.all([slow.wait(), fast.wait()])

    expect(slowEnd).toMatchObject({ claimsLost: 1, sessionStatus: 'completed' })
    expect(fastEnd.claimsLost).toBe(0)
    expect(slowEnd.trialsEvaluated + fastEnd.trialsEvaluated).toBe(6)
    const stored = await outcomes(store, coordinator.id)
    expect(stored.map((t) => t.score)).not.toContain(-1_000)
    expect(stored).toEqual(await localRun({ optimizer: nearBest(), objective: score, seed: SEED, parallelism: 2, maxTrials: 6 }))
  })

  test('a result reported for another candidate than the pending one is never committed: the coordinator evaluates that trial itself', async () => {
    const store = createMemoryStore()
    const coordinator = await startSession({
      store,
      optimizer: nearBest(),
      objective: score,
      evaluation: 'shared',
      evaluateLocally: false,
      parallelism: 3,
      seed: SEED,
      maxTrials: 9,
      pollIntervalMs: 1,
    })
    await until(async () => (await store.load(coordinator.id)).pending.length === 3, 'the pending trials are published')
    const claim = await store.claimTrial(coordinator.id, { trialIdx: 0, owner: 'rogue', ttlMs: 60_000 })
    await store.reportTrialResult(coordinator.id, claim, {
      candidate: { x: 123 },
      evaluation: { status: 'ok', score: -1_000, durationMs: 1 },
    })
    const worker = await joinSession(store, coordinator.id, { objective: score, pollIntervalMs: 1 })
    expect(await coordinator.wait()).toMatchObject({ status: 'completed' })
    expect((await worker.wait()).trialsEvaluated).toBe(8) // every trial but 0, whose slot held the stale result
    const stored = await outcomes(store, coordinator.id)
    expect(stored.map((t) => t.score)).not.toContain(-1_000)
    expect(stored).toEqual(await localRun({ optimizer: nearBest(), objective: score, seed: SEED, parallelism: 3, maxTrials: 9 }))
  })

  test('a coordinator cut off from the store is taken over by a worker with takeOver once its lease lapses; the run completes with the same candidates', async () => {
    const clock = jumpingClock()
    const inner = createMemoryStore({ clock })
    const cut = killable(inner, { killAfterTrials: 5 })
    const coordinator = await startSession({
      store: cut.store,
      optimizer: nearBest(),
      objective: score,
      evaluation: 'shared',
      parallelism: 3,
      seed: SEED,
      maxTrials: 15,
      leaseTtlMs: 5_000,
      pollIntervalMs: 1,
    })
    const env = { now: clock.now }
    const heir = await joinSessionWith(
      inner,
      coordinator.id,
      {
        objective: score,
        owner: 'heir',
        pollIntervalMs: 1,
        takeOver: { optimizer: nearBest(), objective: score, owner: 'heir-coordinator', pollIntervalMs: 1, leaseTtlMs: 1_000 },
      },
      env,
    )
    const plain = await joinSessionWith(inner, coordinator.id, { objective: score, owner: 'plain', pollIntervalMs: 1 }, env)
    // the commit that brings it to five trials or more lands (it commits the results reported
    // together in one commit), then it loses the store for good
    await expect(coordinator.wait()).rejects.toMatchObject({ code: 'STORE_IO' })
    const cutAt = (await inner.load(coordinator.id)).progress.attempts
    expect(cutAt).toBeGreaterThanOrEqual(5)
    expect(cutAt).toBeLessThan(15)
    clock.advance(31_000) // past its lease and any trial lease it held: it is dead as far as the store can tell
    const [heirEnd, plainEnd] = await Promise.all([heir.wait(), plain.wait()])

    expect(heirEnd).toMatchObject({ tookOver: true, sessionStatus: 'completed' })
    expect(plainEnd).toMatchObject({ tookOver: false, sessionStatus: 'completed' })
    const head = await inner.load(coordinator.id)
    expect(head).toMatchObject({ status: 'completed', evaluation: 'shared', lease: { owner: 'heir-coordinator' } })
    expect(await outcomes(inner, coordinator.id)).toEqual(
      await localRun({ optimizer: nearBest(), objective: score, seed: SEED, parallelism: 3, maxTrials: 15 }),
    )
  })

  test('a worker whose takeOver options cannot resume the session stops, and wait() says why', async () => {
    const clock = jumpingClock()
    const inner = createMemoryStore({ clock })
    const cut = killable(inner)
    const coordinator = await startSession({ store: cut.store, optimizer: nearBest(), objective: score, evaluation: 'shared', seed: SEED })
    cut.kill()
    await expect(coordinator.wait()).rejects.toMatchObject({ code: 'STORE_IO' })
    clock.advance(31_000)
    const worker = await joinSessionWith(
      inner,
      coordinator.id,
      { objective: score, pollIntervalMs: 1, takeOver: { optimizer: uniform(), objective: score } },
      { now: clock.now },
    )
    await expect(worker.wait()).rejects.toMatchObject({ code: 'RESUME_MISMATCH', reason: 'optimizer-id' })
    expect((await inner.load(coordinator.id)).status).toBe('running') // nothing changed
  })

  test('a worker given takeOver keeps working while the coordinator is alive, even when its own clock says the lease lapsed', async () => {
    const store = createMemoryStore()
    const coordinator = await startSession({
      store,
      optimizer: nearBest(),
      objective: score,
      evaluation: 'shared',
      evaluateLocally: false,
      parallelism: 2,
      seed: SEED,
      maxTrials: 6,
      pollIntervalMs: 1,
    })
    const worker = await joinSessionWith(
      store,
      coordinator.id,
      { objective: score, pollIntervalMs: 1, takeOver: { optimizer: nearBest(), objective: score } },
      { now: () => Date.now() + 10 * 60_000 },
    )
    expect(await coordinator.wait()).toMatchObject({ status: 'completed' })
    expect(await worker.wait()).toMatchObject({ tookOver: false, trialsEvaluated: 6, sessionStatus: 'completed' })
  })
})
