// test/hill-climber.test.ts
import { describeOptimizer } from '@cairn/testkit'
import { hillClimb } from '../src/index.js'

describeOptimizer('hill climber', () => hillClimb())
