import { hypervolume } from '../multi-objective/hypervolume.js'
import { nonDominationRanks } from '../multi-objective/pareto.js'
import type { ScoredObservations } from './objectives.js'
import { splitObservations } from './observations.js'
import { defaultWeights, nBelow, type TpeConfig } from './options.js'

/** Optuna's `EPS`: the weight of an infeasible good trial, and the floor of a reference point's component. */
const EPS = 1e-12

/** The good and the other observations (row indices, ascending) and their kernel weights. */
export interface TpeGroups {
  below: Uint32Array
  above: Uint32Array
  wBelow: Float64Array
  wAbove: Float64Array
}

/**
 * Splits the observations into the good group and the rest, as Optuna 3.1's TPE does:
 * - one objective: the `nBelow` best by rank key (with constraints, the rank key puts feasible
 *   trials first; see `scoreObservations`); Optuna's age-based weights on both sides;
 * - several objectives (MOTPE): feasible trials first when constrained (the least violation
 *   fills the good group when too few are feasible); among them whole non-domination ranks
 *   while they fit, the rest of the next rank by greedy hypervolume subset selection; the
 *   good trials weighted by their hypervolume contribution (`weightsBelow`).
 */
export function splitGroups(cfg: TpeConfig, scored: ScoredObservations): TpeGroups {
  const { obs } = scored
  const k = nBelow(cfg, obs.nFinished)
  let below: Uint32Array
  let above: Uint32Array
  let wBelow: Float64Array
  if (!scored.losses) {
    ;({ below, above } = splitObservations(obs, k))
    wBelow = defaultWeights(below.length, new Float64Array(below.length))
  } else {
    ;({ below, above } = splitMultiObjective(scored.losses, scored.violation, obs.n, k))
    wBelow = weightsBelow(scored.losses, below, scored.violation)
  }
  return { below, above, wBelow, wAbove: defaultWeights(above.length, new Float64Array(above.length)) }
}

/**
 * Optuna 3.1's `_split_observation_pairs` for several objectives: the `k` good rows (ascending)
 * and the other rows of `0 … n − 1` (rows ≥ `losses.length`, in-flight ones, are never good).
 */
export function splitMultiObjective(
  losses: readonly Float64Array[],
  violation: Float64Array | undefined,
  n: number,
  k: number,
): { below: Uint32Array; above: Uint32Array } {
  const finished = losses.length
  let chosen: number[]
  const feasible: number[] = []
  for (let r = 0; r < finished; r++) if (!violation || violation[r] === 0) feasible.push(r)
  if (feasible.length >= k) {
    chosen = selectByRank(losses, feasible, k)
  } else {
    // Too few feasible: the k least violations (ties: the older), feasible ones first.
    const order = Array.from({ length: finished }, (_, r) => r)
    order.sort((a, b) => violation![a]! - violation![b]! || a - b)
    chosen = order.slice(0, k)
  }
  const isBelow = new Uint8Array(n)
  for (const r of chosen) isBelow[r] = 1
  const below = Uint32Array.from(chosen).sort()
  const above = new Uint32Array(n - below.length)
  let a = 0
  for (let r = 0; r < n; r++) if (!isBelow[r]) above[a++] = r
  return { below, above }
}

/** Whole non-domination ranks of `rows` while they fit in `k`, then greedy hypervolume subset selection in the next rank. */
function selectByRank(losses: readonly Float64Array[], rows: readonly number[], k: number): number[] {
  const points = rows.map((r) => losses[r]!)
  const ranks = nonDominationRanks(points)
  const chosen: number[] = []
  for (let rank = 0; chosen.length < k; rank++) {
    const members: number[] = []
    for (let i = 0; i < rows.length; i++) if (ranks[i] === rank) members.push(i)
    if (chosen.length + members.length <= k) {
      for (const i of members) chosen.push(rows[i]!)
      continue
    }
    for (const i of greedyHypervolumeSubset(points, members, k - chosen.length)) chosen.push(rows[i]!)
  }
  return chosen
}

/** The reference point Optuna 3.1's MOTPE uses for a set: max(1.1 · worst, 0.9 · worst) per objective, 0 replaced by EPS. */
function referenceOf(points: readonly Float64Array[]): Float64Array {
  const m = points[0]!.length
  const ref = new Float64Array(m).fill(-Infinity)
  for (const p of points) for (let j = 0; j < m; j++) if (p[j]! > ref[j]!) ref[j] = p[j]!
  for (let j = 0; j < m; j++) {
    const w = ref[j]!
    ref[j] = Math.max(1.1 * w, 0.9 * w)
    if (ref[j] === 0) ref[j] = EPS
  }
  return ref
}

/**
 * Greedy hypervolume subset selection (Optuna 3.1's `_solve_hssp`, a 1 − 1/e approximation):
 * `size` of `members` (indices into `points`), each step the one adding the most hypervolume.
 */
function greedyHypervolumeSubset(points: readonly Float64Array[], members: readonly number[], size: number): number[] {
  const pts = members.map((i) => points[i]!)
  const ref = referenceOf(pts)
  const contributions = pts.map((p) => hypervolume([p], ref))
  const taken: Float64Array[] = []
  const out: number[] = []
  let hvTaken = 0
  while (out.length < size) {
    let best = 0
    for (let j = 1; j < pts.length; j++) if (contributions[j]! > contributions[best]!) best = j
    contributions[best] = -1
    const chosen = pts[best]!
    for (let j = 0; j < pts.length; j++) {
      if (contributions[j] === -1) continue
      const p = pts[j]!.map((v, d) => Math.max(v, chosen[d]!))
      contributions[j]! -= hypervolume([...taken, p], ref) - hvTaken
    }
    taken.push(chosen)
    out.push(members[best]!)
    hvTaken = hypervolume(taken, ref)
  }
  return out
}

/**
 * Optuna 3.1's `_calculate_weights_below_for_multi_objective`: each feasible good trial
 * weighs its hypervolume contribution (plus EPS) over the largest one; an infeasible one EPS.
 */
export function weightsBelow(losses: readonly Float64Array[], below: Uint32Array, violation?: Float64Array): Float64Array {
  const out = new Float64Array(below.length).fill(EPS)
  const feasible: number[] = []
  for (let i = 0; i < below.length; i++) if (!violation || violation[below[i]!] === 0) feasible.push(i)
  if (feasible.length === 1) out[feasible[0]!] = 1
  if (feasible.length <= 1) return out
  const pts = feasible.map((i) => losses[below[i]!]!)
  const ref = referenceOf(pts)
  const total = hypervolume(pts, ref)
  const contrib = pts.map((_, i) => total - hypervolume([...pts.slice(0, i), ...pts.slice(i + 1)], ref) + EPS)
  const max = Math.max(...contrib)
  feasible.forEach((i, c) => {
    out[i] = Math.min(1, Math.max(0, contrib[c]! / max))
  })
  return out
}
