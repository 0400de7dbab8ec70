import { Rng, type Direction, type Json, type Optimizer, type SearchSpace, type TrialView } from '@cairn/core'

export type Params = Record<string, Json>

/** Drives an ask/tell optimizer the way the session driver does with parallelism 1. */
export async function drive(
  optimizer: Optimizer<any>,
  space: SearchSpace,
  f: (p: Params) => number,
  trials: number,
  opts: { seed?: number; direction?: Direction; history?: TrialView[] } = {},
): Promise<{ history: TrialView[]; halted?: string; state: unknown }> {
  const sampler = optimizer.sampler
  if (!sampler) throw new Error('not an ask/tell optimizer')
  const rng = Rng.fromSeed(opts.seed ?? 1)
  const direction = opts.direction ?? 'minimize'
  const history: TrialView[] = opts.history ?? []
  let state = await sampler.init({ seed: opts.seed ?? 1, rng, direction, space, history })
  for (let i = 0; i < trials; i++) {
    const asked = await sampler.ask(state, { trialIdx: history.length, rng, history, pending: [], direction, space })
    if (asked.kind === 'halt') return { history, halted: asked.reason, state: asked.state }
    const score = f(asked.candidate as Params)
    const view: TrialView = Number.isFinite(score)
      ? { trialIdx: history.length, candidate: asked.candidate, status: 'ok', score }
      : { trialIdx: history.length, candidate: asked.candidate, status: 'error' }
    history.push(view)
    state = sampler.tell ? sampler.tell(asked.state, view, { history }) : asked.state
  }
  return { history, state }
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

export const bestOf = (h: readonly TrialView[], direction: Direction = 'minimize'): number =>
  h.reduce(
    (b, t) => (t.status === 'ok' && t.score !== undefined ? (direction === 'minimize' ? Math.min(b, t.score) : Math.max(b, t.score)) : b),
    direction === 'minimize' ? Infinity : -Infinity,
  )
