import { describeOptimizer } from '@cairn/testkit'
import { fewShotSearch } from '../../src/index.js'
import { metric, program, trainset } from './fixture.js'

describeOptimizer('fewShotSearch', () => fewShotSearch({ rescoreEvery: 3 }), { program, trainset, metric, trials: 8 })
// With held-out examples: the session is started and every resume is given the same valset.
describeOptimizer('fewShotSearch with a valset', () => fewShotSearch({ rescoreEvery: 3, maxLabeledDemos: 6 }), {
  program,
  trainset: trainset.slice(0, 16),
  valset: trainset.slice(16),
  metric,
  trials: 8,
})
