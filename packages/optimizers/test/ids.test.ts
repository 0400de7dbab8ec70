import { InvalidInputError } from '@cairn/core'
import { expect, test } from 'vitest'
import { OPTIMIZER_IDS, isOptimizerName, optimizerByName, type OptimizerName } from '../src/index.js'

test('every short name builds the optimizer whose id OPTIMIZER_IDS gives', () => {
  const names = Object.keys(OPTIMIZER_IDS) as OptimizerName[]
  expect(names).toEqual(['random', 'grid', 'tpe', 'cmaes', 'nsga2', 'few-shot'])
  for (const name of names) expect({ name, id: optimizerByName(name).id }).toEqual({ name, id: OPTIMIZER_IDS[name] })
})

test('an unknown name is refused with InvalidInputError naming the known ones', () => {
  expect(isOptimizerName('tpe')).toBe(true)
  expect(isOptimizerName('toString')).toBe(false)
  expect(() => optimizerByName('nope' as OptimizerName)).toThrow(InvalidInputError)
  expect(() => optimizerByName('nope' as OptimizerName)).toThrow(/random, grid, tpe, cmaes, nsga2, few-shot/)
})
