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
}

const NAME = 'asha'

/**
 * Asynchronous successive halving (Optuna's `SuccessiveHalvingPruner`). Rungs sit at steps
 * `minResource · η^(s + r)`; at each rung a trial goes on only when its value there is in the
 * top `1/η` of the values at that rung of the history trials that reached it, itself included
 * (the best one while fewer than η competed).
 *
 * ```ts
 * pruner: asha({ minResource: 1, reductionFactor: 3 })
 * ```
 */
export function asha(options: AshaOptions = {}): Pruner {
  const r = new OptionReader(NAME, options, ['minResource', 'reductionFactor', 'minEarlyStoppingRate', 'bootstrapCount'])
  const auto = r.raw('minResource') === undefined || r.raw('minResource') === 'auto'
  const minResource = auto ? 'auto' : r.int('minResource', 1, 1)
  const reductionFactor = r.int('reductionFactor', 4, 2)
  const minEarlyStoppingRate = r.int('minEarlyStoppingRate', 0, 0)
  const bootstrapCount = r.int('bootstrapCount', 0, 0)
  if (bootstrapCount > 0 && auto)
    throw invalidInput(NAME, `options bootstrapCount > 0 and minResource 'auto' do not go together (bootstrapCount is ${bootstrapCount})`)
  return definePruner(PRUNER_IDS.asha, { minResource, reductionFactor, minEarlyStoppingRate, bootstrapCount }, (ctx) => {
    let min: number
    let competitors = ctx.history
    if (minResource === 'auto') {
      const source = autoResourceSource(ctx.history)
      if (source === undefined) return false
      min = Math.max(Math.floor(source.lastStep / 100), 1)
      competitors = source.competitors
    } else min = minResource
    return halvingShouldPrune(
      { minResource: min, reductionFactor, minEarlyStoppingRate, bootstrapCount },
      ctx.intermediate,
      competitors,
      ctx.direction,
    )
  })
}
