import { InvalidInputError } from '../errors.js'
import type { Optimizer, Sampler, StepContext, StepResult, TrialView } from './contract.js'

/**
 * Wraps a sampler as an optimizer. One `step` asks, evaluates and tells; the session driver
 * also uses the sampler directly to keep `parallelism` trials in flight while telling
 * results in trial-index order, so a parallel run stays deterministic.
 */
export function askTell<State>(sampler: Sampler<State>): Optimizer<State> {
  if (!sampler || typeof sampler.ask !== 'function' || typeof sampler.init !== 'function')
    throw new InvalidInputError('askTell() needs a sampler with init() and ask()', 'sampler')
  return {
    specificationVersion: 'v1',
    id: sampler.id,
    stateVersion: sampler.stateVersion,
    ...(sampler.options !== undefined ? { options: sampler.options } : {}),
    capabilities: {
      deterministic: sampler.capabilities?.deterministic ?? false,
      sampler: true,
      flatSpace: sampler.capabilities?.flatSpace ?? true,
      multiObjective: sampler.capabilities?.multiObjective ?? false,
      constraints: sampler.capabilities?.constraints ?? false,
      conditionalSpace: sampler.capabilities?.conditionalSpace ?? false,
    },
    sampler,
    init: (ctx) => sampler.init(ctx),
    encodeState: (state) => sampler.encodeState(state),
    decodeState: (bytes, version) => sampler.decodeState(bytes, version),
    async step(state: State, ctx: StepContext): Promise<StepResult<State>> {
      const asked = await sampler.ask(state, { ...ctx, pending: [] })
      if (asked.kind === 'halt') return asked
      const evaluation = await ctx.evaluate(asked.candidate)
      const view: TrialView = {
        trialIdx: ctx.trialIdx,
        candidate: asked.candidate,
        status: evaluation.status,
        ...(asked.candidateId !== undefined ? { candidateId: asked.candidateId } : {}),
        ...(evaluation.score !== undefined ? { score: evaluation.score } : {}),
        ...(evaluation.values !== undefined ? { values: evaluation.values } : {}),
        ...(evaluation.constraints !== undefined ? { constraints: evaluation.constraints } : {}),
      }
      const told = sampler.tell ? sampler.tell(asked.state, view, { history: [...ctx.history, view] }) : asked.state
      return {
        kind: 'continue',
        state: told,
        trial: {
          candidate: asked.candidate,
          ...(asked.candidateId !== undefined ? { candidateId: asked.candidateId } : {}),
          evaluation,
        },
      }
    },
  }
}
