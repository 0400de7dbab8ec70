import { describe, expect, test } from 'vitest'
import { medianPruner, percentilePruner } from '../../src/index.js'
import { at, ctx, curve, ok, oks, pruned } from './curves.js'

// Mirrors Optuna 3.1's PercentilePruner.prune / MedianPruner: the trial's best value so far
// against np.nanpercentile (linear) of the COMPLETE trials' values at the same step.
// Five completed trials; at step 0 their values are 1..5 (median 3), at step 1 2.7 is the median,
// at step 2 2.4.
const history = oks([
  [1, 0.9, 0.8, 0.7],
  [2, 1.8, 1.6, 1.4],
  [3, 2.7, 2.4, 2.1],
  [4, 3.6, 3.2, 2.8],
  [5, 4.5, 4.0, 3.5],
])

describe('medianPruner', () => {
  const median = medianPruner()

  test('prunes a trial worse than the median of completed trials at the same step', () => {
    expect(median.shouldPrune(ctx(curve([3.1]), history))).toBe(true)
    expect(median.shouldPrune(ctx(curve([2.9]), history))).toBe(false)
    expect(median.shouldPrune(ctx(curve([9, 2.71]), history))).toBe(true)
    expect(median.shouldPrune(ctx(curve([9, 2.69]), history))).toBe(false)
  })

  test("compares the trial's best value so far, not its last one", () => {
    // Best 2.0 (step 0) < median 2.7 at step 1, although 2.8 > 2.7.
    expect(median.shouldPrune(ctx(curve([2.0, 2.8]), history))).toBe(false)
    expect(median.shouldPrune(ctx(curve([3.5, 2.8]), history))).toBe(true)
  })

  test('compares at the same step only: no completed value at that step, no pruning', () => {
    expect(median.shouldPrune(ctx(at([0, 7], [100, 100]), history))).toBe(false)
  })

  test('counts completed (ok) trials only: pruned and error trials do not move the median', () => {
    // With the three pruned trials (value 10 at step 0) the median would be 4.5 and 3.1 would stay.
    const mixed = [
      ...history,
      pruned(5, curve([10])),
      pruned(6, curve([10])),
      pruned(7, curve([10])),
      { trialIdx: 8, status: 'error' as const, intermediate: curve([10]) },
    ]
    expect(median.shouldPrune(ctx(curve([3.1]), mixed))).toBe(true)
    // And they do not count as startup trials either.
    const few = [ok(0, curve([1])), pruned(1, curve([1])), pruned(2, curve([1])), pruned(3, curve([1])), pruned(4, curve([1]))]
    expect(median.shouldPrune(ctx(curve([50]), few))).toBe(false)
  })

  test('nStartupTrials: no pruning until that many trials completed', () => {
    expect(medianPruner({ nStartupTrials: 6 }).shouldPrune(ctx(curve([100]), history))).toBe(false)
    expect(medianPruner({ nStartupTrials: 5 }).shouldPrune(ctx(curve([100]), history))).toBe(true)
    // None completed: never (nStartupTrials 0 included).
    expect(medianPruner({ nStartupTrials: 0 }).shouldPrune(ctx(curve([100]), []))).toBe(false)
  })

  test('nWarmupSteps: no pruning before that step', () => {
    const p = medianPruner({ nWarmupSteps: 2 })
    expect(p.shouldPrune(ctx(curve([9]), history))).toBe(false)
    expect(p.shouldPrune(ctx(curve([9, 9]), history))).toBe(false)
    expect(p.shouldPrune(ctx(curve([9, 9, 9]), history))).toBe(true)
  })

  test("intervalSteps: judged at the first report reaching each multiple (Optuna's _is_first_in_interval_step)", () => {
    const p = medianPruner({ intervalSteps: 2 })
    const bad = [9, 9, 9, 9]
    const judged = [1, 2, 3, 4].map((n) => p.shouldPrune(ctx(curve(bad.slice(0, n)), history)))
    expect(judged).toEqual([true, false, true, false])
    // Sparse reports: step 3 follows step 0, and 2 (a judging step) lies between them.
    expect(p.shouldPrune(ctx(at([0, 3], [9, 9]), history))).toBe(true)
    // Warmup offsets the interval: judging steps 1, 4, 7…
    const q = medianPruner({ nWarmupSteps: 1, intervalSteps: 3 })
    expect([1, 2, 3, 4].map((n) => q.shouldPrune(ctx(curve(bad.slice(0, n)), history)))).toEqual([false, true, false, false])
  })

  test('nMinTrials: no pruning unless that many completed trials reported the step', () => {
    expect(medianPruner({ nMinTrials: 6 }).shouldPrune(ctx(curve([100]), history))).toBe(false)
    expect(medianPruner({ nMinTrials: 5 }).shouldPrune(ctx(curve([100]), history))).toBe(true)
  })

  test('maximize: the best is the largest value, the trial is pruned below the median', () => {
    expect(median.shouldPrune(ctx(curve([2.9]), history, 'maximize'))).toBe(true)
    expect(median.shouldPrune(ctx(curve([3.1]), history, 'maximize'))).toBe(false)
    // At step 1 (median 2.7): the best so far is the largest value reported.
    expect(median.shouldPrune(ctx(curve([2.0, 2.6]), history, 'maximize'))).toBe(true)
    expect(median.shouldPrune(ctx(curve([3.1, 0]), history, 'maximize'))).toBe(false)
  })
})

describe('percentilePruner', () => {
  test('keeps the best percentile: the q-th percentile when minimizing (linear interpolation)', () => {
    // Step 0 values 1..5: 25th percentile = 2, 10th = 1 + 0.4 · (2 − 1) = 1.4.
    expect(percentilePruner(25).shouldPrune(ctx(curve([2.5]), history))).toBe(true)
    expect(percentilePruner(25).shouldPrune(ctx(curve([1.5]), history))).toBe(false)
    expect(percentilePruner(10).shouldPrune(ctx(curve([1.5]), history))).toBe(true)
    expect(percentilePruner(10).shouldPrune(ctx(curve([1.3]), history))).toBe(false)
  })

  test('maximize: the (100 − q)-th percentile', () => {
    // 25 → the 75th percentile of 1..5 = 4.
    expect(percentilePruner(25).shouldPrune(ctx(curve([3.5]), history, 'maximize'))).toBe(true)
    expect(percentilePruner(25).shouldPrune(ctx(curve([4.5]), history, 'maximize'))).toBe(false)
  })

  test('percentile 50 decides as medianPruner, under its own id', () => {
    const p = percentilePruner(50)
    const m = medianPruner()
    for (const v of [0.5, 2.9, 3, 3.1, 9]) expect(p.shouldPrune(ctx(curve([v]), history))).toBe(m.shouldPrune(ctx(curve([v]), history)))
    expect(p.id).not.toBe(m.id)
  })
})
