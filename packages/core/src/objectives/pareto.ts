import type { Direction } from '../checkpoint/types.js'
import { violation } from './feasibility.js'

/** What `paretoFront` reads of a trial (a `TrialRecord` or a `TrialView` will do). */
export interface ParetoCandidate {
  trialIdx: number
  status: 'ok' | 'error' | 'pruned'
  values?: readonly number[]
  constraints?: readonly number[]
}

/**
 * True when the objective values `a` dominate `b` under `directions`: `a` is no worse on every
 * objective and better on at least one. Arrays of another length than `directions` never
 * dominate nor are dominated.
 */
export function dominates(a: readonly number[], b: readonly number[], directions: readonly Direction[]): boolean {
  const n = directions.length
  if (a.length !== n || b.length !== n) return false
  let better = false
  for (let i = 0; i < n; i++) {
    const diff = directions[i] === 'maximize' ? (a[i] as number) - (b[i] as number) : (b[i] as number) - (a[i] as number)
    if (diff < 0) return false
    if (diff > 0) better = true
  }
  return better
}

/**
 * The Pareto front of a multi-objective session's trials: the `ok` trials with one value per
 * direction that no other such trial dominates, among the feasible ones (every constraint ≤ 0;
 * a trial without constraints is feasible). When none is feasible, the front is taken among the
 * trials of least total violation. Trials with equal values are all kept. Returned in
 * `trialIdx` order; the input is not changed. O(n · f) for n trials and a front of f.
 */
export function paretoFront<T extends ParetoCandidate>(trials: readonly T[], directions: readonly Direction[]): T[] {
  const scored = trials.filter((t) => t.status === 'ok' && t.values !== undefined && t.values.length === directions.length)
  if (scored.length === 0) return []
  let least = Number.POSITIVE_INFINITY
  for (const t of scored) least = Math.min(least, violation(t.constraints))
  let front: T[] = []
  for (const t of scored) {
    if (violation(t.constraints) !== least) continue
    const values = t.values as readonly number[]
    if (front.some((f) => dominates(f.values as readonly number[], values, directions))) continue
    front = front.filter((f) => !dominates(values, f.values as readonly number[], directions))
    front.push(t)
  }
  return front.sort((a, b) => a.trialIdx - b.trialIdx)
}
