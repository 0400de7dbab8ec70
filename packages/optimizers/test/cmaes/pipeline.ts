import { Rng, type Direction, type Json, type Optimizer, type SearchSpace, type TrialView } from '@cairn/core'

/** One event of a pipelined run, for assertions on the ask/tell order. */
export type PipelineEvent = { kind: 'ask'; trialIdx: number; state: unknown } | { kind: 'tell'; trialIdx: number; state: unknown }

/**
 * Drives an ask/tell optimizer the way the session driver does with `parallelism > 1`: asks
 * until `parallelism` trials are pending, tells the oldest, asks again. `f` returning a
 * non-finite number (or throwing) makes the trial an error. The state is round-tripped
 * through `encodeState`/`decodeState` after every tell when `roundTrip` is set.
 */
export async function pipeline(
  optimizer: Optimizer<any>,
  space: SearchSpace,
  f: (p: Record<string, Json>) => number,
  trials: number,
  opts: { seed?: number; direction?: Direction; parallelism?: number; roundTrip?: boolean } = {},
): Promise<{ history: TrialView[]; state: unknown; events: PipelineEvent[] }> {
  const sampler = optimizer.sampler
  if (!sampler) throw new Error('not an ask/tell optimizer')
  const seed = opts.seed ?? 1
  const rng = Rng.fromSeed(seed)
  const direction = opts.direction ?? 'minimize'
  const parallelism = opts.parallelism ?? 1
  const history: TrialView[] = []
  const events: PipelineEvent[] = []
  let state = await sampler.init({ seed, rng, direction, space, history })
  const pending: { trialIdx: number; candidate: Json }[] = []
  let next = 0
  const fill = async (): Promise<void> => {
    while (pending.length < parallelism && next < trials) {
      const asked = await sampler.ask(state, { trialIdx: next, rng, history, pending: pending.slice(), direction, space })
      state = asked.state
      if (asked.kind === 'halt') return
      events.push({ kind: 'ask', trialIdx: next, state })
      pending.push({ trialIdx: next, candidate: asked.candidate })
      next++
    }
  }
  await fill()
  while (pending.length > 0) {
    const p = pending.shift()!
    let score: number
    try {
      score = f(p.candidate as Record<string, Json>)
    } catch {
      score = Number.NaN
    }
    const view: TrialView = Number.isFinite(score)
      ? { trialIdx: p.trialIdx, candidate: p.candidate, status: 'ok', score }
      : { trialIdx: p.trialIdx, candidate: p.candidate, status: 'error' }
    history.push(view)
    state = sampler.tell ? sampler.tell(state, view, { history }) : state
    if (opts.roundTrip) state = optimizer.decodeState(optimizer.encodeState(state), optimizer.stateVersion)
    events.push({ kind: 'tell', trialIdx: p.trialIdx, state })
    await fill()
  }
  return { history, state, events }
}
