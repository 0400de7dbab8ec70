/**
 * The job every process of the example knows by name: its search space, objective and
 * optimizer. Workers start sessions of it; the monitor resumes them — which is why the job
 * lives in code both import, exactly as Optuna workers must all import the objective.
 */
import { float, int, space, type Objective } from '@cairn/core'
import { tpe } from '@cairn/optimizers'
import type { JobRegistry } from '@cairn/recovery'

export const JOB = 'branin'

export const SPACE = space({ x: float(-5, 10), y: float(0, 15), noise: int(0, 3) })

/**
 * The Branin function (minimum ≈ 0.398), a standard optimizer benchmark, plus a small integer
 * term. `delayMs` stands in for real work (training a model, running a simulation): it is what
 * makes a trial be "in flight" when a worker is killed.
 */
export function objective(delayMs: number): Objective {
  return async (candidate, { signal }) => {
    const { x, y, noise } = candidate as { x: number; y: number; noise: number }
    await new Promise((resolve) => setTimeout(resolve, delayMs))
    signal.throwIfAborted()
    const b = 5.1 / (4 * Math.PI ** 2)
    const c = 5 / Math.PI
    const t = 1 / (8 * Math.PI)
    return (y - b * x ** 2 + c * x - 6) ** 2 + 10 * (1 - t) * Math.cos(x) + 10 + noise * 0.1
  }
}

/** A fresh optimizer for a session of the job (the same for starting and for resuming). */
export const optimizer = () => tpe({ nStartupTrials: 5 })

/** What the monitor needs to resume a session of the job. */
export function jobs(delayMs: number): JobRegistry {
  return { [JOB]: { optimizer, objective: objective(delayMs) } }
}
