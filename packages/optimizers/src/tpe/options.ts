import type { Json } from '@cairn/core'
import { OptionReader } from '../common/options.js'

/**
 * Options of `tpe()`. Defaults follow Optuna 3.x's `TPESampler` except `priorWeight` (2),
 * `bandwidthBelow` (0.7) and `localFraction` (0.3); `optunaDefaults: true` restores Optuna's.
 * Multi-objective sessions use Optuna's `priorWeight` and `bandwidthBelow` (1 and 1) unless
 * they are given, and the local moves of `localFraction` (default 0.3, around a good trial drawn
 * by its hypervolume weight; Optuna's MOTPE makes none). Single-objective asks whose history
 * holds a pruned trial use Optuna's 1, 1 and `localFraction` 0, unless those options are given.
 */
export interface TpeOptions {
  /** Trials sampled uniformly at random before the model is used. Default 10. */
  nStartupTrials?: number
  /** Candidates drawn from the good-trials model per suggestion; the best ratio wins. Default 24. */
  nEiCandidates?: number
  /** Fraction of trials in the "good" group: `min(ceil(gamma · n), gammaMax)`. Default 0.1. */
  gamma?: number
  /** Cap on the size of the "good" group. Default 25. */
  gammaMax?: number
  /** Weight of the prior (uniform-ish) kernel in each estimator, relative to one trial. Default 2 (Optuna: 1). Must be positive. */
  priorWeight?: number
  /** Let the outermost kernels' widths reach to the bounds (Optuna's `consider_endpoints`). Default false. */
  considerEndpoints?: boolean
  /** Floor kernel widths at range / min(100, kernels + 1) (Optuna's `consider_magic_clip`). Default true. */
  considerMagicClip?: boolean
  /** One joint Parzen estimator over all dimensions (Optuna's `multivariate=True`) instead of one per dimension. Default false. */
  multivariate?: boolean
  /** Treat in-flight trials (`parallelism > 1`) as the worst score so parallel asks spread out. Default false. */
  constantLiar?: boolean
  /**
   * Score continuous dimensions the way Optuna 3.1–3.4 do: each Gaussian kernel's density is
   * not divided by its width (optuna/optuna#5109, changed in Optuna 3.5), which favours wide
   * kernels — in effect a width-proportional kernel weight that exploits more. Default true
   * (it is what Optuna's published 3.x behaviour and our benchmarks are based on); false gives
   * properly normalized kernels.
   */
  optunaDensity?: boolean
  /** Multiplies the widths of the good model's trial kernels (not its prior kernel), after clipping: a sharper l(x). Default 0.7 (Optuna: 1). */
  bandwidthBelow?: number
  /**
   * Probability (one draw from the session's RNG per model-based ask) that a suggestion is a
   * local move around the best trial instead of the l/g pick. Default 0.3 (Optuna: 0, and no draw is made).
   * With several objectives, around a trial of the good group drawn by its hypervolume weight
   * (one more draw): the same default, which raised the median hypervolume on ZDT1–3 and DTLZ2.
   */
  localFraction?: number
  /** Width of a local move per numeric dim, in units of its centre's distance to the nearest other good trial in that dim. Default 2. */
  localScale?: number
  /**
   * Take Optuna 3.1's defaults for every option not given (`priorWeight: 1`, `bandwidthBelow: 1`,
   * `localFraction: 0`): Optuna 3.1's `TPESampler` algorithm, unchanged. Default false; with
   * `multivariate: true` Optuna's defaults are always the ones used.
   */
  optunaDefaults?: boolean
}

