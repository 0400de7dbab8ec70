/**
 * A worker claims its next trial with its report (`reportAndClaimTrial`) when the store can, so
 * once the coordinator publishes that trial the worker starts it without another claim.
 */
import { expect, test } from 'vitest'
import { createMemoryStore, joinSession, startSession, type CheckpointStore, type CommitRequest, type MemoryStore } from '../src/index.js'
import { nearBest } from './helpers/optimizers.js'
import { gate, localRun, outcomes, until } from './helpers/shared.js'

const score = (c: { x: number }): number => (c.x - 1) ** 2
const SEED = 5

/** `inner` with its calls counted by method, and `reportAndClaim` declared as `combined` says. */
function counted(inner: MemoryStore, combined: boolean): { store: CheckpointStore; calls: Map<string, number> } {
  const calls = new Map<string, number>()
  const store = new Proxy(inner, {
    get(target, prop) {
      if (prop === 'capabilities') return { ...target.capabilities, reportAndClaim: combined }
      const value = Reflect.get(target, prop, target) as unknown
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        calls.set(String(prop), (calls.get(String(prop)) ?? 0) + 1)
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  }) as CheckpointStore
  return { store, calls }
}

async function run(combined: boolean, workerPollMs = 1) {
  const inner = createMemoryStore()
  const { store, calls } = counted(inner, combined)
  const coordinator = await startSession({
    store: inner,
    optimizer: nearBest(),
    evaluation: 'shared',
    evaluateLocally: false,
    parallelism: 2,
    seed: SEED,
    maxTrials: 8,
    pollIntervalMs: 1,
  })
  const worker = await joinSession(store, coordinator.id, { objective: score, pollIntervalMs: workerPollMs })
  expect(await coordinator.wait()).toMatchObject({ status: 'completed', progress: { attempts: 8 } })
  expect(await worker.wait()).toMatchObject({ trialsEvaluated: 8, claimsLost: 0 })
  const local = await localRun({ optimizer: nearBest(), objective: score, seed: SEED, parallelism: 2, maxTrials: 8 })
  expect(await outcomes(inner, coordinator.id)).toEqual(local)
  return calls
}

test('a worker claims each next trial with its report: one claimTrial in all, and the candidates of a local run', async () => {
  // The library's default poll interval: for that long after its report the worker waits for the
  // trial it claimed rather than claiming another one open meanwhile (the store tells it of each
  // commit, so it does not wait longer than the commit that publishes it).
  const calls = await run(true, 100)
  expect(calls.get('claimTrial')).toBe(1)
  expect(calls.get('reportAndClaimTrial')).toBe(8)
  expect(calls.get('reportTrialResult')).toBeUndefined()
})

test('while the trial it claimed with its report is due (a poll interval), a worker reads no slot', async () => {
  const calls = await run(true, 1_000)
  // One read to find the first trial, at most one after the last (nothing left to claim with it), none between.
  expect(calls.get('readTrialSlots')).toBeLessThanOrEqual(2)
  expect(calls.get('claimTrial')).toBe(1)
})

test('a store that does not declare reportAndClaim: the worker reports, then claims, in two calls; same candidates', async () => {
  const calls = await run(false, 100)
  expect(calls.get('reportAndClaimTrial')).toBeUndefined()
  expect(calls.get('reportTrialResult')).toBe(8)
  // One claim per trial, and now and then one refused: a worker whose head read came just before
  // a commit reads the slot that commit dropped as never claimed, and its claim is refused.
  expect(calls.get('claimTrial')).toBeGreaterThanOrEqual(8)
  expect(calls.get('claimTrial')).toBeLessThanOrEqual(10)
})

test('a worker that stops lets the trial it claimed with its report lapse at once: another worker runs it without waiting out the ttl', async () => {
  const inner = createMemoryStore()
  const published = gate()
  // The coordinator publishes trial 1 (commits trial 0) only once the test says so.
  const coordinatorStore = new Proxy(inner, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown
      if (typeof value !== 'function') return value
      return async (...args: unknown[]) => {
        if (prop === 'commit' && (args[1] as CommitRequest).trials.length > 0) await published.wait
        return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args)
      }
    },
  }) as CheckpointStore
  const coordinator = await startSession({
    store: coordinatorStore,
    optimizer: nearBest(),
    evaluation: 'shared',
    evaluateLocally: false,
    parallelism: 1,
    seed: SEED,
    maxTrials: 2,
    pollIntervalMs: 1,
  })
  const ttl = { trialLeaseTtlMs: 600_000, pollIntervalMs: 1 }
  const first = await joinSession(inner, coordinator.id, { objective: score, owner: 'first', ...ttl })
  await until(async () => (await inner.readTrialSlots(coordinator.id, [1]))[0]?.claim?.owner === 'first', 'the first worker claims trial 1')
  expect(await first.stop()).toMatchObject({ trialsEvaluated: 1 })
  published.open()
  const second = await joinSession(inner, coordinator.id, { objective: score, owner: 'second', ...ttl })
  expect(await coordinator.wait()).toMatchObject({ status: 'completed', progress: { attempts: 2 } })
  expect(await second.wait()).toMatchObject({ trialsEvaluated: 1 })
  const trials = await inner.readTrials(coordinator.id)
  expect(trials.map((t) => t.trialIdx)).toEqual([0, 1])
})
