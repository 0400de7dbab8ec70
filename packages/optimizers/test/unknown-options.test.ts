import { InvalidInputError, UnknownOptionError } from '@cairn/core'
import { describe, expect, test } from 'vitest'
import { cmaEs, fewShotSearch, gridSearch, randomSearch, tpe } from '../src/index.js'

function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected an error')
}

describe('a misspelled option is refused naming the nearest one', () => {
  test.each<[string, () => unknown, string, string]>([
    ['tpe', () => tpe({ nStartupTrial: 3 } as never), 'nStartupTrial', 'nStartupTrials'],
    ['cmaEs', () => cmaEs({ sigma: 0.5 } as never), 'sigma', 'sigma0'],
    ['gridSearch', () => gridSearch({ resolutions: 4 } as never), 'resolutions', 'resolution'],
    ['fewShotSearch', () => fewShotSearch({ maxLabelledDemos: 2 } as never), 'maxLabelledDemos', 'maxLabeledDemos'],
  ])('%s', (name, make, key, nearest) => {
    const err = thrown(make)
    expect(err).toBeInstanceOf(UnknownOptionError)
    expect(err).toBeInstanceOf(InvalidInputError)
    expect(err).toMatchObject({ code: 'INVALID_INPUT', field: key, option: key, suggestion: nearest })
    expect((err as Error).message).toBe(`[@cairn/optimizers] ${name}: unknown option ${key} (did you mean ${nearest}?)`)
  })

  test('an optimizer that takes no options says so', () => {
    expect(() => randomSearch({ seed: 1 } as never)).toThrow('[@cairn/optimizers] randomSearch: unknown option seed (it takes none)')
  })
})
