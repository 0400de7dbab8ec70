import { createMemoryStore } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { kFolds, loadCars } from '../src/auto-mpg.js'
import { compareWarmStart, medianTrials, tuneFold } from '../src/cross-validation.js'
import { KernelRidge } from '../src/kernel-ridge.js'

describe('warm-started cross-validation (Auto MPG, kernel ridge, TPE)', () => {
  const cars = loadCars()

  it('loads the real data set and fits a real model', () => {
    expect(cars).toHaveLength(392)
    expect(cars[0]).toMatchObject({ name: 'chevrolet chevelle malibu', mpg: 18, cylinders: 8, year: 70, origin: 'USA' })
    const [fold] = kFolds(cars, 5, 42)
    expect(fold?.validation.length).toBeGreaterThanOrEqual(78)
    const model = new KernelRidge(fold!.train)
    const sensible = {
      lambda: 0.1,
      lsCylinders: 3,
      lsDisplacement: 3,
      lsHorsepower: 2,
      lsWeight: 1.5,
      lsAcceleration: 3,
      lsYear: 2,
      lsOrigin: 3,
    }
    // A sensible fit explains most of the variance; an absurd one (tiny length scales) does not.
    expect(model.unexplainedVariance(fold!.validation, sensible)).toBeLessThan(0.25)
    expect(model.unexplainedVariance(fold!.validation, { ...sensible, lsWeight: 0.1, lsHorsepower: 0.1, lsYear: 0.1 })).toBeGreaterThan(0.3)
  })

  it('seeds folds 2..k from the runs before them (near match) and the same fold again from itself (exact match)', async () => {
    const report = await compareWarmStart({ k: 3, trials: 12, seed: 1 })
    expect(report.fold1).toMatchObject({ source: 'none', seededTrials: 0 })
    expect(report.folds.map((f) => f.fold)).toEqual([2, 3])
    for (const f of report.folds) {
      expect(f.cold).toMatchObject({ source: 'none', seededTrials: 0 })
      // A seed from a related run (another fold's trainset): labelled preloaded, not exact.
      expect(f.warm).toMatchObject({ source: 'preloaded', seededTrials: 12 })
      expect(Number.isFinite(f.target)).toBe(true)
      for (const run of [f.cold, f.warm]) if (run.trialsToTarget !== null) expect(run.trialsToTarget).toBeGreaterThanOrEqual(1)
    }

    // Tuning the same fold again finds its own earlier run under the exact key.
    const [fold] = kFolds(cars, 3, 42)
    const store = createMemoryStore()
    const first = await tuneFold(fold!, { trials: 8, seed: 5, store, target: null })
    const again = await tuneFold(fold!, { trials: 4, seed: 6, store, target: null })
    expect(first).toMatchObject({ source: 'none', seededTrials: 0 })
    expect(again).toMatchObject({ source: 'exact', seededTrials: 8 })
  })

  it('is deterministic for a seed', async () => {
    const [fold] = kFolds(cars, 5, 42)
    const a = await tuneFold(fold!, { trials: 6, seed: 3, store: null, target: null })
    const b = await tuneFold(fold!, { trials: 6, seed: 3, store: null, target: null })
    expect(b.best).toBe(a.best)
    expect(b.bestParams).toEqual(a.bestParams)
  })

  it('takes medians with unreached targets counted past the budget', () => {
    expect(medianTrials([3, null, 1], 10)).toBe(3)
    expect(medianTrials([4, 2, null, null], 10)).toBe(7.5)
  })
})
