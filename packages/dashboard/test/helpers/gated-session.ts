import { float, space, startSession, type CheckpointStore, type SessionHandle } from '@cairn/core'
import { referenceOptimizer } from '@cairn/testkit'

/**
 * A real session whose trial i starts, then waits until the test calls `release(i)`: the test
 * decides when each trial ends (and so when each commit lands), whatever the machine's load.
 */
export interface GatedSession {
  handle: SessionHandle
  /** Resolves once trial `i` started (its objective was called). */
  started(i: number): Promise<void>
  /** Lets trial `i` finish (it is committed right after). */
  release(i: number): void
  /** Releases every trial from now on. */
  releaseAll(): void
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}

export async function startGatedSession(
  store: CheckpointStore,
  opts: {
    sessionId: string
    maxTrials: number
    name?: string
    job?: string
    /** Trials from this index on report a learning curve of 4 steps (`ctx.report`); odd ones then end pruned (`ctx.prune()`). */
    curvesFrom?: number
  },
): Promise<GatedSession> {
  const starts = new Map<number, ReturnType<typeof deferred>>()
  const gates = new Map<number, ReturnType<typeof deferred>>()
  let all = false
  const slot = (m: Map<number, ReturnType<typeof deferred>>, i: number) => {
    let d = m.get(i)
    if (!d) m.set(i, (d = deferred()))
    return d
  }
  const handle = await startSession({
    store,
    sessionId: opts.sessionId,
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    ...(opts.job !== undefined ? { job: opts.job } : {}),
    optimizer: referenceOptimizer(),
    space: space({ x: float(0, 1) }),
    seed: 5,
    maxTrials: opts.maxTrials,
    objective: async ({ x }: { x: number }, ctx) => {
      const { trialIdx } = ctx
      slot(starts, trialIdx).resolve()
      if (!all) await slot(gates, trialIdx).promise
      const score = (x - 0.3) ** 2
      if (opts.curvesFrom === undefined || trialIdx < opts.curvesFrom) return score
      for (let step = 0; step < 4; step++) ctx.report(step, score + 0.5 / (step + 1))
      return trialIdx % 2 === 1 ? ctx.prune() : score
    },
  })
  return {
    handle,
    started: (i) => slot(starts, i).promise,
    release: (i) => slot(gates, i).resolve(),
    releaseAll: () => {
      all = true
      for (const g of gates.values()) g.resolve()
    },
  }
}
