import { categorical, float, int, space } from '@cairn/core'
import { describeOptimizer } from '@cairn/testkit'
import { cmaEs } from '../../src/index.js'

// The testkit's default space (a float, an int, a categorical): two generations of λ = 6.
describeOptimizer('cmaEs', () => cmaEs(), { trials: 14 })

// Small generations, so kills land before, inside and after several updates (with log and step dims).
describeOptimizer('cmaEs (popsize 3, log and step dims)', () => cmaEs({ popsize: 3 }), {
  trials: 14,
  space: space({
    lr: float(1e-4, 1, { log: true }),
    q: float(0, 1, { step: 0.1 }),
    w: int(1, 256, { log: true }),
    k: categorical(['a', 'b']),
  }),
})
