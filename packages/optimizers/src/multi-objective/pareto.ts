/**
 * Pareto dominance, non-dominated sorting and crowding distance on loss vectors (every
 * component minimized; see `lossesOf`), as Optuna 3.1's NSGA-II and MOTPE compute them.
 */

/** True when `a` dominates `b`: no component worse, and the two differ (Optuna's `_dominates`). */
export function dominates(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  let strictly = false
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!
    const y = b[i]!
    if (x > y) return false
    if (x < y) strictly = true
  }
  return strictly
}

/**
 * Constrained domination (Deb et al. 2002; Optuna's `_constrained_dominates`): a feasible
 * point (violation 0) beats an infeasible one; two infeasible points compare by violation;
 * two feasible ones by Pareto dominance.
 */
export function constrainedDominates(a: ArrayLike<number>, va: number, b: ArrayLike<number>, vb: number): boolean {
  if (va === 0 && vb === 0) return dominates(a, b)
  if (va === 0) return true
  if (vb === 0) return false
  return va < vb
}

/**
 * The fronts of a fast non-dominated sort (Deb et al. 2002): `fronts[0]` holds the indices of
 * the points no other point dominates, `fronts[1]` those dominated only by the first front,
 * and so on; within a front, indices ascend. `beats(i, j)` says point i dominates point j.
 * O(n² · m).
 */
export function nonDominatedFronts(n: number, beats: (i: number, j: number) => boolean): number[][] {
  const dominatedBy = new Int32Array(n)
  const dominatesList: number[][] = Array.from({ length: n }, () => [])
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (beats(i, j)) {
        dominatesList[i]!.push(j)
        dominatedBy[j]!++
      } else if (beats(j, i)) {
        dominatesList[j]!.push(i)
        dominatedBy[i]!++
      }
    }
  }
  const fronts: number[][] = []
  let current: number[] = []
  for (let i = 0; i < n; i++) if (dominatedBy[i] === 0) current.push(i)
  while (current.length > 0) {
    fronts.push(current)
    const next: number[] = []
    for (const i of current) {
      for (const j of dominatesList[i]!) {
        dominatedBy[j]!--
        if (dominatedBy[j] === 0) next.push(j)
      }
    }
    next.sort((a, b) => a - b)
    current = next
  }
  return fronts
}

/** The non-domination rank of every point (0 for the first front), from `nonDominatedFronts`. */
export function nonDominationRanks(points: readonly ArrayLike<number>[]): Int32Array {
  const ranks = new Int32Array(points.length)
  nonDominatedFronts(points.length, (i, j) => dominates(points[i]!, points[j]!)).forEach((front, r) => {
    for (const i of front) ranks[i] = r
  })
  return ranks
}

// Core's Pareto helpers include the crowding distance (warm start keeps a spread front with it).
export { crowdingDistances } from '@cairn/core'
