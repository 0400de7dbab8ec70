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

/**
 * The crowding distance of each point of one front (Optuna 3.1's `_calc_crowding_distance`):
 * per objective, the points sorted by value (stable), each gets (next − previous) / (max −
 * min), the extremes reaching to ±∞; an objective on which all points are equal adds nothing.
 * Summed over objectives.
 */
export function crowdingDistances(points: readonly ArrayLike<number>[]): Float64Array {
  const n = points.length
  const out = new Float64Array(n)
  if (n === 0) return out
  const m = points[0]!.length
  const order = Array.from({ length: n }, (_, i) => i)
  for (let k = 0; k < m; k++) {
    // Optuna sorts the same list in place objective after objective (Python's sort is stable).
    order.sort((a, b) => points[a]![k]! - points[b]![k]!)
    const lo = points[order[0]!]![k]!
    const hi = points[order[n - 1]!]![k]!
    if (lo === hi) continue
    let width = hi - lo
    if (!(width > 0)) width = 1
    for (let r = 0; r < n; r++) {
      const prev = r === 0 ? -Infinity : points[order[r - 1]!]![k]!
      const next = r === n - 1 ? Infinity : points[order[r + 1]!]![k]!
      const gap = prev === next ? 0 : next - prev
      out[order[r]!]! += gap / width
    }
  }
  return out
}
