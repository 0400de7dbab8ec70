import type { Pruner } from '@cairn/core'
import { invalidInput } from '../common/errors.js'
import { OptionReader } from '../common/options.js'
import { PRUNER_IDS } from '../ids.js'
import { autoResourceSource } from './curve.js'
import { definePruner } from './define.js'
import { halvingShouldPrune } from './successive-halving.js'

/** Options of `asha()` (Optuna's `SuccessiveHalvingPruner` arguments). */
export interface AshaOptions {
  /**
   * The step of the first rung, or `'auto'`: ⌊last step of the oldest completed trial / 100⌋,
   * at least 1; no pruning until a trial has completed, and the trials before it (which Optuna
   * never judged at a rung) do not compete. Default `'auto'`.
   */
  minResource?: number | 'auto'
  /** η: rungs are η times further apart each, and the top 1/η of a rung go on. Integer ≥ 2. Default 4. */
  reductionFactor?: number
  /** s: the first rung is at `minResource · η^s`. Default 0. */
  minEarlyStoppingRate?: number
  /** Trials pruned at a rung until more than this many reached it. Needs a numeric `minResource`. Default 0. */
  bootstrapCount?: number
  /**
   * When set, a trial competes at a rung only with the last `cohortSize` trials (before it) that
   * reached that rung, instead of every one — the asynchronous form of synchronous successive
   * halving's batches, as in BOHB, where a rung is contested among configurations proposed
   * together. Under a model-based sampler (`tpe()`) the new candidates get better as the
   * session goes on, so against the whole history most of them pass every rung and ASHA prunes
   * less and less; against the recent ones it keeps stopping all but the top `1/η`. Integer
   * ≥ `reductionFactor`, above `bootstrapCount`. Default: unset (every trial, Optuna's rule).
   */
  cohortSize?: number
}

const NAME = 'asha'

/**
 * Asynchronous successive halving (Optuna's `SuccessiveHalvingPruner`). Rungs sit at steps
 * `minResource · η^(s + r)`; at each rung a trial goes on only when its value there is in the
 * top `1/η` of the values at that rung of the history trials that reached it, itself included
 * (the best one while fewer than η competed). With `cohortSize`, only against the last
 * `cohortSize` trials that reached the rung.
 *
 * ```ts
 * pruner: asha({ minResource: 1, reductionFactor: 3 })
 * pruner: asha({ cohortSize: 30 }) // with tpe(): judged against the last 30 trials at each rung
 * ```
 */
export function asha(options: AshaOptions = {}): Pruner {
  const r = new OptionReader(NAME, options, ['minResource', 'reductionFactor', 'minEarlyStoppingRate', 'bootstrapCount', 'cohortSize'])
  const auto = r.raw('minResource') === undefined || r.raw('minResource') === 'auto'
  const minResource = auto ? 'auto' : r.int('minResource', 1, 1)
  const reductionFactor = r.int('reductionFactor', 4, 2)
  const minEarlyStoppingRate = r.int('minEarlyStoppingRate', 0, 0)
  const bootstrapCount = r.int('bootstrapCount', 0, 0)
  if (bootstrapCount > 0 && auto)
    throw invalidInput(NAME, `options bootstrapCount > 0 and minResource 'auto' do not go together (bootstrapCount is ${bootstrapCount})`)
  const cohortSize = r.raw('cohortSize') === undefined ? undefined : r.int('cohortSize', 0, Math.max(reductionFactor, bootstrapCount + 1))
  // Stored options keep their old shape when `cohortSize` is unset, so sessions started before it resume.
  const stored = { minResource, reductionFactor, minEarlyStoppingRate, bootstrapCount, ...(cohortSize === undefined ? {} : { cohortSize }) }
  return definePruner(PRUNER_IDS.asha, stored, (ctx) => {
    let min: number
    let competitors = ctx.history
    if (minResource === 'auto') {
      const source = autoResourceSource(ctx.history)
      if (source === undefined) return false
      min = Math.max(Math.floor(source.lastStep / 100), 1)
      competitors = source.competitors
    } else min = minResource
    return halvingShouldPrune({ ...stored, minResource: min }, ctx.intermediate, competitors, ctx.direction)
  })
}
