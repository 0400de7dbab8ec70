import { activeCandidate, type Json, type Rng, type SearchSpace } from '@cairn/core'
import { compileSpace } from './dims.js'
import { fromInternal } from './transform.js'

/**
 * A candidate drawn uniformly: numeric dims uniformly in their internal space (so log dims
 * are log-uniform, and every int or step value is equally likely), categoricals uniformly
 * among the choices. Draws exactly one number from `rng` per dimension, in name order. In a
 * conditional space every dimension is drawn (choices uniformly among their branches, so each
 * branch is equally likely) and the inactive ones are then dropped: the number of draws never
 * depends on the branches taken.
 */
export function sampleUniform(space: SearchSpace, rng: Rng): Record<string, Json> {
  const cs = compileSpace(space)
  const out: Record<string, Json> = {}
  for (const d of cs.dims) {
    if (d.kind === 'categorical') out[d.name] = d.choices[rng.int(0, d.count - 1)] as Json
    else out[d.name] = fromInternal(d, rng.uniform(d.lo, d.hi))
  }
  return cs.conditional ? activeCandidate(space, out) : out
}
