import type { AskContext, AskResult, Sampler } from '@cairn/core'
import { requireSpace } from '../common/require-space.js'
import { jsonStateCodec } from '../common/state-codec.js'
import { OPTIMIZER_IDS } from '../ids.js'
import { directionsOf } from '../multi-objective/losses.js'
import { compileSpace, sampleUniform } from '../space-math/index.js'
import { makeChild } from './child.js'
import { NSGA2_NAME, nsga2OptionsJson, type Nsga2Config } from './options.js'
import { advanceGenerations, individualOf, trialAt, type Individual } from './population.js'

/**
 * The state of `nsga2()`: where the generations stand (see `Generations`): the last complete
 * generation, its elite population as trial indices (at most `populationSize`), and the first
 * trial index of the generation being filled. Everything else comes from the history.
 */
export type Nsga2State = { v: 1; gen: number; parents: number[]; next: number }

const isState = (v: unknown): v is Nsga2State => {
  if (typeof v !== 'object' || v === null) return false
  const s = v as Record<string, unknown>
  return (
    s.v === 1 &&
    Number.isSafeInteger(s.gen) &&
    Number.isSafeInteger(s.next) &&
    Array.isArray(s.parents) &&
    s.parents.every((p) => Number.isSafeInteger(p))
  )
}

/** The NSGA-II sampler; `nsga2()` wraps it with `askTell()`. */
export function nsga2Sampler(cfg: Nsga2Config): Sampler<Nsga2State> {
  return {
    id: OPTIMIZER_IDS.nsga2,
    capabilities: { deterministic: false, flatSpace: true, multiObjective: true, constraints: true },
    stateVersion: 1,
    options: nsga2OptionsJson(cfg),
    init: (ctx) => {
      requireSpace(NSGA2_NAME, ctx)
      return { v: 1, gen: -1, parents: [], next: 0 }
    },
    ask: (state, ctx) => ask(cfg, state, ctx),
    ...jsonStateCodec(NSGA2_NAME, 1, isState),
  }
}

function ask(cfg: Nsga2Config, state: Nsga2State, ctx: AskContext): AskResult<Nsga2State> {
  const space = requireSpace(NSGA2_NAME, ctx)
  const directions = directionsOf(ctx)
  const g = advanceGenerations(state, ctx.history, cfg.populationSize, directions)
  const next: Nsga2State = { v: 1, gen: g.gen, parents: g.parents, next: g.next }
  const parents: Individual[] = []
  for (const idx of g.parents) {
    const t = trialAt(ctx.history, idx)
    const p = t && individualOf(t, directions)
    if (p) parents.push(p)
  }
  // The first generation (and a session whose parents are gone from the history) is drawn uniformly.
  if (parents.length === 0) return { kind: 'candidate', state: next, candidate: sampleUniform(space, ctx.rng) }
  return { kind: 'candidate', state: next, candidate: makeChild(cfg, compileSpace(space), parents, ctx.rng) }
}
