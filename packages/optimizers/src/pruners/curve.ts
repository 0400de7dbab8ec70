import type { IntermediateValue, PrunerTrialView } from '@cairn/core'

/**
 * Reading learning curves (steps strictly increasing). Pruners read history trials defensively:
 * a trial without a curve is an empty one, whatever a third-party store handed over.
 */

/** The trial's curve, or an empty one. */
export function curveOf(trial: PrunerTrialView): readonly IntermediateValue[] {
  return Array.isArray(trial.intermediate) ? trial.intermediate : []
}

/**
 * The index of the first point whose step is ≥ `step`, or `curve.length`. Steps are
 * non-negative integers, strictly increasing, so point i has a step ≥ i: a curve that reported
 * every step (the usual one) has `step` at index `step`, found at once; otherwise a binary
 * search over the first `step + 1` points.
 */
export function firstAtOrAfter(curve: readonly IntermediateValue[], step: number): number {
  if (step < curve.length && curve[step]?.step === step) return step
  let lo = 0
  let hi = Math.min(curve.length, Math.max(0, Math.ceil(step)) + 1)
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
 * Where 'auto' resources come from: the last step of the oldest completed (`ok`) history trial
 * that reported one, and its position in the history. Optuna fixes its 'auto' resources once,
 * from the trials complete when first needed; the oldest completed trial is the same for every
 * later trial (histories are prefixes of one commit log), so the estimate never moves once made.
 * Optuna records rung values only once the resources are known, so the trials that ran before
 * that one completed (and it) never compete at a rung: `competitors` are the trials after it.
 */
export function autoResourceSource(
  history: readonly PrunerTrialView[],
): { lastStep: number; competitors: readonly PrunerTrialView[] } | undefined {
  for (let i = 0; i < history.length; i++) {
    const t = history[i]!
    if (t.status !== 'ok') continue
    const s = lastStep(curveOf(t))
    if (s !== undefined) return { lastStep: s, competitors: history.slice(i + 1) }
  }
  return undefined
}

/**
 * NumPy's `nanpercentile` with its default linear interpolation: NaN left out, `q` in
 * [0, 100]; NaN when no value is left.
 */
export function percentileOf(values: number[], q: number): number {
  const a = Float64Array.from(values.filter((v) => !Number.isNaN(v))).sort()
  if (a.length === 0) return Number.NaN
  const h = ((a.length - 1) * q) / 100
  const lo = Math.floor(h)
  const hi = Math.min(lo + 1, a.length - 1)
  const f = h - lo
  return f === 0 ? a[lo]! : a[lo]! + f * (a[hi]! - a[lo]!)
}
