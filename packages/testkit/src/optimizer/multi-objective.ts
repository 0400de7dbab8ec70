import { Rng } from '@cairn/core'
import type { Direction, Json, Optimizer, SearchSpace, TrialView } from '@cairn/core'
import { defaultObjective } from './defaults.js'

/** The two directions of the suite's multi-objective runs. */
export const TWO_DIRECTIONS: readonly Direction[] = ['minimize', 'maximize']

/**
 * Two deterministic objectives and one constraint over any JSON candidate: testkit's
 * `defaultObjective`, the same measured from −1 (maximized, so negated), and a constraint
 * that holds for about half the candidates.
 */
export function twoObjectives(candidate: Json): { values: number[]; constraints: number[] } {
  const f1 = defaultObjective(candidate) as number
  const f2 = -(defaultObjective(shift(candidate)) as number)
  return { values: [f1, f2], constraints: [f1 + f2] }
}

function shift(value: Json): Json {
  if (typeof value === 'number') return value + 2
  if (Array.isArray(value)) return value.map(shift)
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shift(v as Json)]))
  return value
}

/** Options of `runTwoObjectives`. */
export interface TwoObjectiveRun {
  seed: number
  trials: number
  space: SearchSpace | undefined
  /** Report the constraint too (for optimizers that declare `constraints`). */
  constraints: boolean
  /**
   * Stop after this trial count, then continue with a fresh optimizer from `factory`, the
   * state through `encodeState`/`decodeState` and the RNG through `state()`/`fromState()` —
   * what a resume gets from the checkpoint.
   */
  resumeAfter?: number
}

/**
 * Drives a sampler (`askTell()` optimizer) as the session driver does with `parallelism: 1`
 * in a two-objective session: `directions` in every context, trial views with `values` (and
 * `constraints`), `tell` in index order. Returns the candidates asked, in order.
 */
export async function runTwoObjectives(factory: () => Optimizer<any>, run: TwoObjectiveRun): Promise<Json[]> {
  let optimizer = factory()
  let sampler = optimizer.sampler!
  let rng = Rng.fromSeed(run.seed)
  const base = { direction: TWO_DIRECTIONS[0]!, directions: TWO_DIRECTIONS, ...(run.space !== undefined ? { space: run.space } : {}) }
  const history: TrialView[] = []
  let state = await sampler.init({ seed: run.seed, rng, history: [], ...base })
  const out: Json[] = []
  for (let trialIdx = 0; trialIdx < run.trials; trialIdx++) {
    if (trialIdx === run.resumeAfter) {
      const bytes = optimizer.encodeState(state)
      const rngState = rng.state()
      optimizer = factory()
      sampler = optimizer.sampler!
      state = optimizer.decodeState(bytes, optimizer.stateVersion)
      rng = Rng.fromState(rngState)
    }
    const asked = await sampler.ask(state, { trialIdx, rng, history: [...history], pending: [], ...base })
    if (asked.kind === 'halt') break
    out.push(asked.candidate)
    const { values, constraints } = twoObjectives(asked.candidate)
    const view: TrialView = { trialIdx, candidate: asked.candidate, status: 'ok', values, ...(run.constraints ? { constraints } : {}) }
    history.push(view)
    state = sampler.tell ? sampler.tell(asked.state, view, { history: [...history] }) : asked.state
  }
  return out
}
