import { askTell, InvalidInputError, type Optimizer, type Sampler, type StepResult } from '../../src/index.js'

/** A uniform sampler over `x ∈ [-5, 5]`, `n ∈ {0..9}`; state counts asks (so it round-trips through bytes). */
export function uniformSampler(opts: { haltAfter?: number } = {}): Sampler<{ asked: number }> {
  return {
    id: 'test/uniform',
    stateVersion: 1,
    init: () => ({ asked: 0 }),
    ask(state, ctx) {
      if (opts.haltAfter !== undefined && state.asked >= opts.haltAfter) return { kind: 'halt', state, reason: 'exhausted' }
      return { kind: 'candidate', state: { asked: state.asked + 1 }, candidate: { x: ctx.rng.uniform(-5, 5), n: ctx.rng.int(0, 9) } }
    },
    tell: (state) => state,
    encodeState: (s) => new TextEncoder().encode(JSON.stringify(s)),
    decodeState(bytes, version) {
      if (version !== 1) throw new InvalidInputError(`unknown state version ${version}, expected 1`)
      return JSON.parse(new TextDecoder().decode(bytes)) as { asked: number }
    },
  }
}

export const uniform = (opts: { haltAfter?: number } = {}): Optimizer<{ asked: number }> => askTell(uniformSampler(opts))

/** A step-based optimizer: proposes x = rng draw, evaluates, returns the trial (halts after `haltAfter` steps if given). */
export function stepper(opts: { haltAfter?: number } = {}): Optimizer<{ steps: number }> {
  return {
    specificationVersion: 'v1',
    id: 'test/stepper',
    capabilities: { deterministic: false, sampler: false, flatSpace: true },
    stateVersion: 1,
    init: () => ({ steps: 0 }),
    async step(state, ctx): Promise<StepResult<{ steps: number }>> {
      if (opts.haltAfter !== undefined && state.steps >= opts.haltAfter) return { kind: 'halt', state, reason: 'exhausted' }
      const candidate = { x: ctx.rng.uniform(-5, 5) }
      const evaluation = await ctx.evaluate(candidate)
      return { kind: 'continue', state: { steps: state.steps + 1 }, trial: { candidate, evaluation } }
    },
    encodeState: (s) => new TextEncoder().encode(JSON.stringify(s)),
    decodeState: (bytes) => JSON.parse(new TextDecoder().decode(bytes)) as { steps: number },
  }
}

export const sphere = (c: { x: number }): number => c.x * c.x

/**
 * Samples around the best point told so far, with a spread that shrinks as trials are told: the
 * candidates depend on which results were told, and in which order, so a run that told them
 * differently would propose other candidates.
 */
export function nearBestSampler(): Sampler<{ told: number }> {
  return {
    id: 'test/near-best',
    stateVersion: 1,
    init: () => ({ told: 0 }),
    ask(state, ctx) {
      let best: { x: number; score: number } | undefined
      for (const t of ctx.history) {
        if (t.status === 'ok' && (best === undefined || (t.score as number) < best.score))
          best = { x: (t.candidate as { x: number }).x, score: t.score as number }
      }
      const spread = 5 / (1 + state.told)
      return { kind: 'candidate', state, candidate: { x: (best?.x ?? 0) + ctx.rng.uniform(-spread, spread) } }
    },
    tell: (state) => ({ told: state.told + 1 }),
    encodeState: (s) => new TextEncoder().encode(JSON.stringify(s)),
    decodeState: (bytes) => JSON.parse(new TextDecoder().decode(bytes)) as { told: number },
  }
}

export const nearBest = (): Optimizer<{ told: number }> => askTell(nearBestSampler())
