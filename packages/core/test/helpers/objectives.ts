import { askTell, type Direction, type Optimizer, type Sampler, type TrialView } from '../../src/index.js'
import { uniformSampler } from './optimizers.js'

/** What the multi-objective sampler saw on each ask (directions and the values of its history). */
export interface SeenAsk {
  directions: readonly Direction[] | undefined
  historyValues: (readonly number[] | undefined)[]
  historyConstraints: (readonly number[] | undefined)[]
}

/** `uniformSampler` declaring several objectives and constraints; it records what it is asked with. */
export function multiSampler(seen: SeenAsk[] = []): Sampler<{ asked: number }> {
  const base = uniformSampler()
  return {
    ...base,
    id: 'test/multi-uniform',
    capabilities: { multiObjective: true, constraints: true },
    ask(state, ctx) {
      seen.push({
        directions: ctx.directions,
        historyValues: ctx.history.map((t: TrialView) => t.values),
        historyConstraints: ctx.history.map((t: TrialView) => t.constraints),
      })
      return base.ask(state, ctx)
    },
  }
}

export const multi = (seen?: SeenAsk[]): Optimizer<{ asked: number }> => askTell(multiSampler(seen))

/** Two conflicting objectives over x: x² and (x − 2)² (the front is x ∈ [0, 2]). */
export const twoObjectives = (c: { x: number }): number[] => [c.x * c.x, (c.x - 2) ** 2]

/** A deterministic generator of floats in [0, 1) (for brute-force checks). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}
