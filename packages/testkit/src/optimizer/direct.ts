import { Rng } from '@cairn/core'
import type {
  Direction,
  Evaluation,
  IntermediateValue,
  Json,
  ObjectiveContext,
  ObjectiveResult,
  Optimizer,
  SearchSpace,
  StepContext,
  TrialView,
} from '@cairn/core'
import type { EvalSetup } from './evaluation.js'

/** What the optimizer proposed at each step (`halt` ends the list). */
export type Proposal = { candidate: Json; candidateId?: string } | { halt: string }

/** Options of `stepDirectly`. */
export interface DirectOptions {
  seed: number
  steps: number
  direction: Direction
  space?: SearchSpace
  setup: EvalSetup
  /**
   * Called with the state after init and after every step; returns the state to continue
   * with (the state round-trip test passes it through encodeState/decodeState).
   */
  between?(state: unknown): unknown
}

/**
 * Drives an optimizer without the session driver or a store: init, then `steps` calls of
 * `step` with a seeded rng, the growing history and an `evaluate` that runs the objective
 * (or program × examples × metric, on the valset when there is one, else the trainset). Returns what each step proposed.
 */
export async function stepDirectly(optimizer: Optimizer<any>, options: DirectOptions): Promise<Proposal[]> {
  const rng = Rng.fromSeed(options.seed)
  const history: TrialView[] = []
  const between = options.between ?? ((s: unknown) => s)
  const extra = {
    ...(options.space !== undefined ? { space: options.space } : {}),
    ...(options.setup.trainset !== undefined ? { trainset: options.setup.trainset } : {}),
    ...(options.setup.valset !== undefined ? { valset: options.setup.valset } : {}),
  }
  let state = between(await optimizer.init({ seed: options.seed, rng, direction: options.direction, history: [], ...extra }))
  const out: Proposal[] = []
  for (let trialIdx = 0; trialIdx < options.steps; trialIdx++) {
    const controller = new AbortController()
    const ctx: StepContext = {
      trialIdx,
      rng,
      history: [...history],
      direction: options.direction,
      ...extra,
      ...(options.setup.metric !== undefined ? { metric: options.setup.metric } : {}),
      ...(options.setup.program !== undefined ? { program: options.setup.program } : {}),
      evaluate: (candidate, evalOptions) => evaluate(options.setup, candidate, trialIdx, controller.signal, evalOptions?.examples),
      signal: controller.signal,
      parallelism: 1,
    }
    const result = await optimizer.step(state, ctx)
    if (result.kind === 'halt') {
      out.push({ halt: result.reason })
      break
    }
    const { candidate, candidateId, evaluation } = result.trial
    out.push({ candidate, ...(candidateId !== undefined ? { candidateId } : {}) })
    history.push({
      trialIdx,
      candidate,
      status: evaluation.status,
      ...(candidateId !== undefined ? { candidateId } : {}),
      ...(evaluation.score !== undefined ? { score: evaluation.score } : {}),
    })
    state = between(result.state)
  }
  return out
}

async function evaluate(
  setup: EvalSetup,
  candidate: Json,
  trialIdx: number,
  signal: AbortSignal,
  examples: readonly unknown[] | undefined,
): Promise<Evaluation> {
  try {
    if (setup.program && setup.metric) {
      const set = examples ?? setup.valset ?? setup.trainset ?? []
      let total = 0
      for (const example of set) total += await setup.metric(example, await setup.program(candidate, example, { signal }))
      return { status: 'ok', score: set.length ? total / set.length : 0, durationMs: 0 }
    }
    const result = (await setup.objective!(candidate, directContext(trialIdx, signal))) as ObjectiveResult
    if (typeof result === 'number') return { status: 'ok', score: result, durationMs: 0 }
    if (Array.isArray(result)) return { status: 'ok', values: result, durationMs: 0 }
    return {
      status: 'ok',
      ...(Array.isArray(result.score) ? { values: result.score } : { score: result.score }),
      ...(result.constraints !== undefined ? { constraints: result.constraints } : {}),
      ...(result.attrs !== undefined ? { attrs: result.attrs } : {}),
      durationMs: 0,
      ...(result.stats !== undefined ? { stats: result.stats } : {}),
      ...(result.artifact !== undefined ? { artifact: result.artifact } : {}),
    }
  } catch (err) {
    const e = err as Error
    return {
      status: 'error',
      error: { name: e?.name ?? 'Error', message: e?.message ?? String(err) },
      errorClass: 'objective',
      durationMs: 0,
    }
  }
}

/**
 * The context of a direct (store-less) evaluation: reports are kept for the call, no pruner
 * judges (`shouldPrune()` is false, so `prune()` is refused), checkpoints go nowhere.
 */
function directContext(trialIdx: number, signal: AbortSignal): ObjectiveContext {
  const curve: IntermediateValue[] = []
  return {
    trialIdx,
    signal,
    report: (step, value) => void curve.push({ step, value }),
    shouldPrune: () => false,
    prune: () => {
      throw new Error('a direct drive has no pruner: shouldPrune() is always false')
    },
    checkpoint: async () => undefined,
    setAttr: () => undefined,
    restored: undefined,
    intermediate: curve,
  }
}