/** Resolved options. */
export interface TpeConfig {
  nStartupTrials: number
  nEiCandidates: number
  gamma: number
  gammaMax: number
  priorWeight: number
  considerEndpoints: boolean
  considerMagicClip: boolean
  multivariate: boolean
  constantLiar: boolean
  optunaDensity: boolean
  bandwidthBelow: number
  localFraction: number
  localScale: number
  /**
   * `priorWeight`, `bandwidthBelow` and `localFraction` in multi-objective sessions: the first
   * two when given, else Optuna's (1 and 1), which gave MOTPE more hypervolume than the tuned
   * single-objective ones; `localFraction` as resolved (0.3, or Optuna's 0 with
   * `optunaDefaults` or `multivariate`). Not part of the stored options (`tpeOptionsJson`),
   * which stay as they were.
   */
  multiObjective: { priorWeight: number; bandwidthBelow: number; localFraction: number }
  /**
   * `priorWeight`, `bandwidthBelow` and `localFraction` of a single-objective ask whose history
   * holds a pruned trial: each option when given, else Optuna's (1, 1 and 0). Under pruning,
   * exploring costs a few epochs and exploiting a whole trial (a candidate near the best passes
   * every rung), and Optuna's values gave fewer epochs and better values than the tuned
   * defaults on both workloads of bench/pruning.ts. Not stored either.
   */
  pruned: { priorWeight: number; bandwidthBelow: number; localFraction: number }
}

export const TPE_NAME = 'tpe'

/** Validates `options` (refusing unknown keys and bad values, naming the option) and fills in defaults. */
export function resolveTpeOptions(options: unknown): TpeConfig {
  const r = new OptionReader(TPE_NAME, options, [
    'nStartupTrials',
    'nEiCandidates',
    'gamma',
    'gammaMax',
    'priorWeight',
    'considerEndpoints',
    'considerMagicClip',
    'multivariate',
    'constantLiar',
    'optunaDensity',
    'bandwidthBelow',
    'localFraction',
    'localScale',
    'optunaDefaults',
  ])
  // The tuned defaults are for the univariate estimator; multivariate keeps Optuna's (they explore too much there).
  const optuna = r.bool('optunaDefaults', false) || r.bool('multivariate', false)
  const priorWeight = r.number('priorWeight', optuna ? 1 : 2, 0, Infinity, true)
  const bandwidthBelow = r.number('bandwidthBelow', optuna ? 1 : 0.7, 0, 100, true)
  const localFraction = r.number('localFraction', optuna ? 0 : 0.3, 0, 1)
  return {
    nStartupTrials: r.int('nStartupTrials', 10, 0),
    nEiCandidates: r.int('nEiCandidates', 24, 1, 100_000),
    gamma: r.number('gamma', 0.1, 0, 1, true),
    gammaMax: r.int('gammaMax', 25, 1),
    priorWeight,
    considerEndpoints: r.bool('considerEndpoints', false),
    considerMagicClip: r.bool('considerMagicClip', true),
    multivariate: r.bool('multivariate', false),
    constantLiar: r.bool('constantLiar', false),
    optunaDensity: r.bool('optunaDensity', true),
    bandwidthBelow,
    localFraction,
    localScale: r.number('localScale', 2, 0, 100, true),
    multiObjective: {
      priorWeight: r.raw('priorWeight') === undefined ? 1 : priorWeight,
      bandwidthBelow: r.raw('bandwidthBelow') === undefined ? 1 : bandwidthBelow,
      localFraction,
    },
    pruned: {
      priorWeight: r.raw('priorWeight') === undefined ? 1 : priorWeight,
      bandwidthBelow: r.raw('bandwidthBelow') === undefined ? 1 : bandwidthBelow,
      localFraction: r.raw('localFraction') === undefined ? 0 : localFraction,
    },
  }
}

/** The options as stored with the session. */
export function tpeOptionsJson(cfg: TpeConfig): Json {
  const { multiObjective: _derived, pruned: _derivedPruned, ...stored } = cfg
  return stored
}

/** Size of the good group among `n` observations (Optuna's `default_gamma`). */
export function nBelow(cfg: TpeConfig, n: number): number {
  return Math.min(Math.ceil(cfg.gamma * n), cfg.gammaMax)
}

/**
 * Optuna's `default_weights`: 1 for the newest 25 observations, a ramp from 1/n up to 1 for
 * the older ones (`n` observations in trial order, oldest first). Written into `out`.
 */
export function defaultWeights(n: number, out: Float64Array): Float64Array {
  if (n < 25) {
    out.fill(1, 0, n)
    return out
  }
  const ramp = n - 25
  for (let i = 0; i < ramp; i++) out[i] = ramp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (ramp - 1)
  out.fill(1, ramp, n)
  return out
}
