import { InvalidInputError, UnknownOptionError } from '@cairn/core'
import { describe, expect, test } from 'vitest'
import {
  PRUNER_IDS,
  asha,
  hyperband,
  isPrunerName,
  medianPruner,
  nopPruner,
  patientPruner,
  percentilePruner,
  prunerByName,
  type PrunerName,
} from '../../src/index.js'

describe('pruner options', () => {
  test('options are the resolved options, defaults as Optuna 3.1', () => {
    expect(nopPruner().options).toEqual({})
    expect(medianPruner().options).toEqual({ nStartupTrials: 5, nWarmupSteps: 0, intervalSteps: 1, nMinTrials: 1 })
    expect(percentilePruner(25, { nWarmupSteps: 3 }).options).toEqual({
      percentile: 25,
      nStartupTrials: 5,
      nWarmupSteps: 3,
      intervalSteps: 1,
      nMinTrials: 1,
    })
    expect(asha().options).toEqual({ minResource: 'auto', reductionFactor: 4, minEarlyStoppingRate: 0, bootstrapCount: 0 })
    expect(asha({ minResource: 2 }).options).toEqual({ minResource: 2, reductionFactor: 4, minEarlyStoppingRate: 0, bootstrapCount: 0 })
    expect(hyperband().options).toEqual({ minResource: 1, maxResource: 'auto', reductionFactor: 3, bootstrapCount: 0 })
    // cohortSize is stored only when given: sessions started before it existed resume with the same options.
    expect(asha({ cohortSize: 30 }).options).toEqual({
      minResource: 'auto',
      reductionFactor: 4,
      minEarlyStoppingRate: 0,
      bootstrapCount: 0,
      cohortSize: 30,
    })
  })

  test('ids and stateVersion', () => {
    const made = {
      nop: nopPruner(),
      median: medianPruner(),
      percentile: percentilePruner(10),
      patient: patientPruner(null, { patience: 1 }),
      asha: asha(),
      hyperband: hyperband(),
    }
    for (const [name, p] of Object.entries(made)) {
      expect({ name, id: p.id, stateVersion: p.stateVersion }).toEqual({ name, id: PRUNER_IDS[name as PrunerName], stateVersion: 1 })
      expect(Object.isFrozen(p)).toBe(true)
    }
  })

  test.each<[string, () => unknown, string]>([
    ['percentilePruner', () => percentilePruner(101), 'percentile must be a number in [0, 100], got 101'],
    ['percentilePruner', () => percentilePruner(Number.NaN), 'percentile must be a number in [0, 100], got NaN'],
    ['medianPruner', () => medianPruner({ intervalSteps: 0 }), 'option intervalSteps must be an integer ≥ 1, got 0'],
    ['medianPruner', () => medianPruner({ nStartupTrials: -1 }), 'option nStartupTrials must be an integer ≥ 0, got -1'],
    ['medianPruner', () => medianPruner({ nMinTrials: 0 }), 'option nMinTrials must be an integer ≥ 1, got 0'],
    ['patientPruner', () => patientPruner(null, {} as never), 'option patience must be an integer ≥ 0, got undefined'],
    ['patientPruner', () => patientPruner(null, { patience: 1, minDelta: -1 }), 'option minDelta must be a number ≥ 0, got -1'],
    ['patientPruner', () => patientPruner({} as never, { patience: 1 }), 'inner must be a pruner (an object with shouldPrune) or null'],
    ['asha', () => asha({ reductionFactor: 1 }), 'option reductionFactor must be an integer ≥ 2, got 1'],
    ['asha', () => asha({ minResource: 0 }), 'option minResource must be an integer ≥ 1, got 0'],
    ['asha', () => asha({ minResource: 'never' as never }), 'option minResource must be an integer ≥ 1, got "never"'],
    [
      'asha',
      () => asha({ bootstrapCount: 2 }),
      "options bootstrapCount > 0 and minResource 'auto' do not go together (bootstrapCount is 2)",
    ],
    ['asha', () => asha({ cohortSize: 3 }), 'option cohortSize must be an integer ≥ 4, got 3'],
    ['asha', () => asha({ minResource: 1, bootstrapCount: 6, cohortSize: 6 }), 'option cohortSize must be an integer ≥ 7, got 6'],
    ['hyperband', () => hyperband({ minResource: 4, maxResource: 3 }), 'option maxResource must be an integer ≥ 4, got 3'],
    ['hyperband', () => hyperband({ reductionFactor: 2.5 }), 'option reductionFactor must be an integer ≥ 2, got 2.5'],
    [
      'hyperband',
      () => hyperband({ bootstrapCount: 1 }),
      "options bootstrapCount > 0 and maxResource 'auto' do not go together (bootstrapCount is 1)",
    ],
  ])('%s refuses a bad value: %s', (name, make, message) => {
    expect(make).toThrow(InvalidInputError)
    expect(make).toThrow(`[@cairn/optimizers] ${name}: ${message}`)
  })

  test.each<[string, () => unknown, string, string]>([
    ['medianPruner', () => medianPruner({ nWarmupStep: 3 } as never), 'nWarmupStep', 'nWarmupSteps'],
    ['asha', () => asha({ minResorce: 1 } as never), 'minResorce', 'minResource'],
    ['hyperband', () => hyperband({ maxResources: 9 } as never), 'maxResources', 'maxResource'],
    ['patientPruner', () => patientPruner(null, { patience: 1, mindelta: 0 } as never), 'mindelta', 'minDelta'],
  ])('%s refuses an unknown option naming the nearest', (name, make, key, nearest) => {
    expect(make).toThrow(UnknownOptionError)
    expect(make).toThrow(`[@cairn/optimizers] ${name}: unknown option ${key} (did you mean ${nearest}?)`)
  })

  test('prunerByName builds the pruners with defaults; percentile and patient need arguments', () => {
    for (const name of ['nop', 'median', 'asha', 'hyperband'] as const) expect(prunerByName(name).id).toBe(PRUNER_IDS[name])
    expect(isPrunerName('median')).toBe(true)
    expect(isPrunerName('toString')).toBe(false)
    expect(() => prunerByName('patient')).toThrow(/percentilePruner\(\) and patientPruner\(\) take arguments/)
    expect(() => prunerByName('nope' as PrunerName)).toThrow(InvalidInputError)
  })
})
