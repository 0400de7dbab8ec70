import type { Json } from '@cairn/core'
import { OptionReader } from '../common/options.js'

/** Options of `tpe()`. Every default follows Optuna 3.x's `TPESampler`. */
export interface TpeOptions {
  /** Trials sampled uniformly at random before the model is used. Default 10. */
  nStartupTrials?: number
  /** Candidates drawn from the good-trials model per suggestion; the best ratio wins. Default 24. */
  nEiCandidates?: number
  /** Fraction of trials in the "good" group: `min(ceil(gamma · n), gammaMax)`. Default 0.1. */
  gamma?: number
  /** Cap on the size of the "good" group. Default 25. */
  gammaMax?: number
  /** Weight of the prior (uniform-ish) kernel in each estimator, relative to one trial. Default 1. Must be positive. */
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
  /** Multiplies the widths of the good model's trial kernels (not its prior). Default 1. */
  bandwidthBelow?: number
  /** Good-group size rule: 'linear' = ceil(gamma·n), 'sqrt' = ceil(gamma·√n), both capped at gammaMax. Default 'linear'. */
  gammaRule?: 'linear' | 'sqrt'
  /** Probability that a suggestion is a local perturbation of the best trial instead of an EI pick. Default 0. */
  localFraction?: number
  /** Width of local perturbations, relative to the distance from the best trial to its nearest good neighbour per dim. Default 1. */
  localScale?: number
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
  gammaRule: 'linear' | 'sqrt'
  localFraction: number
  localScale: number
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
    'gammaRule',
    'localFraction',
    'localScale',
  ])
  const gammaRule = (r.raw('gammaRule') ?? 'linear') as 'linear' | 'sqrt'
  if (gammaRule !== 'linear' && gammaRule !== 'sqrt') r.fail('gammaRule', '"linear" or "sqrt"')
  return {
    nStartupTrials: r.int('nStartupTrials', 10, 0),
    nEiCandidates: r.int('nEiCandidates', 24, 1, 100_000),
    gamma: r.number('gamma', 0.1, 0, 1, true),
    gammaMax: r.int('gammaMax', 25, 1),
    priorWeight: r.number('priorWeight', 1, 0, Infinity, true),
    considerEndpoints: r.bool('considerEndpoints', false),
    considerMagicClip: r.bool('considerMagicClip', true),
    multivariate: r.bool('multivariate', false),
    constantLiar: r.bool('constantLiar', false),
    optunaDensity: r.bool('optunaDensity', true),
    bandwidthBelow: r.number('bandwidthBelow', 1, 0, 100, true),
    gammaRule,
    localFraction: r.number('localFraction', 0, 0, 1),
    localScale: r.number('localScale', 1, 0, 100, true),
  }
}

/** The options as stored with the session. */
export function tpeOptionsJson(cfg: TpeConfig): Json {
  return { ...cfg }
}

/** Size of the good group among `n` observations (Optuna's `default_gamma`). */
export function nBelow(cfg: TpeConfig, n: number): number {
  return Math.min(Math.ceil(cfg.gamma * (cfg.gammaRule === 'sqrt' ? Math.sqrt(n) : n)), cfg.gammaMax)
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
