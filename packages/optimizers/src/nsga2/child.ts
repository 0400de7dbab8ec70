import type { Json, Rng } from '@cairn/core'
import { categoryIndex, fromInternal, toInternal, type CompiledSpace, type Dim } from '../space-math/index.js'
import type { Nsga2Config } from './options.js'
import { crowdingDistances, nonDominatedFronts } from '../multi-objective/pareto.js'
import { beats, type Individual } from './population.js'

/** A value of `d` drawn uniformly (as `sampleUniform` draws it: one number from `rng`). */
export function sampleDim(d: Dim, rng: Rng): Json {
  if (d.kind === 'categorical') return d.choices[rng.int(0, d.count - 1)] as Json
  return fromInternal(d, rng.uniform(d.lo, d.hi))
}

/** True when `v` is a valid value of `d` (what a parent's candidate holds, unless the space changed). */
function fits(d: Dim, v: Json | undefined): boolean {
  if (d.kind === 'categorical') return categoryIndex(d, v) >= 0
  const x = toInternal(d, v)
  return x >= d.lo && x <= d.hi && fromInternal(d, x) === v
}

/** What a binary tournament compares: constrained domination, or the crowded comparison (rank, then crowding distance). */
type Compare = (a: Individual, b: Individual) => boolean

/**
 * The crowded-comparison operator of Deb et al. (2002) on the parent population: a lower
 * (constrained) non-domination rank wins, then a larger crowding distance within the front.
 */
function crowdedComparison(parents: readonly Individual[]): Compare {
  const rank = new Map<Individual, number>()
  const crowding = new Map<Individual, number>()
  nonDominatedFronts(parents.length, (i, j) => beats(parents[i]!, parents[j]!)).forEach((front, r) => {
    const d = crowdingDistances(front.map((i) => parents[i]!.losses))
    front.forEach((i, k) => {
      rank.set(parents[i]!, r)
      crowding.set(parents[i]!, d[k]!)
    })
  })
  return (a, b) => {
    const ra = rank.get(a)!
    const rb = rank.get(b)!
    return ra !== rb ? ra < rb : crowding.get(a)! > crowding.get(b)!
  }
}

/** Binary tournament (Optuna 3.1's `_select_parent`): two uniform picks, the first if it wins the comparison, else the second. */
function tournament(pool: readonly Individual[], rng: Rng, wins: Compare): Individual {
  const a = pool[rng.int(0, pool.length - 1)]!
  const b = pool[rng.int(0, pool.length - 1)]!
  return wins(a, b) ? a : b
}

/**
 * A child of the parent population, as Optuna 3.1's NSGA-II makes one: with probability
 * `crossoverProb` the uniform crossover of two parents chosen by binary tournament (by
 * `cfg.tournament`, see `Nsga2Options.tournament`; each parameter
 * from the second parent with probability `swappingProb`), else a copy of a uniformly chosen
 * parent; then each parameter is redrawn uniformly with probability `mutationProb` (default
 * 1 / number of parameters). A parent value the space no longer accepts is redrawn too.
 */
export function makeChild(cfg: Nsga2Config, cs: CompiledSpace, parents: readonly Individual[], rng: Rng): Record<string, Json> {
  let from: (d: Dim) => Json | undefined
  if (rng.next() < cfg.crossoverProb && parents.length >= 2) {
    const wins = cfg.tournament === 'crowded' ? crowdedComparison(parents) : beats
    const first = tournament(parents, rng, wins)
    const second = tournament(
      parents.filter((p) => p !== first),
      rng,
      wins,
    )
    const pair = [first.trial.candidate, second.trial.candidate] as Record<string, Json>[]
    const swap = cs.dims.map(() => rng.next() < cfg.swappingProb)
    from = (d) => pair[swap[cs.dims.indexOf(d)] ? 1 : 0]![d.name]
  } else {
    const only = parents[rng.int(0, parents.length - 1)]!.trial.candidate as Record<string, Json>
    from = (d) => only[d.name]
  }
  const mutation = cfg.mutationProb ?? 1 / Math.max(1, cs.dims.length)
  const out: Record<string, Json> = {}
  for (const d of cs.dims) {
    const inherited = from(d)
    const mutate = rng.next() < mutation
    out[d.name] = mutate || !fits(d, inherited) ? sampleDim(d, rng) : (inherited as Json)
  }
  return out
}
