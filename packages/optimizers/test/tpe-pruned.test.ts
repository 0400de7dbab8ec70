import { Rng, float, space, type Direction, type Json, type TrialView } from '@cairn/core'
import { describe, expect, test } from 'vitest'
import { randomSearch, tpe } from '../src/index.js'
import { compileSpace } from '../src/space-math/index.js'
import { collectObservations, splitObservations } from '../src/tpe/observations.js'

// Mirrors Optuna 3.1's TPE: _get_observation_pairs scores a COMPLETE trial (−inf, value), a
// PRUNED one (−last step, its value there), or (1, 0) without intermediate values; FAIL trials
// are left out; _split_observation_pairs takes the n_below first of a stable lexicographic
// argsort, each group back in trial order.
const line = space({ x: float(0, 10) })
const cs = compileSpace(line)
const at = (x: number): Json => ({ x })

/** One ask of a fresh `tpe(options)` over `history` (state seeded `seed`, the ask's rng `askSeed`): its candidate, or null. */
async function askTpe(options: Parameters<typeof tpe>[0], history: TrialView[], seed: number, askSeed = seed): Promise<Json | null> {
  const sampler = tpe(options).sampler!
  const state = await sampler.init({ seed, rng: Rng.fromSeed(seed), direction: 'minimize', space: line, history })
  const asked = await sampler.ask(state, {
    trialIdx: history.length,
    rng: Rng.fromSeed(askSeed),
    history,
    pending: [],
    direction: 'minimize',
    space: line,
  })
  return asked.kind === 'candidate' ? asked.candidate : null
}

function ok(trialIdx: number, score: number): TrialView {
  return { trialIdx, candidate: at(trialIdx), status: 'ok', score }
}
function pruned(trialIdx: number, points: [number, number][]): TrialView {
  const intermediate = points.map(([step, value]) => ({ step, value }))
  return { trialIdx, candidate: at(trialIdx), status: 'pruned', score: intermediate[intermediate.length - 1]?.value, intermediate }
}

/** Trial indices of the good group and of the rest, for `nBelow`. */
function split(history: TrialView[], nBelow: number, direction: Direction = 'minimize') {
  const obs = collectObservations(cs, history, [], direction)
  const { below, above } = splitObservations(obs, nBelow)
  const idx = (rows: Uint32Array) => [...rows].map((r) => obs.numeric[0]![r]!)
  return { nFinished: obs.nFinished, below: idx(below), above: idx(above) }
}

// Ranked by hand: complete 2 (1.0), 7 (2.0), 0 (3.0); pruned at step 4: 5 (1.5), 1 (2.0);
// pruned at step 1: 3 (0.5); pruned without a curve: 6; trial 4 failed.
const history: TrialView[] = [
  ok(0, 3.0),
  pruned(1, [
    [0, 5],
    [4, 2.0],
  ]),
  ok(2, 1.0),
  pruned(3, [
    [0, 1],
    [1, 0.5],
  ]),
  { trialIdx: 4, candidate: at(4), status: 'error' },
  pruned(5, [
    [0, 9],
    [4, 1.5],
  ]),
  { trialIdx: 6, candidate: at(6), status: 'pruned', score: 0.1 },
  ok(7, 2.0),
]
const negated = history.map((t) => ({
  ...t,
  ...(t.score !== undefined ? { score: -t.score } : {}),
  ...(t.intermediate ? { intermediate: t.intermediate.map((p) => ({ step: p.step, value: -p.value })) } : {}),
}))

