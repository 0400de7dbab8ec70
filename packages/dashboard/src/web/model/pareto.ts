import type { Direction, TrialRecord } from '@cairn/core'

/** A finished trial of a multi-objective session: status `ok` with one value per objective. */
export type ValuedTrial = TrialRecord & { values: number[] }

/** Whether `t` is an `ok` trial with `n` finite objective values. */
export function hasValues(t: TrialRecord, n: number): t is ValuedTrial {
  return t.status === 'ok' && Array.isArray(t.values) && t.values.length === n && t.values.every(Number.isFinite)
}

/** The total constraint violation of a trial: the sum of its positive constraint values (0: feasible, or no constraints). */
export function violationOf(t: TrialRecord): number {
  let v = 0
  for (const c of t.constraints ?? []) if (c > 0) v += c
  return v
}

/** The trials of a multi-objective session split for the Pareto-front chart. */
export interface ParetoSplit {
  /** Non-dominated trials (by index), among the feasible ones; when none is feasible, among the least violating. */
  front: ValuedTrial[]
  /** Other feasible trials. */
  dominated: ValuedTrial[]
  /** Trials that violate a constraint (and are not on the front). */
  infeasible: ValuedTrial[]
}

/**
 * Splits the valued trials into the Pareto front, the dominated and the infeasible ones. A trial
 * dominates another when it is at least as good on every objective and better on one; equal
 * trials do not dominate each other. Sorted lexicographically (each value oriented so lower is
 * better), a trial can only be dominated by one before it, and then by one already on the front,
 * so each is checked against the front alone: O(n log n + n·front).
 */
export function paretoSplit(trials: readonly TrialRecord[], directions: readonly Direction[]): ParetoSplit {
  const n = directions.length
  const valued = trials.filter((t): t is ValuedTrial => hasValues(t, n))
  const feasible = valued.filter((t) => violationOf(t) === 0)
  let pool = feasible
  if (pool.length === 0 && valued.length > 0) {
    const least = Math.min(...valued.map(violationOf))
    pool = valued.filter((t) => violationOf(t) === least)
  }
  const inPool = new Set(pool)
  const signs = directions.map((d) => (d === 'maximize' ? -1 : 1))
  const oriented = new Map(pool.map((t) => [t, t.values.map((v, i) => v * (signs[i] as number))]))
  const sorted = [...pool].sort(
    (a, b) => lexicographic(oriented.get(a) as number[], oriented.get(b) as number[]) || a.trialIdx - b.trialIdx,
  )
  const front: ValuedTrial[] = []
  const dominated: ValuedTrial[] = []
  for (const t of sorted) {
    const v = oriented.get(t) as number[]
    if (front.some((f) => dominates(oriented.get(f) as number[], v))) dominated.push(t)
    else front.push(t)
  }
  front.sort((a, b) => a.trialIdx - b.trialIdx)
  dominated.sort((a, b) => a.trialIdx - b.trialIdx)
  const infeasible = valued.filter((t) => !inPool.has(t) && violationOf(t) > 0)
  // Feasible trials left out of the pool cannot exist (the pool is every feasible trial when there is one).
  return { front, dominated, infeasible }
}

/** `a` dominates `b` (both oriented: lower is better). */
function dominates(a: readonly number[], b: readonly number[]): boolean {
  let better = false
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number
    const y = b[i] as number
    if (x > y) return false
    if (x < y) better = true
  }
  return better
}

function lexicographic(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number)
    if (d !== 0) return d
  }
  return 0
}
