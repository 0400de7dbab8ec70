import type { PruneContext, Pruner } from '@cairn/core'
import { describe, expect, test } from 'vitest'
import { medianPruner, patientPruner } from '../../src/index.js'
import { ctx, curve, oks } from './curves.js'

// Mirrors Optuna 3.1's PatientPruner.prune: with more than patience + 1 reports, the best of the
// last patience + 1 values against the best before them (min_before + min_delta < min_after).
describe('patientPruner', () => {
  const prunes = (p: Pruner, values: number[], direction: 'minimize' | 'maximize' = 'minimize') =>
    p.shouldPrune(ctx(curve(values), [], direction))

  test('patience: prunes when the last patience + 1 reports did not improve on the best before them', () => {
    const p = patientPruner(null, { patience: 2 })
    expect(prunes(p, [5, 4, 4.1])).toBe(false) // 3 reports ≤ patience + 1: too few to judge
    expect(prunes(p, [5, 4, 4.5, 4.2])).toBe(false) // after [4, 4.5, 4.2] reaches 4 < 5
    expect(prunes(p, [5, 4, 4.1, 4.2, 4.3])).toBe(true) // before 4, after 4.1
    expect(prunes(p, [5, 4, 4.1, 4.2, 3.9])).toBe(false)
    expect(prunes(patientPruner(null, { patience: 0 }), [5, 4, 4.1])).toBe(true)
  })

  test('minDelta: the recent best may be worse by up to minDelta', () => {
    const values = [5, 4, 4.05, 4.06, 4.07]
    expect(prunes(patientPruner(null, { patience: 2 }), values)).toBe(true)
    expect(prunes(patientPruner(null, { patience: 2, minDelta: 0.1 }), values)).toBe(false)
    expect(prunes(patientPruner(null, { patience: 2, minDelta: 0.01 }), values)).toBe(true)
  })

  test('maximize', () => {
    const p = patientPruner(null, { patience: 2 })
    expect(prunes(p, [1, 2, 1.9, 1.8, 1.7], 'maximize')).toBe(true)
    expect(prunes(p, [1, 2, 1.9, 1.8, 2.1], 'maximize')).toBe(false)
    expect(prunes(patientPruner(null, { patience: 2, minDelta: 0.5 }), [1, 2, 1.9, 1.8, 1.7], 'maximize')).toBe(false)
  })

  test('with inner: a stalled trial is pruned only when inner prunes it, and inner is asked only then', () => {
    const asked: PruneContext[] = []
    const spy = (answer: boolean): Pruner => ({
      specificationVersion: 'v1',
      id: 'spy',
      stateVersion: 1,
      shouldPrune: (c) => {
        asked.push(c)
        return answer
      },
    })
    const stalled = ctx(curve([5, 4, 4.1, 4.2, 4.3]), [])
    expect(patientPruner(spy(false), { patience: 2 }).shouldPrune(stalled)).toBe(false)
    expect(patientPruner(spy(true), { patience: 2 }).shouldPrune(stalled)).toBe(true)
    expect(asked).toEqual([stalled, stalled])
    expect(patientPruner(spy(true), { patience: 2 }).shouldPrune(ctx(curve([5, 4, 3, 2, 1]), []))).toBe(false)
    expect(asked).toHaveLength(2)
  })

  test('with a median inner: stalled and worse than the median', () => {
    const history = oks([
      [1, 1, 1, 1, 1],
      [2, 2, 2, 2, 2],
      [3, 3, 3, 3, 3],
      [4, 4, 4, 4, 4],
      [5, 5, 5, 5, 5],
    ])
    const p = patientPruner(medianPruner(), { patience: 1 })
    expect(p.shouldPrune(ctx(curve([2, 2.5, 2.6]), history))).toBe(false) // stalled but best 2 < median 3
    expect(p.shouldPrune(ctx(curve([3.5, 4, 4.1]), history))).toBe(true) // stalled and best 3.5 > 3
    expect(p.shouldPrune(ctx(curve([9, 8, 7]), history))).toBe(false) // worse than the median but improving
  })

  test("options record patience, minDelta and the inner pruner's id, version and options", () => {
    expect(patientPruner(medianPruner({ nWarmupSteps: 2 }), { patience: 3 }).options).toEqual({
      patience: 3,
      minDelta: 0,
      inner: {
        id: '@cairn/optimizers/median-pruner',
        stateVersion: 1,
        options: { nStartupTrials: 5, nWarmupSteps: 2, intervalSteps: 1, nMinTrials: 1 },
      },
    })
    expect(patientPruner(null, { patience: 1, minDelta: 0.5 }).options).toEqual({ patience: 1, minDelta: 0.5, inner: null })
  })
})
