import { describe, expect, test } from 'vitest'
import { hyperband } from '../../src/index.js'
import { crc32 } from '../../src/pruners/crc32.js'
import { hyperbandBracket, hyperbandBrackets } from '../../src/pruners/hyperband.js'
import { ctx, curve, ok, pruned } from './curves.js'

// Mirrors Optuna 3.1's HyperbandPruner: _try_initialization (n_brackets),
// _calculate_trial_allocation_budget and _get_bracket_id (CRC-32 of "<study name>_<trial number>",
// here "<seed>_<trialIdx>"). The expected numbers were worked out from those functions.

describe('hyperband brackets', () => {
  test("number of brackets and budgets as Optuna's: ⌊log_η(max / min)⌋ + 1 brackets, budget ⌈n · η^s / (s + 1)⌉", () => {
    expect(hyperbandBrackets(1, 27, 3)).toEqual([27, 12, 6, 4])
    expect(hyperbandBrackets(1, 81, 3)).toEqual([81, 34, 15, 8, 5])
    expect(hyperbandBrackets(1, 100, 3)).toEqual([81, 34, 15, 8, 5])
    expect(hyperbandBrackets(1, 50, 3)).toEqual([27, 12, 6, 4])
    expect(hyperbandBrackets(1, 64, 4)).toEqual([64, 22, 8, 4])
    expect(hyperbandBrackets(2, 16, 2)).toEqual([8, 6, 4, 4])
    expect(hyperbandBrackets(1, 1000, 3)).toEqual([729, 284, 114, 48, 21, 11, 7])
    // Python's math.log(243, 3) is 4.999…, so Optuna makes 5 brackets there; the exact count is 6.
    expect(hyperbandBrackets(1, 243, 3)).toEqual([243, 98, 41, 18, 9, 6])
    expect(hyperbandBrackets(1, 1, 3)).toEqual([1])
  })

  test('CRC-32 as binascii.crc32', () => {
    expect(crc32('123456789')).toBe(0xcbf43926)
    expect(crc32('0_0')).toBe(3234876853)
    expect(crc32('42_7')).toBe(4236010880)
    expect(crc32('20240601_123')).toBe(2253657737)
    expect(crc32('é_1')).toBe(4293441978) // UTF-8 bytes, as binascii.crc32('é_1'.encode())
  })

  test('a trial’s bracket: deterministic from (seed, trialIdx)', () => {
    const budgets = hyperbandBrackets(1, 27, 3)
    // Optuna's _get_bracket_id for study name "0", trials 0..19.
    const want = [3, 1, 1, 3, 0, 1, 0, 1, 1, 0, 0, 0, 2, 1, 1, 1, 3, 1, 1, 1]
    expect(want.map((_, i) => hyperbandBracket(budgets, 0, i))).toEqual(want)
    // 3234876853 % 143 = 65 < 81: bracket 0.
    expect(hyperbandBracket(hyperbandBrackets(1, 81, 3), 0, 0)).toBe(0)
    // Another seed, another draw.
    expect(want.map((_, i) => hyperbandBracket(budgets, 1, i))).not.toEqual(want)
  })

  test('brackets are drawn roughly in proportion to their budgets', () => {
    const budgets = hyperbandBrackets(1, 81, 3)
    const total = budgets.reduce((a, b) => a + b, 0)
    const n = 14_300
    const counts = budgets.map(() => 0)
    for (let i = 0; i < n; i++) counts[hyperbandBracket(budgets, 7, i)]!++
    for (let b = 0; b < budgets.length; b++) {
      const expected = (n * budgets[b]!) / total
      expect({ b, near: Math.abs(counts[b]! - expected) < 0.15 * expected + 20 }).toEqual({ b, near: true })
    }
  })
})

