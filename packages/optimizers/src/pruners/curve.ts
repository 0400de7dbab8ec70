import type { IntermediateValue, PrunerTrialView } from '@cairn/core'

/**
 * Reading learning curves (steps strictly increasing). Pruners read history trials defensively:
 * a trial without a curve is an empty one, whatever a third-party store handed over.
 */

/** The trial's curve, or an empty one. */
export function curveOf(trial: PrunerTrialView): readonly IntermediateValue[] {
  return Array.isArray(trial.intermediate) ? trial.intermediate : []
}

/** The index of the first point whose step is ≥ `step` (binary search), or `curve.length`. */
export function firstAtOrAfter(curve: readonly IntermediateValue[], step: number): number {
  let lo = 0
  let hi = curve.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (curve[mid]!.step < step) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** The value reported at exactly `step`, or undefined. */
export function valueAt(curve: readonly IntermediateValue[], step: number): number | undefined {
  const i = firstAtOrAfter(curve, step)
  return i < curve.length && curve[i]!.step === step ? curve[i]!.value : undefined
}

/** The last reported step, or undefined for an empty curve. */
export function lastStep(curve: readonly IntermediateValue[]): number | undefined {
  return curve.length > 0 ? curve[curve.length - 1]!.step : undefined
}

/**
 * The last step of the oldest completed (`ok`) history trial that reported one. Optuna fixes
 * its 'auto' resources once, from the trials complete when first needed; the oldest completed
 * trial is the same for every later trial (histories are prefixes of one commit log), so the
 * estimate never moves once made.
 */
export function firstCompletedLastStep(history: readonly PrunerTrialView[]): number | undefined {
  for (const t of history) {
    if (t.status !== 'ok') continue
    const s = lastStep(curveOf(t))
    if (s !== undefined) return s
  }
  return undefined
}

/**
 * NumPy's `nanpercentile` with its default linear interpolation: NaN left out, `q` in
 * [0, 100]; NaN when no value is left.
 */
export function percentileOf(values: number[], q: number): number {
  const a = values.filter((v) => !Number.isNaN(v)).sort((x, y) => x - y)
  if (a.length === 0) return Number.NaN
  const h = ((a.length - 1) * q) / 100
  const lo = Math.floor(h)
  const hi = Math.min(lo + 1, a.length - 1)
  const f = h - lo
  return f === 0 ? a[lo]! : a[lo]! + f * (a[hi]! - a[lo]!)
}
