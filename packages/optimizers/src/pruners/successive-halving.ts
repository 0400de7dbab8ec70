import type { Direction, IntermediateValue, PrunerTrialView } from '@cairn/core'
import { curveOf, firstAtOrAfter } from './curve.js'

/** The parameters of one successive-halving rule (an `asha()` pruner, or one Hyperband bracket). */
export interface HalvingRule {
  minResource: number
  reductionFactor: number
  minEarlyStoppingRate: number
  bootstrapCount: number
}

/**
 * The step of rung `rung`: `minResource · η^(minEarlyStoppingRate + rung)` (Optuna's
 * `rung_promotion_step`).
 */
export function rungStep(rule: HalvingRule, rung: number): number {
  return rule.minResource * rule.reductionFactor ** (rule.minEarlyStoppingRate + rung)
}

/**
 * Optuna's `SuccessiveHalvingPruner.prune` as a function of the curves. A trial reaches rung
 * r at its first report whose step is ≥ the rung's step, and its rung value is the value of
 * that report (what Optuna records when `should_prune` is called after every report). Each
 * rung the trial has reached is judged, lowest first: it is pruned when fewer than
 * `bootstrapCount + 1` trials competed, or when its value is not in the top
 * `⌊competitors / η⌋` (at least the best one) of the competitors — the history trials that
 * reached the rung and itself.
 */
export function halvingShouldPrune(
  rule: HalvingRule,
  curve: readonly IntermediateValue[],
  history: readonly PrunerTrialView[],
  direction: Direction,
): boolean {
  const last = curve[curve.length - 1]!.step
  for (let rung = 0; ; rung++) {
    const step = rungStep(rule, rung)
    if (!(step <= last)) return false
    const value = curve[firstAtOrAfter(curve, step)]!.value
    if (Number.isNaN(value)) return true
    const competing = [value]
    for (const t of history) {
      const c = curveOf(t)
      const i = firstAtOrAfter(c, step)
      if (i < c.length) competing.push(c[i]!.value)
    }
    if (competing.length <= rule.bootstrapCount) return true
    if (!promotable(value, competing, rule.reductionFactor, direction)) return true
  }
}

/** Optuna's `_is_trial_promotable_to_next_rung` (NaN competitors sort last, as NumPy/Python leave them). */
export function promotable(value: number, competing: number[], reductionFactor: number, direction: Direction): boolean {
  let idx = Math.floor(competing.length / reductionFactor) - 1
  if (idx === -1) idx = 0
  const sorted = competing.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return true
  if (direction === 'maximize') return value >= sorted[Math.max(0, sorted.length - 1 - idx)]!
  return value <= sorted[Math.min(idx, sorted.length - 1)]!
}
