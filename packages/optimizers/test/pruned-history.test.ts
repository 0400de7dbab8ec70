import { Rng, assertCandidate, categorical, float, space, type Optimizer, type TrialView } from '@cairn/core'
import { expect, test } from 'vitest'
import { cmaEs, gridSearch, randomSearch, tpe } from '../src/index.js'

const s = space({ x: float(-1, 1), k: categorical(['a', 'b']) })

test.each<[string, () => Optimizer<any>]>([
  ['randomSearch', () => randomSearch()],
  ['gridSearch', () => gridSearch({ resolution: 3 })],
  ['tpe', () => tpe({ nStartupTrials: 2 })],
  ['tpe (multivariate, constant liar)', () => tpe({ nStartupTrials: 2, multivariate: true, constantLiar: true })],
  ['cmaEs', () => cmaEs({ popsize: 3 })],
  ['cmaEs (considerPrunedTrials)', () => cmaEs({ popsize: 3, considerPrunedTrials: true })],
])('%s asks and is told with pruned trials in its history (with and without curves)', async (_, make) => {
  const sampler = make().sampler!
  const rng = Rng.fromSeed(2)
  const history: TrialView[] = []
  let state = await sampler.init({ seed: 2, rng, direction: 'minimize', space: s, history })
  for (let trialIdx = 0; trialIdx < 24; trialIdx++) {
    const asked = await sampler.ask(state, { trialIdx, rng, history, pending: [], direction: 'minimize', space: s })
    if (asked.kind !== 'candidate') break
    assertCandidate(s, asked.candidate)
    const x = (asked.candidate as { x: number }).x
    const view: TrialView =
      trialIdx % 3 === 0
        ? { trialIdx, candidate: asked.candidate, status: 'ok', score: x * x }
        : trialIdx % 3 === 1
          ? { trialIdx, candidate: asked.candidate, status: 'pruned', score: x, intermediate: [{ step: trialIdx % 5, value: x }] }
          : { trialIdx, candidate: asked.candidate, status: 'pruned', score: x }
    history.push(view)
    state = sampler.tell ? sampler.tell(asked.state, view, { history }) : asked.state
  }
  expect(history.filter((t) => t.status === 'pruned').length).toBeGreaterThan(0)
})
