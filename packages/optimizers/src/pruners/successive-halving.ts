import type { Direction, IntermediateValue, PrunerTrialView } from '@cairn/core'
import { curveOf, firstAtOrAfter } from './curve.js'

/** The parameters of one successive-halving rule (an `asha()` pruner, or one Hyperband bracket). */
export interface HalvingRule {
  minResource: number
  reductionFactor: number
  minEarlyStoppingRate: number
  bootstrapCount: number
  /**
   * When set, a trial competes at a rung only with the last `cohortSize` history trials that
   * reached that rung (see `asha()`'s option); undefined: with all of them (Optuna's rule).
   */
  cohortSize?: number
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
 * reached the rung (see `rungValue`; only the last `cohortSize` of them when set) and itself.
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
    const competing = competingValues(rule, history, rung, step)
    competing.push(value)
    if (competing.length <= rule.bootstrapCount) return true
    if (!promotable(value, competing, rule.reductionFactor, direction)) return true
  }
}

/**
 * The rung values of the history trials that competed at rung `rung` (step `step`), oldest
 * first: all of them, or the last `rule.cohortSize` (walking the history from the newest).
 */
function competingValues(rule: HalvingRule, history: readonly PrunerTrialView[], rung: number, step: number): number[] {
  const out: number[] = []
  const cap = rule.cohortSize ?? Infinity
  for (let i = history.length - 1; i >= 0 && out.length < cap; i--) {
    const v = rungValue(rule, history[i]!, rung, step)
    if (v !== undefined) out.push(v)
  }
  return out.reverse()
}

/**
 * The value history trial `t` has at rung `rung` (step `step`), or undefined when it did not
 * compete there. It reached the rung at its first report at or past `step`. A pruned trial
 * stopped at its last report, at the first rung it failed: when that report crossed several
 * rungs at once, it competes only at the lowest of them (the rung it most likely failed; Optuna
 * records no value past the failing one).
 */
function rungValue(rule: HalvingRule, t: PrunerTrialView, rung: number, step: number): number | undefined {
  const c = curveOf(t)
  const i = firstAtOrAfter(c, step)
  if (i >= c.length) return undefined
  if (t.status === 'pruned' && i === c.length - 1 && rung > 0 && firstAtOrAfter(c, rungStep(rule, rung - 1)) === i) return undefined
  return c[i]!.value
}

/**
 * Optuna's `_is_trial_promotable_to_next_rung`: with `idx = max(⌊n / η⌋ − 1, 0)` for `n`
 * competitors (itself included), the value must be at least as good as the `idx`-th best —
 * that is, at most `idx` competitors are strictly better. Counting instead of sorting keeps a
 * decision O(n). NaN competitors are never better.
 */
export function promotable(value: number, competing: readonly number[], reductionFactor: number, direction: Direction): boolean {
  let idx = Math.floor(competing.length / reductionFactor) - 1
  if (idx === -1) idx = 0
  let better = 0
  for (const c of competing) if (direction === 'maximize' ? c > value : c < value) better++
  return better <= idx
}
