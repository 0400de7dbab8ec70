import { afterEach, describe, expect, test } from 'vitest'
import { createMemoryStore, joinSession, startSession, type ObjectiveContext } from '../src/index.js'
import { nearBest } from './helpers/optimizers.js'
import { committedTrials, gate, localRun, outcomes } from './helpers/shared.js'

const score = (c: { x: number }): number => (c.x - 1) ** 2
const SEED = 7
const PARALLELISM = 4
const MAX_TRIALS = 24

/**
 * An objective whose first `PARALLELISM` trials all wait until every one of them has started
 * (so that many workers hold one each), then finish last-first; later trials sleep an uneven,
 * deterministic few milliseconds. Records the order trials finish in.
 */
function unevenObjective() {
  const finished: number[] = []
  const started = new Set<number>()
  const release = Array.from({ length: PARALLELISM }, gate)
  const objective = async (c: { x: number }, ctx: ObjectiveContext): Promise<number> => {
    if (ctx.trialIdx < PARALLELISM) {
      started.add(ctx.trialIdx)
      if (started.size === PARALLELISM) release[PARALLELISM - 1]?.open()
      await release[ctx.trialIdx]?.wait
      release[ctx.trialIdx - 1]?.open()
    } else {
      await new Promise((r) => setTimeout(r, (ctx.trialIdx * 7) % 5))
    }
    finished.push(ctx.trialIdx)
    return score(c)
  }
  return { objective, finished }
}

let stopListening: (() => void) | undefined
afterEach(() => stopListening?.())

describe('shared evaluation: a coordinator and workers in one process (memory store)', () => {
  test.each([
    ['the coordinator only coordinates', false],
    ['the coordinator evaluates too', true],
  ])('4 workers yield the candidates and scores of a local run with the same seed and parallelism (%s)', async (_what, evaluateLocally) => {
    const store = createMemoryStore()
    const { objective, finished } = unevenObjective()
    const commits = committedTrials(`shared-${evaluateLocally}`)
    stopListening = commits.stop
    const coordinator = await startSession({
      store,
      sessionId: `shared-${evaluateLocally}`,
      optimizer: nearBest(),
      objective,
      evaluation: 'shared',
      evaluateLocally,
      parallelism: PARALLELISM,
      seed: SEED,
      maxTrials: MAX_TRIALS,
      pollIntervalMs: 1,
    })
    expect(coordinator.head().evaluation).toBe('shared')
    const workers = await Promise.all(
      [1, 2, 3, 4].map((i) => joinSession(store, coordinator.id, { objective, owner: `worker-${i}`, pollIntervalMs: 1 })),
    )
    const result = await coordinator.wait()
    const ends = await Promise.all(workers.map((w) => w.wait()))

    expect(result).toMatchObject({ status: 'completed', progress: { attempts: MAX_TRIALS, completed: MAX_TRIALS } })
    expect(await outcomes(store, coordinator.id)).toEqual(
      await localRun({ optimizer: nearBest(), objective: score, seed: SEED, parallelism: PARALLELISM, maxTrials: MAX_TRIALS }),
    )
    // committed exactly once each, in index order, though the first four finished last-first
    expect(commits.indices).toEqual(Array.from({ length: MAX_TRIALS }, (_, i) => i))
    expect(finished.filter((i) => i < PARALLELISM)).toEqual([3, 2, 1, 0])
    for (const end of ends)
      expect(end).toMatchObject({ sessionId: coordinator.id, sessionStatus: 'completed', claimsLost: 0, tookOver: false })
    const byWorkers = ends.reduce((n, e) => n + e.trialsEvaluated, 0)
    if (!evaluateLocally) {
      expect(byWorkers).toBe(MAX_TRIALS)
      // four trials were in flight at once, one per worker: every worker evaluated
      for (const end of ends) expect(end.trialsEvaluated).toBeGreaterThan(0)
    } else expect(byWorkers).toBeLessThanOrEqual(MAX_TRIALS)
    expect(workers.every((w) => w.running().length === 0)).toBe(true)
  })
})
