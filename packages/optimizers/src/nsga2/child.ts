import type { Json, Rng } from '@cairn/core'
import { categoryIndex, fromInternal, toInternal, type CompiledSpace, type Dim } from '../space-math/index.js'
import type { Nsga2Config } from './options.js'
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

/** Binary tournament (Optuna 3.1's `_select_parent`): two uniform picks, the first if it dominates the second. */
function tournament(pool: readonly Individual[], rng: Rng): Individual {
  const a = pool[rng.int(0, pool.length - 1)]!
  const b = pool[rng.int(0, pool.length - 1)]!
  return beats(a, b) ? a : b
}

/**
 * A child of the parent population, as Optuna 3.1's NSGA-II makes one: with probability
 * `crossoverProb` the uniform crossover of two tournament-selected parents (each parameter
 * from the second parent with probability `swappingProb`), else a copy of a uniformly chosen
 * parent; then each parameter is redrawn uniformly with probability `mutationProb` (default
 * 1 / number of parameters). A parent value the space no longer accepts is redrawn too.
 */
export function makeChild(cfg: Nsga2Config, cs: CompiledSpace, parents: readonly Individual[], rng: Rng): Record<string, Json> {
  let from: (d: Dim) => Json | undefined
  if (rng.next() < cfg.crossoverProb && parents.length >= 2) {
    const first = tournament(parents, rng)
    const second = tournament(
      parents.filter((p) => p !== first),
      rng,
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
