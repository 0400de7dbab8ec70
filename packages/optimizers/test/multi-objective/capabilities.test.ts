import { expect, test } from 'vitest'
import { cmaEs, fewShotSearch, gridSearch, nsga2, randomSearch, tpe } from '../../src/index.js'

test('which optimizers take several objectives and constraints', () => {
  const caps = (o: { capabilities: { multiObjective?: boolean; constraints?: boolean } }) => [
    o.capabilities.multiObjective ?? false,
    o.capabilities.constraints ?? false,
  ]
  // Random and grid search ignore scores, so several objectives are fine and constraints change nothing.
  expect(caps(randomSearch())).toEqual([true, false])
  expect(caps(gridSearch())).toEqual([true, false])
  expect(caps(tpe())).toEqual([true, true])
  expect(caps(nsga2())).toEqual([true, true])
  expect(caps(cmaEs())).toEqual([false, true])
  expect(caps(fewShotSearch())).toEqual([false, false])
})