describe('tpe with pruned trials', () => {
  test('complete trials first by score, then pruned ones by the step reached (further is better), then by value; failed ones left out', () => {
    expect(split(history, 3)).toEqual({ nFinished: 7, below: [0, 2, 7], above: [1, 3, 5, 6] })
    expect(split(history, 4)).toEqual({ nFinished: 7, below: [0, 2, 5, 7], above: [1, 3, 6] })
    expect(split(history, 5)).toEqual({ nFinished: 7, below: [0, 1, 2, 5, 7], above: [3, 6] })
    expect(split(history, 6)).toEqual({ nFinished: 7, below: [0, 1, 2, 3, 5, 7], above: [6] })
  })

  test('maximize ranks the largest values first, steps as before', () => {
    for (const n of [3, 4, 5, 6]) expect(split(negated, n, 'maximize')).toEqual(split(history, n))
  })

  test('ties go to the older trial', () => {
    const tied = [pruned(0, [[3, 1]]), pruned(1, [[3, 1]]), pruned(2, [[3, 1]])]
    expect(split(tied, 2)).toEqual({ nFinished: 3, below: [0, 1], above: [2] })
  })

  test('pruned trials count towards nStartupTrials (as Optuna 3.1 counts them)', async () => {
    const ask = (h: TrialView[]) => askTpe({ nStartupTrials: 4 }, h, 1, 9)
    const rnd = randomSearch().sampler!
    const random = await rnd.ask(
      { v: 1 },
      { trialIdx: 0, rng: Rng.fromSeed(9), history: [], pending: [], direction: 'minimize', space: line },
    )
    const three = [ok(0, 1), ok(2, 2), pruned(5, [[1, 3]])]
    expect(await ask(three)).toEqual(random.kind === 'candidate' ? random.candidate : null)
    expect(await ask([...three, pruned(7, [[1, 4]])])).not.toEqual(random.kind === 'candidate' ? random.candidate : null)
  })

  test('trials pruned late with good values lead the model, ahead of trials pruned early', async () => {
    // Two complete trials near x = 9; 20 pruned at step 5 near x = 2 with good values; 24
    // pruned at step 0 near x = 5.5 and x = 9. Without pruned trials the model would not even
    // start (2 < nStartupTrials) and proposals would be uniform.
    const h: TrialView[] = []
    const add = (x: number, t: Omit<TrialView, 'trialIdx' | 'candidate'>) => h.push({ trialIdx: h.length, candidate: at(x), ...t })
    add(8.9, { status: 'ok', score: 10 })
    add(9.1, { status: 'ok', score: 10 })
    for (let i = 0; i < 20; i++) add(1.5 + i / 20, { status: 'pruned', score: 1, intermediate: [{ step: 5, value: 1 }] })
    for (let i = 0; i < 14; i++) add(5 + i / 14, { status: 'pruned', score: 9, intermediate: [{ step: 0, value: 9 }] })
    for (let i = 0; i < 10; i++) add(8.4 + i / 12, { status: 'pruned', score: 9, intermediate: [{ step: 0, value: 9 }] })
    const xs: number[] = []
    for (let seed = 1; seed <= 20; seed++) {
      const candidate = await askTpe({ nStartupTrials: 4, localFraction: 0, gamma: 0.4 }, h, seed)
      if (candidate) xs.push((candidate as { x: number }).x)
    }
    // The good group (18 of 46): the 2 complete trials and the first 16 pruned at step 5.
    expect(xs.filter((x) => x >= 1 && x <= 3).length).toBeGreaterThanOrEqual(14)
  })

  describe("with a pruned trial in the history, Optuna's priorWeight, bandwidthBelow and no local moves unless given", () => {
    // 14 trials on a line: complete ones near x = 3, pruned ones spread out (step 4 or 1).
    const base: TrialView[] = []
    for (let i = 0; i < 14; i++) {
      const x = i % 2 === 0 ? 2.5 + i / 14 : (i * 0.73) % 10
      base.push(
        i % 2 === 0
          ? { trialIdx: i, candidate: at(x), status: 'ok', score: Math.abs(x - 3) }
          : { trialIdx: i, candidate: at(x), status: 'pruned', score: 5, intermediate: [{ step: i % 4 === 1 ? 4 : 1, value: 5 }] },
      )
    }
    const completeOnly = base.map(
      (t): TrialView => (t.status === 'pruned' ? { trialIdx: t.trialIdx, candidate: t.candidate, status: 'ok', score: 5 } : t),
    )
    const asks = async (options: Parameters<typeof tpe>[0], h: TrialView[]) => {
      const out: Json[] = []
      for (let seed = 1; seed <= 12; seed++) out.push(await askTpe(options, h, seed))
      return out
    }

    test('the defaults propose as optunaDefaults: true', async () => {
      const optuna = await asks({ optunaDefaults: true }, base)
      expect(await asks({}, base)).toEqual(optuna)
      expect(await asks({ priorWeight: 1, bandwidthBelow: 1, localFraction: 0 }, base)).toEqual(optuna)
    })

    test('without a pruned trial, the tuned defaults (proposals differ from Optuna values)', async () => {
      expect(await asks({}, completeOnly)).toEqual(await asks({ priorWeight: 2, bandwidthBelow: 0.7, localFraction: 0.3 }, completeOnly))
      expect(await asks({}, completeOnly)).not.toEqual(await asks({ optunaDefaults: true }, completeOnly))
    })

    test('options given are kept', async () => {
      const tuned = await asks({ priorWeight: 2, bandwidthBelow: 0.7, localFraction: 0.3 }, base)
      expect(tuned).not.toEqual(await asks({ optunaDefaults: true }, base))
      expect(await asks({ priorWeight: 2 }, base)).not.toEqual(await asks({ optunaDefaults: true }, base))
    })

    test('the options stored with the session do not change', () => {
      expect(tpe().options).not.toHaveProperty('pruned')
      expect(tpe().options).toMatchObject({ priorWeight: 2, bandwidthBelow: 0.7, localFraction: 0.3 })
    })
  })
})