describe('hyperband', () => {
  // maxResource 27, η 3: brackets 0..3 with first rungs at 1, 3, 9, 27 steps.
  const p = hyperband({ minResource: 1, maxResource: 27, reductionFactor: 3 })
  const budgets = hyperbandBrackets(1, 27, 3)
  const bracketOf = (trialIdx: number) => hyperbandBracket(budgets, 0, trialIdx)
  const inBracket = (b: number, from: number, count: number): number[] => {
    const out: number[] = []
    for (let i = from; out.length < count; i++) if (bracketOf(i) === b) out.push(i)
    return out
  }

  test('a trial competes only with history trials of its bracket', () => {
    // The 12 trials of bracket 0 among 0..29 have values 5.00..5.29 at step 1; every other trial is far better (0.1).
    const history = Array.from({ length: 30 }, (_, i) =>
      ok(i, curve(Array.from({ length: 27 }, () => (bracketOf(i) === 0 ? 5 + i / 100 : 0.1)))),
    )
    expect(history.filter((t) => bracketOf(t.trialIdx) === 0)).toHaveLength(12)
    const [trialIdx] = inBracket(0, 30, 1)
    // 13 competitors: ⌊13/3⌋ − 1 = 3, the value must be ≤ the 4th smallest of its bracket.
    expect(p.shouldPrune(ctx(curve([9, 4]), history, 'minimize', { trialIdx }))).toBe(false)
    expect(p.shouldPrune(ctx(curve([9, 5.05]), history, 'minimize', { trialIdx }))).toBe(false)
    expect(p.shouldPrune(ctx(curve([9, 5.5]), history, 'minimize', { trialIdx }))).toBe(true)
  })

  test("bracket b's first rung is at minResource · η^b", () => {
    const history = Array.from({ length: 40 }, (_, i) => ok(i, curve(Array.from({ length: 27 }, () => 1))))
    const firstJudged = (trialIdx: number): number => {
      for (let n = 1; n <= 27; n++)
        if (p.shouldPrune(ctx(curve(Array.from({ length: n }, () => 1e9)), history, 'minimize', { trialIdx }))) return n - 1
      return -1
    }
    const steps = [0, 1, 2].map((b) => firstJudged(inBracket(b, 40, 1)[0]!))
    expect(steps).toEqual([1, 3, 9])
  })

  test("maxResource 'auto': the oldest completed trial's last step + 1; none completed, no pruning", () => {
    const auto = hyperband()
    const bad = curve(Array.from({ length: 5 }, () => 1e9))
    const onlyPruned = Array.from({ length: 10 }, (_, i) => pruned(i, curve([1, 1, 1])))
    expect(auto.shouldPrune(ctx(bad, onlyPruned))).toBe(false)
    // Trial 10 completes 27 steps (last step 26): the brackets are those of maxResource 27, and
    // the trials up to it (which ran before Optuna knew the brackets) do not compete.
    const later = Array.from({ length: 30 }, (_, i) => ok(11 + i, curve(Array.from({ length: 27 }, () => 1))))
    const history = [...onlyPruned, ok(10, curve(Array.from({ length: 27 }, () => 1))), ...later]
    let prunedCount = 0
    for (let trialIdx = 41; trialIdx < 80; trialIdx++) {
      const got = auto.shouldPrune(ctx(bad, history, 'minimize', { trialIdx }))
      const want = p.shouldPrune(ctx(bad, later, 'minimize', { trialIdx }))
      expect({ trialIdx, pruned: got }).toEqual({ trialIdx, pruned: want })
      if (got) prunedCount++
    }
    expect(prunedCount).toBeGreaterThan(0)
  })

  test('the same seed and trial give the same answer; the bracket follows the seed', () => {
    const history = Array.from({ length: 40 }, (_, i) => ok(i, curve(Array.from({ length: 27 }, () => 1))))
    const bad = curve([1e9, 1e9])
    const answers = (seed: number) =>
      Array.from({ length: 30 }, (_, k) => p.shouldPrune(ctx(bad, history, 'minimize', { trialIdx: 40 + k, seed })))
    expect(answers(0)).toEqual(answers(0))
    // Bracket 0 trials are judged at step 1, the others are not yet.
    expect(answers(0)).toEqual(Array.from({ length: 30 }, (_, k) => bracketOf(40 + k) === 0))
    expect(answers(5)).not.toEqual(answers(0))
  })
})
