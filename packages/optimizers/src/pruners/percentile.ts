import type { PruneContext, Pruner } from '@cairn/core'
import { invalidInput } from '../common/errors.js'
import { OptionReader } from '../common/options.js'
import { PRUNER_IDS } from '../ids.js'
import { curveOf, percentileOf, valueAt } from './curve.js'
import { definePruner } from './define.js'

/** Options of `percentilePruner()` and `medianPruner()` (Optuna's `PercentilePruner` arguments). */
export interface PercentilePrunerOptions {
  /** No pruning until this many trials have completed (`ok`) before the trial was asked. Default 5. */
  nStartupTrials?: number
  /** No pruning at steps below this (steps count from 0). Default 0. */
  nWarmupSteps?: number
  /**
   * Judge once per interval of this many steps, counted from `nWarmupSteps`: at the first
   * report that reaches each multiple. Default 1 (every report).
   */
  intervalSteps?: number
  /** No pruning unless at least this many completed trials reported a value at the same step. Default 1. */
  nMinTrials?: number
}

/** Resolved options of a percentile rule. */
interface PercentileConfig {
  percentile: number
  nStartupTrials: number
  nWarmupSteps: number
  intervalSteps: number
  nMinTrials: number
}

const KEYS = ['nStartupTrials', 'nWarmupSteps', 'intervalSteps', 'nMinTrials']

/**
 * Prunes a trial whose best intermediate value so far is worse than the `percentile`-th
 * percentile (the best `percentile` % are kept) of the values completed history trials
 * reported at the same step (Optuna's `PercentilePruner`; NumPy's linear interpolation).
 * Only `ok` trials count, as Optuna counts `COMPLETE` trials only.
 *
 * ```ts
 * pruner: percentilePruner(25, { nStartupTrials: 5, nWarmupSteps: 30, intervalSteps: 10 })
 * ```
 */
export function percentilePruner(percentile: number, options: PercentilePrunerOptions = {}): Pruner {
  const name = 'percentilePruner'
  if (typeof percentile !== 'number' || !(percentile >= 0 && percentile <= 100))
    throw invalidInput(
      name,
      `percentile must be a number in [0, 100], got ${typeof percentile === 'number' ? String(percentile) : (JSON.stringify(percentile) ?? String(percentile))}`,
    )
  const cfg = readConfig(name, percentile, options)
  return definePruner(PRUNER_IDS.percentile, { ...cfg }, (ctx) => percentileRule(cfg, ctx))
}

/**
 * The median stopping rule (Optuna's `MedianPruner`): prunes a trial whose best intermediate
 * value so far is worse than the median of the values completed (`ok`) history trials
 * reported at the same step. `percentilePruner(50, options)` under its own id.
 *
 * ```ts
 * pruner: medianPruner({ nStartupTrials: 5, nWarmupSteps: 3 })
 * ```
 */
export function medianPruner(options: PercentilePrunerOptions = {}): Pruner {
  const cfg = readConfig('medianPruner', 50, options)
  const { percentile: _, ...json } = cfg
  return definePruner(PRUNER_IDS.median, json, (ctx) => percentileRule(cfg, ctx))
}

function readConfig(name: string, percentile: number, options: unknown): PercentileConfig {
  const r = new OptionReader(name, options, KEYS)
  return {
    percentile,
    nStartupTrials: r.int('nStartupTrials', 5, 0),
    nWarmupSteps: r.int('nWarmupSteps', 0, 0),
    intervalSteps: r.int('intervalSteps', 1, 1),
    nMinTrials: r.int('nMinTrials', 1, 1),
  }
}

/** Optuna's `PercentilePruner.prune`, on the history instead of the study. */
export function percentileRule(cfg: PercentileConfig, ctx: PruneContext): boolean {
  const completed = ctx.history.filter((t) => t.status === 'ok')
  if (completed.length === 0 || completed.length < cfg.nStartupTrials) return false
  const curve = ctx.intermediate
  const step = curve[curve.length - 1]!.step
  if (step < cfg.nWarmupSteps) return false
  if (!firstInInterval(step, curve.length >= 2 ? curve[curve.length - 2]!.step : -1, cfg)) return false
  const maximize = ctx.direction === 'maximize'
  let best = maximize ? -Infinity : Infinity
  let any = false
  for (const p of curve) {
    if (Number.isNaN(p.value)) continue
    any = true
    best = maximize ? Math.max(best, p.value) : Math.min(best, p.value)
  }
  if (!any) return true
  const values: number[] = []
  for (const t of completed) {
    const v = valueAt(curveOf(t), step)
    if (v !== undefined) values.push(v)
  }
  if (values.length < cfg.nMinTrials) return false
  const p = percentileOf(values, maximize ? 100 - cfg.percentile : cfg.percentile)
  if (Number.isNaN(p)) return false
  return maximize ? best < p : best > p
}

/**
 * Optuna's `_is_first_in_interval_step`: the trial's previous report came before the latest
 * judging step (warmup + a multiple of the interval) at or below `step`.
 */
function firstInInterval(step: number, previousStep: number, cfg: PercentileConfig): boolean {
  const nearestLower = Math.floor((step - cfg.nWarmupSteps) / cfg.intervalSteps) * cfg.intervalSteps + cfg.nWarmupSteps
  return previousStep < nearestLower
}
