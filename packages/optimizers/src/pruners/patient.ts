import type { Pruner } from '@cairn/core'
import { invalidInput } from '../common/errors.js'
import { OptionReader } from '../common/options.js'
import { PRUNER_IDS } from '../ids.js'
import { definePruner } from './define.js'

/** Options of `patientPruner()` (Optuna's `PatientPruner` arguments). */
export interface PatientPrunerOptions {
  /** How many reports in a row may fail to improve before the trial is judged. Required. */
  patience: number
  /** The improvement that counts (in the session's direction). Default 0. */
  minDelta?: number
}

const NAME = 'patientPruner'

/**
 * Prunes a trial whose last `patience + 1` intermediate values do not improve on the best
 * value before them by more than `minDelta` (Optuna's `PatientPruner`). With `inner`, such a
 * trial is pruned only when `inner` says so too; with `null`, it is pruned then. It reads the
 * trial's own curve only, so it may prune with an empty history.
 *
 * ```ts
 * pruner: patientPruner(medianPruner(), { patience: 3 })
 * ```
 */
export function patientPruner(inner: Pruner | null, options: PatientPrunerOptions): Pruner {
  if (inner !== null && (typeof inner !== 'object' || typeof (inner as Partial<Pruner>).shouldPrune !== 'function'))
    throw invalidInput(NAME, 'inner must be a pruner (an object with shouldPrune) or null')
  const r = new OptionReader(NAME, options, ['patience', 'minDelta'])
  if (r.raw('patience') === undefined) r.fail('patience', 'an integer ≥ 0')
  const patience = r.int('patience', 0, 0)
  const minDelta = r.number('minDelta', 0, 0)
  // A copy: the options are frozen with the pruner, and the inner pruner's object is not ours to freeze.
  const innerInfo =
    inner === null ? null : { id: inner.id, stateVersion: inner.stateVersion, options: structuredClone(inner.options ?? null) }
  return definePruner(PRUNER_IDS.patient, { patience, minDelta, inner: innerInfo }, (ctx) => {
    const curve = ctx.intermediate
    const n = curve.length
    if (n <= patience + 1) return false
    const split = n - patience - 1
    const maximize = ctx.direction === 'maximize'
    const bestBefore = best(curve, 0, split, maximize)
    const bestAfter = best(curve, split, n, maximize)
    const stalled = maximize ? bestBefore - minDelta > bestAfter : bestBefore + minDelta < bestAfter
    if (!stalled) return false
    return inner === null ? true : inner.shouldPrune(ctx)
  })
}

/** NumPy's `nanmin` / `nanmax` of the values in `[from, to)` (NaN when all are NaN). */
function best(curve: readonly { value: number }[], from: number, to: number, maximize: boolean): number {
  let b = Number.NaN
  for (let i = from; i < to; i++) {
    const v = curve[i]!.value
    if (Number.isNaN(v)) continue
    if (Number.isNaN(b) || (maximize ? v > b : v < b)) b = v
  }
  return b
}
