/**
 * A shared session (evaluated by workers, `joinSession`) whose coordinator died is recovered
 * as a shared session: the monitor's driver goes on publishing trials for the workers.
 */
import { afterEach, describe, expect, test } from 'vitest'
import { compile, createMemoryStore, joinSession, LeaseLostError, startSession } from '@cairn/core'
import { FencedStore } from '../src/fenced-store.js'
import { JOB, quadratic, SEED, walk } from './fixtures/job.js'
import { harness, stopMonitors } from './helpers/harness.js'
import { until } from './helpers/manual-time.js'
import { faultyStore } from './helpers/stores.js'

afterEach(stopMonitors)

const shared = { evaluation: 'shared', evaluateLocally: false, pollIntervalMs: 5 } as const

test('a RecoveryMonitor resumes a shared session as shared: workers evaluate every trial, with the candidates of a local run', async () => {
  const store = createMemoryStore()
  // The coordinator writes through a fence, revoked once its trials are published: it stops, the session stays running.
  const fence = new FencedStore(store, 's')
  const coordinator = await startSession({
    store: fence,
    sessionId: 's',
    job: JOB,
    optimizer: walk,
    objective: quadratic(0),
    seed: SEED,
    maxTrials: 8,
    parallelism: 2,
    owner: 'dead-coordinator',
    // It learns it was fenced off at its next lease renewal (its failing slot reads are retried).
    leaseTtlMs: 400,
    ...shared,
  })
  await until(async () => (await store.load('s')).pending.length === 2, 'the first trials to be published')
  await fence.revoke('the coordinator died')
  await expect(coordinator.wait()).rejects.toThrow(LeaseLostError)
  expect((await store.load('s')).status).toBe('running')
  // Its lease lapses at once (as the dead owner, release it).
  await store.releaseLease('s', await store.acquireLease('s', 'dead-coordinator', 60_000))

  const worker = await joinSession(store, 's', { objective: quadratic(0), pollIntervalMs: 5 })
  const h = harness({ store, jobs: { [JOB]: { optimizer: () => walk, objective: quadratic(0), ...shared } } })
  h.monitor.start()
  await h.time.advance(0)
  const result = await worker.wait()
  await until(() => h.of('completed', 's').length === 1, 'the recovery to end')

  const head = await store.load('s')
  expect({ status: head.status, evaluation: head.evaluation }).toEqual({ status: 'completed', evaluation: 'shared' })
  // Neither coordinator evaluated: the worker ran all 8 trials.
  expect(result).toMatchObject({ sessionStatus: 'completed', trialsEvaluated: 8, tookOver: false })
  const reference = createMemoryStore()
  const local = await compile({ store: reference, optimizer: walk, objective: quadratic(0), seed: SEED, maxTrials: 8, parallelism: 2 })
  expect((await store.readTrials('s')).map((t) => t.candidate)).toEqual(
    (await reference.readTrials(local.sessionId)).map((t) => t.candidate),
  )
})

describe('FencedStore and trial slots', () => {
  test('offers the slot methods exactly when the store does, with its capabilities', () => {
    const store = createMemoryStore()
    const fence = new FencedStore(store, 's')
    expect(fence.capabilities).toEqual(store.capabilities)
    for (const m of ['claimTrial', 'renewTrialClaim', 'reportTrialResult', 'readTrialSlots', 'reportAndClaimTrial'] as const) {
      expect(typeof store[m]).toBe('function')
      expect(typeof fence[m]).toBe('function')
    }
    const without = new FencedStore(
      faultyStore(store, () => undefined),
      's',
    )
    expect([
      without.claimTrial,
      without.renewTrialClaim,
      without.reportTrialResult,
      without.readTrialSlots,
      without.reportAndClaimTrial,
    ]).toEqual([undefined, undefined, undefined, undefined, undefined])
  })

  test('once revoked, a claim or a report through it fails with LeaseLostError and writes nothing', async () => {
    const store = createMemoryStore()
    const coordinator = await startSession({ store, sessionId: 's', optimizer: walk, objective: quadratic(0), maxTrials: 4, ...shared })
    await until(async () => (await store.load('s')).pending.length === 1, 'the first trial to be published')
    const fence = new FencedStore(store, 's')
    const claim = await fence.claimTrial?.('s', { trialIdx: 0, owner: 'w', ttlMs: 60_000 })
    await fence.revoke('abandoned')
    await expect(
      fence.reportTrialResult?.('s', claim!, { candidate: null, evaluation: { status: 'ok', score: 1, durationMs: 1 } as never }),
    ).rejects.toThrow(LeaseLostError)
    await expect(
      fence.reportAndClaimTrial?.(
        's',
        claim!,
        { candidate: null, evaluation: { status: 'ok', score: 1, durationMs: 1 } as never },
        {
          trialIdxs: [1],
          owner: 'w',
          ttlMs: 60_000,
        },
      ),
    ).rejects.toThrow(LeaseLostError)
    await expect(fence.readTrialSlots?.('s', [0])).rejects.toThrow(LeaseLostError)
    expect((await store.readTrialSlots?.('s', [0]))?.[0]?.result).toBeNull()
    await coordinator.cancel()
    await coordinator.wait()
  })
})
