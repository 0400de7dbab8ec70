import { askTell, type Json, type Optimizer, type Sampler } from '@cairn/core'
import { OptionReader } from './common/options.js'
import { OPTIMIZER_IDS } from './ids.js'
import { requireSpace } from './common/require-space.js'
import { jsonStateCodec } from './common/state-codec.js'
import { sampleUniform } from './space-math/index.js'

/** Options of `randomSearch()`. It has none yet; the object is accepted for symmetry. */
export type RandomSearchOptions = Record<string, never>

/** The state of `randomSearch()`: nothing but a version tag (the RNG lives in the session). */
export type RandomSearchState = { v: 1 }

const NAME = 'randomSearch'
const isState = (v: unknown): v is RandomSearchState => typeof v === 'object' && v !== null && (v as { v?: unknown }).v === 1

/**
 * Random search: every candidate drawn independently and uniformly from the space (log
 * dimensions log-uniformly, ints and stepped floats uniformly over their values, categoricals
 * uniformly). A strong baseline for small budgets and many dimensions, and embarrassingly
 * parallel. Never halts by itself: bound it with `maxTrials`. Conditional spaces: every branch
 * of a `choice` is equally likely, and the candidate holds only the active parameters.
 *
 * ```ts
 * await compile({ optimizer: randomSearch(), space: space({ x: float(-5, 5) }), objective, maxTrials: 50 })
 * ```
 */
export function randomSearch(options: RandomSearchOptions = {}): Optimizer<RandomSearchState> {
  new OptionReader(NAME, options, [])
  const sampler: Sampler<RandomSearchState> = {
    id: OPTIMIZER_IDS.random,
    capabilities: { deterministic: false, flatSpace: true, conditionalSpace: true, multiObjective: true },
    stateVersion: 1,
    options: {} satisfies Json,
    init: (ctx) => {
      requireSpace(NAME, ctx)
      return { v: 1 }
    },
    ask: (state, ctx) => ({ kind: 'candidate', state, candidate: sampleUniform(requireSpace(NAME, ctx), ctx.rng) }),
    ...jsonStateCodec(NAME, 1, isState),
  }
  return askTell(sampler)
}
