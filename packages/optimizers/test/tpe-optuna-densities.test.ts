import { float, Rng, space, type TrialView } from '@cairn/core'
import { describe, expect, test } from 'vitest'
import { compileSpace } from '../src/space-math/index.js'
import { splitGroups } from '../src/tpe/multi-objective.js'
import { scoreObservations } from '../src/tpe/objectives.js'
import { resolveTpeOptions } from '../src/tpe/options.js'
import { NumericParzen } from '../src/tpe/univariate.js'
import { MOTPE_ZDT1_60 as FX } from './motpe-optuna-fixture.js'

describe("multi-objective tpe's estimators, against Optuna 3.1's on a 60-trial ZDT1 history", () => {
  const names = Object.keys(FX.columns)
  const s = space(Object.fromEntries(names.map((n) => [n, float(0, 1)])))
  const history: TrialView[] = FX.values.map((values, i) => ({
    trialIdx: i,
    candidate: Object.fromEntries(names.map((n) => [n, FX.columns[n]![i]!])),
    status: 'ok',
    values,
  }))
  const cfg = resolveTpeOptions({ optunaDefaults: true })
  const model = { ...cfg, ...cfg.multiObjective }
  const cs = compileSpace(s)
  const ctx = {
    trialIdx: 60,
    rng: Rng.fromSeed(1),
    history,
    pending: [],
    space: s,
    direction: 'minimize',
    directions: ['minimize', 'minimize'],
  }
  const scored = scoreObservations(cs, ctx as never, [])
  const groups = splitGroups(model, scored)

  test('the same good rows', () => {
    expect(Array.from(groups.below)).toEqual(FX.below)
  })

  test('log l(x) and log g(x) equal Optuna’s at 21 points of each column (within the erfc approximation)', () => {
    // Optuna's log densities include −log √(2π); ours are the density times √(2π).
    const c = 0.5 * Math.log(2 * Math.PI)
    cs.dims.forEach((dim, j) => {
      if (dim.kind === 'categorical') throw new Error('numeric dims only')
      const col = scored.obs.numeric[j]!
      const l = new NumericParzen(dim, col, groups.below, groups.wBelow, model, model.bandwidthBelow)
      const g = new NumericParzen(dim, col, groups.above, groups.wAbove, model)
      const want = FX.logpdf[dim.name]!
      FX.grid.forEach((x, k) => {
        expect(Math.log(l.density(x)) - c).toBeCloseTo(want.l[k]!, 5)
        expect(Math.log(g.density(x)) - c).toBeCloseTo(want.g[k]!, 5)
      })
    })
  })
})
