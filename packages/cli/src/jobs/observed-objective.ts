import type { Json, Objective, ObjectiveResult, PrunedTrial } from '@cairn/core'

/** What a worker is doing, as `JoinJobOptions.onTrial` hears it. */
export type WorkerTrialEvent =
  | { type: 'started'; trialIdx: number; candidate: Json }
  | {
      type: 'finished'
      trialIdx: number
      candidate: Json
      durationMs: number
      /** The score the objective returned, or null when it threw or the trial was pruned (`ctx.prune()`). */
      score: number | null
      /** The first line of what it threw, or null. */
      error: string | null
    }

/**
 * `objective`, telling `onTrial` when each evaluation starts and ends. A synchronous objective
 * stays synchronous (core judges a synchronous objective's timeout by its duration).
 */
export function observedObjective(objective: Objective, onTrial: (event: WorkerTrialEvent) => void): Objective {
  return (candidate, ctx) => {
    const base = { trialIdx: ctx.trialIdx, candidate: candidate as Json }
    onTrial({ type: 'started', ...base })
    const started = performance.now()
    const ok = (r: ObjectiveResult | PrunedTrial): ObjectiveResult | PrunedTrial => {
      const score = typeof r === 'number' ? r : ((r as { score?: number } | null)?.score ?? null)
      onTrial({ type: 'finished', ...base, durationMs: performance.now() - started, score, error: null })
      return r
    }
    const threw = (err: unknown): never => {
      const error = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? ''
      onTrial({ type: 'finished', ...base, durationMs: performance.now() - started, score: null, error })
      throw err
    }
    let result: ReturnType<Objective>
    try {
      result = objective(candidate, ctx)
    } catch (err) {
      return threw(err)
    }
    return isThenable(result) ? Promise.resolve(result).then(ok, threw) : ok(result)
  }
}

function isThenable(value: unknown): value is PromiseLike<ObjectiveResult | PrunedTrial> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}
