import { askTell, InvalidInputError } from '@cairn/core'
import type { Json, Optimizer, Param, Rng, SearchSpace } from '@cairn/core'

/** State of `referenceOptimizer`: how many candidates it has asked for. */
export interface ReferenceState {
  asked: number
}

const VERSION = 1

/** Draws one value of a dimension with the session's rng. */
export function sampleParam(rng: Rng, p: Param): Json {
  if (p.kind === 'categorical') return rng.pick(p.choices) as Json
  if (p.log) {
    const v = Math.exp(rng.uniform(Math.log(p.low), Math.log(p.high)))
    return p.kind === 'int' ? Math.min(p.high, Math.max(p.low, Math.round(v))) : v
  }
  if (p.kind === 'int') {
    const step = p.step ?? 1
    return p.low + step * rng.int(0, Math.floor((p.high - p.low) / step))
  }
  if (p.step !== undefined) return p.low + p.step * rng.int(0, Math.floor((p.high - p.low) / p.step))
  return rng.uniform(p.low, p.high)
}

/**
 * A seeded random-search optimizer built with `askTell()`: each trial draws every dimension
 * of the session's space with the session's rng. Small and deterministic, for store and
 * driver tests (`describeOptimizer(..., { durableStore, optimizerModule: referenceOptimizerModule() })`).
 */
export function referenceOptimizer(): Optimizer<ReferenceState> {
  return askTell<ReferenceState>({
    id: '@cairn/testkit/reference-random',
    stateVersion: VERSION,
    init: () => ({ asked: 0 }),
    ask(state, ctx) {
      const s: SearchSpace | undefined = ctx.space
      if (!s) throw new InvalidInputError('[@cairn/testkit] the reference optimizer needs a search space', 'space')
      const candidate: Record<string, Json> = {}
      for (const name of Object.keys(s.params).sort()) candidate[name] = sampleParam(ctx.rng, s.params[name] as Param)
      return { kind: 'candidate', state: { asked: state.asked + 1 }, candidate }
    },
    encodeState: (state) => new TextEncoder().encode(JSON.stringify(state)),
    decodeState(bytes, version) {
      if (version !== VERSION)
        throw new InvalidInputError(`[@cairn/testkit] unknown reference optimizer state version ${version}`, 'stateVersion')
      return JSON.parse(new TextDecoder().decode(bytes)) as ReferenceState
    },
  })
}
