import { describe, expect, test } from 'vitest'
import { asha } from '../../src/index.js'
import { rungStep } from '../../src/pruners/successive-halving.js'
import { at, ctx, curve, ok, oks, pruned } from './curves.js'

// Mirrors Optuna 3.1's SuccessiveHalvingPruner.prune (rung_promotion_step, _get_competing_values,
// _is_trial_promotable_to_next_rung), with each trial's rung value read from its curve: the value
// of its first report at or past the rung's step.

/** Completed trials whose value at every step 0..maxStep is `v`. */
const flat = (values: readonly number[], maxStep = 4) => oks(values.map((v) => Array.from({ length: maxStep + 1 }, () => v)))

describe('asha', () => {
  test('rungs for η = 4, minResource = 1 are at steps 1, 4, 16, 64 (× η per early-stopping rate)', () => {
    const rule = { minResource: 1, reductionFactor: 4, minEarlyStoppingRate: 0, bootstrapCount: 0 }
    expect([0, 1, 2, 3].map((r) => rungStep(rule, r))).toEqual([1, 4, 16, 64])
    expect([0, 1, 2].map((r) => rungStep({ ...rule, minEarlyStoppingRate: 1 }, r))).toEqual([4, 16, 64])
    expect([0, 1, 2].map((r) => rungStep({ ...rule, minResource: 2, reductionFactor: 3 }, r))).toEqual([2, 6, 18])
  })

  const p = asha({ minResource: 1, reductionFactor: 4 })

  test('a trial is judged only once it reached a rung', () => {
    // Step 0 lies before the first rung: even an awful value goes on.
    expect(p.shouldPrune(ctx(curve([1e9]), flat([1, 2, 3, 4, 5, 6, 7])))).toBe(false)
    expect(p.shouldPrune(ctx(curve([1e9, 1e9]), flat([1, 2, 3, 4, 5, 6, 7])))).toBe(true)
  })

  test('top 1/η: with 8 competitors (7 history trials and itself) the best 2 go on', () => {
    const history = flat([1, 2, 3, 4, 5, 6, 7])
    // ⌊8 / 4⌋ − 1 = 1: the value must be ≤ the second smallest.
    expect(p.shouldPrune(ctx(curve([9, 1.5]), history))).toBe(false)
    expect(p.shouldPrune(ctx(curve([9, 2]), history))).toBe(false)
    expect(p.shouldPrune(ctx(curve([9, 2.5]), history))).toBe(true)
  })

  test('fewer than η competitors: only the best goes on', () => {
    const history = flat([1, 2])
    expect(p.shouldPrune(ctx(curve([9, 0.5]), history))).toBe(false)
    expect(p.shouldPrune(ctx(curve([9, 1]), history))).toBe(false)
    expect(p.shouldPrune(ctx(curve([9, 1.5]), history))).toBe(true)
    // Empty history: it is the best of one.
    expect(p.shouldPrune(ctx(curve([9, 1e9]), []))).toBe(false)
  })

  test('at a higher rung, only the trials that reached it compete, pruned ones included', () => {
    // Rung 1 (step 4): trials 0 and 1 stopped at step 1; trial 2 (pruned later) and 3 reached it.
    const history = [
      pruned(0, curve([0, 0.1])),
      pruned(1, curve([0, 0.2])),
      pruned(2, curve([5, 5, 5, 5, 3, 3])),
      ok(3, curve([6, 6, 6, 6, 4, 4, 4])),
    ]
    // Rung 0 (step 1): competitors 0.1, 0.2, 5, 6 and 2 → ⌊5/4⌋ − 1 = 0 → only the best (0.1) goes on…
    expect(p.shouldPrune(ctx(curve([9, 2]), history))).toBe(true)
    // …so a trial judged at step 4 is pruned at rung 0 already, whatever its value at step 4.
    expect(p.shouldPrune(ctx(curve([9, 2, 2, 2, 1]), history))).toBe(true)
    // Rung 1 alone (minEarlyStoppingRate 1, first rung at step 4): competitors 3, 4 and 3.5 → best only.
    const q = asha({ minResource: 1, reductionFactor: 4, minEarlyStoppingRate: 1 })
    expect(q.shouldPrune(ctx(curve([9, 9, 9, 3.5]), history))).toBe(false) // step 3: no rung yet
    expect(q.shouldPrune(ctx(curve([9, 9, 9, 9, 3.5]), history))).toBe(true)
    expect(q.shouldPrune(ctx(curve([9, 9, 9, 9, 2.5]), history))).toBe(false)
  })

  test("a rung's value is the first report at or past its step (sparse curves)", () => {
    // Trial 0 reported steps 0, 3, 10: its rung-0 (step 1) value is its step-3 value, its
    // rung-1 (step 4) value its step-10 value.
    const history = [ok(0, at([0, 3, 10], [9, 1, 7]))]
    expect(p.shouldPrune(ctx(at([0, 2], [9, 1.5]), history))).toBe(true) // rung 0: 1.5 vs 1
    expect(p.shouldPrune(ctx(at([0, 2], [9, 0.5]), history))).toBe(false)
    expect(p.shouldPrune(ctx(at([0, 2, 6], [9, 0.5, 8]), history))).toBe(true) // rung 1: 8 vs 7
    expect(p.shouldPrune(ctx(at([0, 2, 6], [9, 0.5, 6]), history))).toBe(false)
  })

  test('a trial pruned at a report that crossed several rungs competes only at the lowest of them', () => {
    // Trial 6 jumped from step 0 to step 5 (past rungs 1 and 4) and was pruned there: Optuna
    // records its value at rung 0 (where it failed) and not at rung 1.
    const others = flat([1, 2, 3, 4, 5, 6], 10)
    const jumped = at([0, 5], [9, 5])
    // Rung 0: 1..6, 5 and 0.5 → 8 competitors, the best 2 go on. Rung 1: 1..6 and 1.5 → 7, only the best.
    expect(p.shouldPrune(ctx(curve([9, 0.5, 9, 9, 1.5]), [...others, pruned(6, jumped)]))).toBe(true)
    // Had it completed, it would have passed rung 1 too: 8 competitors there, and 1.5 is second.
    expect(p.shouldPrune(ctx(curve([9, 0.5, 9, 9, 1.5]), [...others, ok(6, jumped)]))).toBe(false)
  })

  test('between rungs the answer of the last rung stands', () => {
    const history = flat([1, 2, 3, 4, 5, 6, 7], 20)
    expect(p.shouldPrune(ctx(curve([9, 1, 9, 9]), history))).toBe(false) // rung 0 passed, rung 1 at step 4 not reached
    expect(p.shouldPrune(ctx(curve([9, 1, 9, 9, 9]), history))).toBe(true) // rung 1: 9 vs 1..7
  })

  test('maximize: the largest values go on', () => {
    const history = flat([1, 2, 3, 4, 5, 6, 7])
    expect(p.shouldPrune(ctx(curve([0, 6.5]), history, 'maximize'))).toBe(false)
    expect(p.shouldPrune(ctx(curve([0, 5.5]), history, 'maximize'))).toBe(true)
  })

  test("minResource 'auto': ⌊last step of the oldest completed trial / 100⌋, at least 1; none completed, no pruning", () => {
    const auto = asha()
    const bad = Array.from({ length: 10 }, () => 1e9)
    expect(auto.shouldPrune(ctx(curve(bad), [pruned(0, curve([1, 1, 1]))]))).toBe(false)
    // Oldest completed trial (1): last step 250 → minResource 2 → rungs at 2, 8, 32.
    const long = [pruned(0, curve([0, 0, 0.1])), ok(1, at([0, 1, 2, 250], [1, 1, 1, 1])), ok(2, curve([1, 1, 1])), ok(3, curve([1, 1, 1]))]
    expect(auto.shouldPrune(ctx(curve([1e9, 1e9]), long))).toBe(false)
    expect(auto.shouldPrune(ctx(curve([1e9, 1e9, 1e9]), long))).toBe(true)
    // Trials 0 and 1 ran before minResource was known, so Optuna recorded no rung value for
    // them: 0.5 is the best of trials 2, 3 and itself (trial 0's 0.1 does not count).
    expect(auto.shouldPrune(ctx(curve([9, 9, 0.5]), long))).toBe(false)
    // Last step 50 → minResource 1.
    expect(auto.shouldPrune(ctx(curve([1e9, 1e9]), [ok(0, at([0, 1, 50], [1, 1, 1])), ok(1, curve([1, 1]))]))).toBe(true)
    // A later completed trial does not move the estimate (1000 / 100 would put the first rung at 10).
    const later = [...long, ok(4, at([0, 1, 2, 1000], [1, 1, 1, 1]))]
    expect(auto.shouldPrune(ctx(curve([1e9, 1e9, 1e9]), later))).toBe(true)
  })

  test('bootstrapCount: a trial is pruned at a rung until more than bootstrapCount trials reached it', () => {
    const b = asha({ minResource: 1, bootstrapCount: 2 })
    expect(b.shouldPrune(ctx(curve([0, 0]), []))).toBe(true)
    expect(b.shouldPrune(ctx(curve([0, 0]), flat([1])))).toBe(true)
    expect(b.shouldPrune(ctx(curve([0, 0]), flat([1, 2])))).toBe(false)
    expect(b.shouldPrune(ctx(curve([0, 3]), flat([1, 2])))).toBe(true)
  })

  describe('cohortSize: a trial competes at a rung only with the last cohortSize trials that reached it', () => {
    // Old trials 1..4 (good), then 5..8 (worse): a model-based sampler's early and late draws the other way round.
    const history = flat([1, 2, 3, 4, 5, 6, 7, 8])
    const c = asha({ minResource: 1, reductionFactor: 4, cohortSize: 4 })

    test('against the last cohortSize only', () => {
      // Whole history: 9 competitors, the best 2 (≤ 2) go on, 4.5 is pruned.
      expect(p.shouldPrune(ctx(curve([9, 4.5]), history))).toBe(true)
      // Cohort 5..8 and itself: 5 competitors, only the best goes on; 4.5 is.
      expect(c.shouldPrune(ctx(curve([9, 4.5]), history))).toBe(false)
      expect(c.shouldPrune(ctx(curve([9, 5.5]), history))).toBe(true)
      // A cohort as large as the history is Optuna's rule.
      const whole = asha({ minResource: 1, reductionFactor: 4, cohortSize: 8 })
      for (const v of [1.5, 2, 2.5, 4.5])
        expect(whole.shouldPrune(ctx(curve([9, v]), history))).toBe(p.shouldPrune(ctx(curve([9, v]), history)))
    })

    test('the cohort of a rung is made of the trials that reached that rung, so it reaches further back at higher rungs', () => {
      // Trials 0..3 completed with value v at every step; trials 4..7 were pruned at step 1 (rung 0).
      const mixed = [...flat([1, 2, 3, 4], 10), ...[0, 0, 0, 0].map((v, i) => pruned(4 + i, curve([9, v])))]
      // Rung 0 (step 1): the cohort is trials 4..7 (0 each): 1.5 is not the best of 5, pruned.
      expect(c.shouldPrune(ctx(curve([9, 1.5]), mixed))).toBe(true)
      // Rung 1 (step 4), judged with minEarlyStoppingRate 1: trials 4..7 never reached it, the cohort is 0..3 → 1.5 is second of 5, pruned; 0.5 goes on.
      const c1 = asha({ minResource: 1, reductionFactor: 4, minEarlyStoppingRate: 1, cohortSize: 4 })
      expect(c1.shouldPrune(ctx(curve([9, 9, 9, 9, 1.5]), mixed))).toBe(true)
      expect(c1.shouldPrune(ctx(curve([9, 9, 9, 9, 0.5]), mixed))).toBe(false)
    })

    test("with minResource 'auto' the cohort is taken from the trials after the oldest completed one", () => {
      const auto = asha({ cohortSize: 4 })
      // Trial 0 completed (last step 26 → rungs at 1, 4, 16); trials 1..8 as before.
      const h = [
        ok(0, curve(Array.from({ length: 27 }, () => 0))),
        ...flat([1, 2, 3, 4, 5, 6, 7, 8], 26).map((t, i) => ({ ...t, trialIdx: i + 1 })),
      ]
      expect(auto.shouldPrune(ctx(curve([9, 4.5]), h))).toBe(false)
      expect(asha().shouldPrune(ctx(curve([9, 4.5]), h))).toBe(true)
    })
  })
})
