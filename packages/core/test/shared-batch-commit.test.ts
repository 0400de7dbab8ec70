import { describe, expect, test } from 'vitest'
import { createMemoryStore, joinSession, startSession, type CheckpointStore, type CommitRequest, type MemoryStore } from '../src/index.js'
import { nearBest } from './helpers/optimizers.js'
import { gate, localRun, outcomes } from './helpers/shared.js'

const score = (c: { x: number }): number => (c.x - 1) ** 2
const SEED = 11
const PARALLELISM = 4
const MAX_TRIALS = 12

/**
 * The coordinator's view of `inner`: it records the trial indices of every commit, and its
 * first `readTrialSlots` waits until `ready` opens (so the results of several trials are
 * reported before it reads any of them).
 */
function coordinatorStore(inner: MemoryStore, ready: Promise<void>): { store: CheckpointStore; commits: number[][] } {
  const commits: number[][] = []
  let first = true
  const store = new Proxy(inner, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown
      if (typeof value !== 'function') return value
      return async (...args: unknown[]) => {
        if (prop === 'readTrialSlots' && first) {
          first = false
          await ready
        }
        if (prop === 'commit') commits.push((args[1] as CommitRequest).trials.map((t) => t.trialIdx))
        return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args)
      }
    },
  }) as CheckpointStore
  return { store, commits }
}

describe('shared evaluation: results reported together are committed together', () => {
  test('the first four results, all reported before the coordinator reads, land in one commit in index order, with the candidates of a local run', async () => {
    const inner = createMemoryStore()
    const allReported = gate()
    let reported = 0
    // The workers' view: counts the results stored (with or without the next claim), and opens the gate once the first four are.
    const workerStore = new Proxy(inner, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown
        if (typeof value !== 'function') return value
        return async (...args: unknown[]) => {
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args)
          if ((prop === 'reportTrialResult' || prop === 'reportAndClaimTrial') && ++reported === PARALLELISM) allReported.open()
          return result
        }
      },
    }) as CheckpointStore
    const { store, commits } = coordinatorStore(inner, allReported.wait)
    const coordinator = await startSession({
      store,
      optimizer: nearBest(),
      objective: score,
      evaluation: 'shared',
      evaluateLocally: false,
      parallelism: PARALLELISM,
      seed: SEED,
      maxTrials: MAX_TRIALS,
      pollIntervalMs: 1,
    })
    const workers = await Promise.all(
      [1, 2, 3, 4].map((i) => joinSession(workerStore, coordinator.id, { objective: score, owner: `worker-${i}`, pollIntervalMs: 1 })),
    )
    expect(await coordinator.wait()).toMatchObject({ status: 'completed', progress: { attempts: MAX_TRIALS } })
    await Promise.all(workers.map((w) => w.wait()))

    const trialCommits = commits.filter((c) => c.length > 0)
    expect(trialCommits[0]).toEqual([0, 1, 2, 3])
    // every trial committed once, in index order, whatever the grouping
    expect(trialCommits.flat()).toEqual(Array.from({ length: MAX_TRIALS }, (_, i) => i))
    expect(await outcomes(inner, coordinator.id)).toEqual(
      await localRun({ optimizer: nearBest(), objective: score, seed: SEED, parallelism: PARALLELISM, maxTrials: MAX_TRIALS }),
    )
  })
})

describe('shared evaluation: a coordinator that evaluates nothing', () => {
  test('needs no objective: its workers evaluate, and the run has the candidates of a local run', async () => {
    const store = createMemoryStore()
    const coordinator = await startSession({
      store,
      optimizer: nearBest(),
      evaluation: 'shared',
      evaluateLocally: false,
      parallelism: 2,
      seed: SEED,
      maxTrials: 6,
      pollIntervalMs: 1,
    })
    const worker = await joinSession(store, coordinator.id, { objective: score, pollIntervalMs: 1 })
    expect(await coordinator.wait()).toMatchObject({ status: 'completed', progress: { attempts: 6, errors: 0 } })
    expect((await worker.wait()).trialsEvaluated).toBe(6)
    expect(await outcomes(store, coordinator.id)).toEqual(
      await localRun({ optimizer: nearBest(), objective: score, seed: SEED, parallelism: 2, maxTrials: 6 }),
    )
  })

  test('one that evaluates (the default) still needs an objective', async () => {
    await expect(
      startSession({ store: createMemoryStore(), optimizer: nearBest(), evaluation: 'shared', parallelism: 2 }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'objective' })
  })
})
