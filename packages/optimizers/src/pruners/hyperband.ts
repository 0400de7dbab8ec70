import type { Pruner } from '@cairn/core'
import { invalidInput } from '../common/errors.js'
import { OptionReader } from '../common/options.js'
import { PRUNER_IDS } from '../ids.js'
import { crc32 } from './crc32.js'
import { autoResourceSource } from './curve.js'
import { definePruner } from './define.js'
import { halvingShouldPrune } from './successive-halving.js'

/** Options of `hyperband()` (Optuna's `HyperbandPruner` arguments). */
export interface HyperbandOptions {
  /** The step of the first rung of the most aggressive bracket. Integer ≥ 1. Default 1. */
  minResource?: number
  /**
   * The number of steps a trial runs at most, or `'auto'`: the last step + 1 of the oldest
   * completed trial; no pruning until a trial has completed, and the trials before it do not
   * compete (as with `asha()`'s `'auto'`). Default `'auto'`.
   */
  maxResource?: number | 'auto'
  /** η of every bracket's successive halving. Integer ≥ 2. Default 3. */
  reductionFactor?: number
  /** Each bracket's `bootstrapCount` (see `asha()`). Needs a numeric `maxResource`. Default 0. */
  bootstrapCount?: number
}

const NAME = 'hyperband'

/**
 * The brackets of Hyperband for these resources, as Optuna's `HyperbandPruner` computes them:
 * `⌊log_η(maxResource / minResource)⌋ + 1` brackets, bracket `b` a successive halving with
 * `minEarlyStoppingRate` b, and budget `⌈n · η^s / (s + 1)⌉` with `s = n − 1 − b`. The
 * logarithm is exact (the largest k with `minResource · η^k ≤ maxResource`); Optuna's
 * floating-point `math.log(x, η)` comes out just below an integer for some exact powers
 * (243 / 1 with η = 3 gives 5 brackets there, 6 here).
 */
export function hyperbandBrackets(minResource: number, maxResource: number, reductionFactor: number): number[] {
  let n = 1
  while (minResource * reductionFactor ** n <= maxResource) n++
  const budgets: number[] = []
  for (let b = 0; b < n; b++) {
    const s = n - 1 - b
    budgets.push(Math.ceil((n * reductionFactor ** s) / (s + 1)))
  }
  return budgets
}

/**
 * The bracket of trial `trialIdx`: Optuna's `_get_bracket_id` with the session's seed in place
 * of the study name (CRC-32 of `"<seed>_<trialIdx>"` modulo the total budget, walked through
 * the budgets), so brackets are drawn in proportion to their budgets and the same after a resume.
 */
export function hyperbandBracket(budgets: readonly number[], seed: number, trialIdx: number): number {
  const total = budgets.reduce((a, b) => a + b, 0)
  let n = crc32(`${seed}_${trialIdx}`) % total
  for (let b = 0; b < budgets.length; b++) {
    n -= budgets[b]!
    if (n < 0) return b
  }
  return budgets.length - 1
}

/**
 * Hyperband over asynchronous successive halving (Optuna's `HyperbandPruner`): several
 * brackets of `asha()` from aggressive (first rung at `minResource`) to patient; each trial
 * belongs to one bracket, chosen from the session's seed and its index in proportion to the
 * bracket budgets, and competes only with history trials of its bracket.
 *
 * ```ts
 * pruner: hyperband({ minResource: 1, maxResource: 50, reductionFactor: 3 })
 * ```
 */
export function hyperband(options: HyperbandOptions = {}): Pruner {
  const r = new OptionReader(NAME, options, ['minResource', 'maxResource', 'reductionFactor', 'bootstrapCount'])
  const minResource = r.int('minResource', 1, 1)
  const auto = r.raw('maxResource') === undefined || r.raw('maxResource') === 'auto'
  const maxResource = auto ? 'auto' : r.int('maxResource', 1, minResource)
  const reductionFactor = r.int('reductionFactor', 3, 2)
  const bootstrapCount = r.int('bootstrapCount', 0, 0)
  if (bootstrapCount > 0 && auto)
    throw invalidInput(NAME, `options bootstrapCount > 0 and maxResource 'auto' do not go together (bootstrapCount is ${bootstrapCount})`)
  const fixedBudgets = maxResource === 'auto' ? undefined : hyperbandBrackets(minResource, maxResource, reductionFactor)
  return definePruner(PRUNER_IDS.hyperband, { minResource, maxResource, reductionFactor, bootstrapCount }, (ctx) => {
    let budgets = fixedBudgets
    let competitors = ctx.history
    if (!budgets) {
      const source = autoResourceSource(ctx.history)
      if (source === undefined) return false
      budgets = hyperbandBrackets(minResource, Math.max(source.lastStep + 1, minResource), reductionFactor)
      competitors = source.competitors
    }
    const bracket = hyperbandBracket(budgets, ctx.seed, ctx.trialIdx)
    const peers = competitors.filter((t) => hyperbandBracket(budgets, ctx.seed, t.trialIdx) === bracket)
    return halvingShouldPrune(
      { minResource, reductionFactor, minEarlyStoppingRate: bracket, bootstrapCount },
      ctx.intermediate,
      peers,
      ctx.direction,
    )
  })
}
