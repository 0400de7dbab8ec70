import { categorical, float, int, space } from '@cairn/core'
import { describeOptimizer } from '@cairn/testkit'
import { gridSearch, nsga2, randomSearch, tpe } from '../src/index.js'

// A space with every kind of dimension: linear, log and stepped floats, ints (plain and log) and a categorical.
const mixed = space({
  x: float(-5, 5),
  lr: float(1e-4, 1, { log: true }),
  q: float(0, 1, { step: 0.1 }),
  n: int(1, 20),
  w: int(1, 512, { log: true }),
  kind: categorical(['a', 'b', 'c']),
})

describeOptimizer('randomSearch', () => randomSearch(), { space: mixed })
describeOptimizer('gridSearch', () => gridSearch({ resolution: 2 }), {
  space: space({ x: float(-1, 1), n: int(1, 3), kind: categorical(['a', 'b']) }),
})
// Few startup trials so most conformance trials exercise the model.
describeOptimizer('tpe', () => tpe({ nStartupTrials: 4 }), { space: mixed, trials: 14 })
describeOptimizer('tpe (multivariate, constant liar)', () => tpe({ nStartupTrials: 4, multivariate: true, constantLiar: true }), {
  space: mixed,
  trials: 14,
})
// A small population so the conformance trials go through several generations.
describeOptimizer('nsga2', () => nsga2({ populationSize: 4 }), { space: mixed, trials: 14 })
