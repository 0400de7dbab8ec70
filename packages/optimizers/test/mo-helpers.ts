import { Rng, type Direction, type Optimizer, type SearchSpace, type TrialView } from '@cairn/core'
import type { Params } from './helpers.js'

/** What a multi-objective or constrained test objective returns. */
export interface MoOutcome {
  values?: number[]
  score?: number
  constraints?: number[]
}

/**
 * Drives an ask/tell optimizer the way the session driver does with parallelism 1, with
 * several objectives (`directions`, ≥ 2) or one (`direction`) and constraints: the trial views
 * carry `values` / `score` and `constraints` as the driver records them.
 */
export async function driveMo(
  optimizer: Optimizer<any>,
  space: SearchSpace,
  f: (p: Params) => MoOutcome,
  trials: number,
  opts: { seed?: number; directions?: Direction[]; direction?: Direction; history?: TrialView[] } = {},
): Promise<{ history: TrialView[]; state: unknown }> {
  const sampler = optimizer.sampler
  if (!sampler) throw new Error('not an ask/tell optimizer')
  const rng = Rng.fromSeed(opts.seed ?? 1)
  const directions = opts.directions && opts.directions.length >= 2 ? opts.directions : undefined
  const direction = directions?.[0] ?? opts.direction ?? 'minimize'
  const history: TrialView[] = opts.history ?? []
  const base = { direction, ...(directions ? { directions } : {}), space }
  let state = await sampler.init({ seed: opts.seed ?? 1, rng, history, ...base })
  for (let i = 0; i < trials; i++) {
    const asked = await sampler.ask(state, { trialIdx: history.length, rng, history, pending: [], ...base })
    if (asked.kind === 'halt') break
    const out = f(asked.candidate as Params)
    const view: TrialView = {
      trialIdx: history.length,
      candidate: asked.candidate,
      status: 'ok',
      ...(out.values ? { values: out.values } : {}),
      ...(out.score !== undefined ? { score: out.score } : {}),
      ...(out.constraints ? { constraints: out.constraints } : {}),
    }
    history.push(view)
    state = sampler.tell ? sampler.tell(asked.state, view, { history }) : asked.state
  }
  return { history, state }
}

/** ZDT1 on `x0 … x(n−1)` in [0, 1] (two objectives, both minimized). */
export function zdt1(p: Params, n: number): number[] {
  let s = 0
  for (let i = 1; i < n; i++) s += p[`x${i}`] as number
  const g = 1 + (9 * s) / (n - 1)
  const f1 = p.x0 as number
  return [f1, g * (1 - Math.sqrt(f1 / g))]
}
