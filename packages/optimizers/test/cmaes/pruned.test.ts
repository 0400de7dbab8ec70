import { Rng, float, space, type Json, type TrialView } from '@cairn/core'
import { describe, expect, test } from 'vitest'
import { cmaEs, type CmaEsOptions, type CmaEsState } from '../../src/index.js'

// Optuna 3.1's CmaEsSampler._get_trials: PRUNED trials are solutions only with
// consider_pruned_trials=True, valued at their last intermediate value; otherwise the
// generation waits for λ COMPLETE trials.
const plane = space({ x: float(-5, 5), y: float(-5, 5) })
type Outcome = { status: 'ok'; score: number } | { status: 'pruned'; last: number } | { status: 'error' }

/** Asks `outcomes.length` candidates one at a time and tells each outcome; returns the state after each tell. */
async function run(options: CmaEsOptions, outcomes: Outcome[]): Promise<CmaEsState[]> {
  const o = cmaEs({ popsize: 4, restart: 'none', ...options })
  const sampler = o.sampler!
  const rng = Rng.fromSeed(3)
  const history: TrialView[] = []
  let state = await sampler.init({ seed: 3, rng, direction: 'minimize', space: plane, history })
  const states: CmaEsState[] = []
  for (const [trialIdx, out] of outcomes.entries()) {
    const asked = await sampler.ask(state, { trialIdx, rng, history, pending: [], direction: 'minimize', space: plane })
    if (asked.kind !== 'candidate') throw new Error('halted')
    const candidate: Json = asked.candidate
    const view: TrialView =
      out.status === 'ok'
        ? { trialIdx, candidate, status: 'ok', score: out.score }
        : out.status === 'pruned'
          ? {
              trialIdx,
              candidate,
              status: 'pruned',
              score: out.last,
              intermediate: [
                { step: 0, value: 99 },
                { step: 3, value: out.last },
              ],
            }
          : { trialIdx, candidate, status: 'error' }
    history.push(view)
    state = sampler.tell!(asked.state, view, { history })
    states.push(state)
  }
  return states
}

const ok = (score: number): Outcome => ({ status: 'ok', score })
const pruned = (last: number): Outcome => ({ status: 'pruned', last })

describe('cmaEs with pruned trials', () => {
  test('by default a pruned trial leaves its generation: the update waits for λ other trials', async () => {
    const states = await run({}, [ok(1), ok(2), pruned(3), ok(4), ok(5)])
    expect(states.map((s) => s.genId)).toEqual([0, 0, 0, 0, 1])
  })

  test('an error trial still ranks as the generation’s worst (the update runs after λ tells)', async () => {
    const states = await run({}, [ok(1), ok(2), { status: 'error' }, ok(4)])
    expect(states.map((s) => s.genId)).toEqual([0, 0, 0, 1])
  })

  test('considerPrunedTrials: a pruned trial counts with its last intermediate value, as an ok trial with that score', async () => {
    const withPruned = await run({ considerPrunedTrials: true }, [ok(1), ok(2), pruned(3), ok(4)])
    const withOk = await run({ considerPrunedTrials: true }, [ok(1), ok(2), ok(3), ok(4)])
    expect(withPruned.map((s) => s.genId)).toEqual([0, 0, 0, 1])
    expect(withPruned[3]).toEqual(withOk[3])
  })

  test('options record considerPrunedTrials only when set (sessions started before it resume unchanged)', () => {
    expect(cmaEs().options).not.toHaveProperty('considerPrunedTrials')
    expect(cmaEs({ considerPrunedTrials: true }).options).toMatchObject({ considerPrunedTrials: true })
  })
})
