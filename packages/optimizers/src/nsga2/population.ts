import type { Direction, TrialView } from '@cairn/core'
import { lossesOf, violationOf } from '../multi-objective/losses.js'
import { constrainedDominates, crowdingDistances, nonDominatedFronts } from '../multi-objective/pareto.js'

/** An individual: a complete trial with its losses (minimized) and total constraint violation. */
export interface Individual {
  trial: TrialView
  losses: Float64Array
  violation: number
}

/**
 * Where the generations stand, kept in the sampler's state (bounded: one population of trial
 * indices). Generations are read from the history as Optuna 3.1 assigns them in a sequential
 * study: trials, in index order, join the generation being filled until it has
 * `populationSize` complete trials (failed and pruned trials join it without counting, as
 * Optuna leaves them out of populations); warm-start seeds belong to no generation.
 */
export interface Generations {
  /** The last complete generation (−1 before the first is complete). */
  gen: number
  /** Trial indices of its elite population, the parents of the next generation. */
  parents: number[]
  /** The first trial index of the generation being filled. */
  next: number
}

/** The trial with index `idx` in `history` (ordered by index), by binary search. */
export function trialAt(history: readonly TrialView[], idx: number): TrialView | undefined {
  let lo = 0
  let hi = history.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (history[mid]!.trialIdx < idx) lo = mid + 1
    else hi = mid
  }
  const t = history[lo]
  return t && t.trialIdx === idx ? t : undefined
}

/** The individual of a trial, or undefined when it is not complete (no usable objective values). */
export function individualOf(t: TrialView, directions: readonly Direction[]): Individual | undefined {
  const losses = lossesOf(t, directions)
  return losses ? { trial: t, losses, violation: violationOf(t) } : undefined
}

/** True when `a` constrained-dominates `b` (plain Pareto dominance when neither violates a constraint). */
export function beats(a: Individual, b: Individual): boolean {
  return constrainedDominates(a.losses, a.violation, b.losses, b.violation)
}

/**
 * Moves `g` past every generation the history completes: each new generation's complete
 * trials plus the previous parents are reduced to `populationSize` by elitist selection.
 */
export function advanceGenerations(
  g: Generations,
  history: readonly TrialView[],
  populationSize: number,
  directions: readonly Direction[],
): Generations {
  let lo = 0
  let hi = history.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (history[mid]!.trialIdx < g.next) lo = mid + 1
    else hi = mid
  }
  let out = g
  let members: Individual[] = []
  for (let i = lo; i < history.length; i++) {
    const t = history[i]!
    if (t.seeded) continue
    const ind = individualOf(t, directions)
    if (!ind) continue
    members.push(ind)
    if (members.length < populationSize) continue
    const parents: Individual[] = []
    for (const idx of out.parents) {
      const p = trialAt(history, idx)
      const pi = p && individualOf(p, directions)
      if (pi) parents.push(pi)
    }
    const elite = selectElite([...members, ...parents], populationSize)
    out = { gen: out.gen + 1, parents: elite.map((e) => e.trial.trialIdx), next: t.trialIdx + 1 }
    members = []
  }
  return out
}

/**
 * Elitist selection (Deb et al. 2002, as Optuna 3.1's `_select_elite_population`): whole
 * fronts of the (constrained) non-dominated sort while they fit, then the rest of the next
 * front by decreasing crowding distance (ties: population order).
 */
export function selectElite(population: readonly Individual[], size: number): Individual[] {
  const fronts = nonDominatedFronts(population.length, (i, j) => beats(population[i]!, population[j]!))
  const elite: Individual[] = []
  for (const front of fronts) {
    if (elite.length + front.length < size) {
      for (const i of front) elite.push(population[i]!)
      continue
    }
    const dist = crowdingDistances(front.map((i) => population[i]!.losses))
    const order = front.map((_, k) => k).sort((a, b) => (dist[a]! > dist[b]! ? -1 : dist[a]! < dist[b]! ? 1 : front[a]! - front[b]!))
    const need = size - elite.length
    for (let k = 0; k < need && k < order.length; k++) elite.push(population[front[order[k]!]!]!)
    break
  }
  return elite
}
