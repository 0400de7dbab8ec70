/**
 * A worker that loses the race for the lowest open trial tries another at once, from a place
 * among the rest chosen by its owner: workers racing for the same slots spread out instead of
 * all trying the next one.
 */
import { expect, test } from 'vitest'
import { createMemoryStore, joinSession, startSession, type CheckpointStore, type TrialSlot } from '../src/index.js'
import { nearBest } from './helpers/optimizers.js'
import { gate } from './helpers/shared.js'

const score = (c: { x: number }): number => (c.x - 1) ** 2

/** The trials `owner` tries to claim, when its first read shows trial 0 open though another worker just claimed it. */
async function attemptsOf(owner: string): Promise<number[]> {
  const store = createMemoryStore()
  const coordinator = await startSession({
    store,
    optimizer: nearBest(),
    evaluation: 'shared',
    evaluateLocally: false,
    parallelism: 4,
    maxTrials: 4,
    pollIntervalMs: 1,
  })
  await store.claimTrial(coordinator.id, { trialIdx: 0, owner: 'winner', ttlMs: 60_000 })
  const attempts: number[] = []
  const stale = new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown
      if (typeof value !== 'function') return value
      return async (...args: unknown[]) => {
        if (prop === 'claimTrial') attempts.push((args[1] as { trialIdx: number }).trialIdx)
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args)
        // a read made just before the winner's claim landed
        if (prop === 'readTrialSlots') return (result as TrialSlot[]).map((s) => (s.trialIdx === 0 ? { ...s, claim: null } : s))
        return result
      }
    },
  }) as CheckpointStore
  const stop = new AbortController()
  const ran = gate()
  const worker = await joinSession(stale, coordinator.id, {
    objective: (c: { x: number }) => {
      stop.abort() // one trial, then stop
      ran.open()
      return score(c)
    },
    owner,
    pollIntervalMs: 1,
    signal: stop.signal,
  })
  await ran.wait
  expect(await worker.wait()).toMatchObject({ trialsEvaluated: 1, claimsLost: 0 })
  await coordinator.cancel()
  return attempts
}

test('a worker that loses the race for trial 0 claims another at once, workers spreading over the rest', async () => {
  const owners = ['w-1', 'w-2', 'w-3', 'w-4', 'w-5', 'w-6', 'w-7', 'w-8']
  const attempts = await Promise.all(owners.map(attemptsOf))
  for (const a of attempts) {
    expect(a).toHaveLength(2) // the lost race, then a won claim: no third try
    expect(a[0]).toBe(0)
    expect([1, 2, 3]).toContain(a[1])
  }
  // not every loser goes on to trial 1
  expect(new Set(attempts.map((a) => a[1])).size).toBeGreaterThan(1)
})
