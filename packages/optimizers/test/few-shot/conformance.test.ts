import { describeOptimizer } from '@cairn/testkit'
import { fewShotSearch } from '../../src/index.js'
import { metric, program, trainset } from './fixture.js'

describeOptimizer('fewShotSearch', () => fewShotSearch({ rescoreEvery: 3 }), { program, trainset, metric, trials: 8 })
