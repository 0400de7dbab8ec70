import type { Rng } from '@cairn/core'
import type { NumericDim } from '../space-math/index.js'
import { normMass } from './normal.js'

/** Kernel widths are never below this (when the magic clip is off). */
export const EPS = 1e-12

/** Width settings shared by the univariate and multivariate estimators. */
export interface KernelConfig {
  priorWeight: number
  considerEndpoints: boolean
  considerMagicClip: boolean
  /** Kernel heights ignore their widths on continuous dims, as Optuna 3.1–3.4 compute them. */
  optunaDensity: boolean
}

/** Lower clip of kernel widths: range / min(100, kernels + 1) with the magic clip (kernels counts the prior), EPS otherwise. */
export function minSigma(cfg: KernelConfig, range: number, nObservations: number): number {
  return cfg.considerMagicClip ? range / Math.min(100, nObservations + 2) : EPS
}

/** The internal-space interval a discrete value stands for (half a step either side), within the dimension's bounds. */
export function cellOf(dim: NumericDim, v: number): [number, number] {
  let a: number
  let b: number
  if (dim.log) {
    a = Math.log(v - 0.5)
    b = Math.log(v + 0.5)
  } else {
    const h = (dim.step as number) / 2
    a = v - h
    b = v + h
  }
  return [a < dim.lo ? dim.lo : a, b > dim.hi ? dim.hi : b]
}

/** True for ints and stepped floats: their likelihood is the probability mass of the value's cell. */
export function isDiscrete(dim: NumericDim): boolean {
  return dim.step !== undefined
}

/**
 * Normalizes observation weights plus the prior weight into `out` (length m + 1, prior last).
 * With no observations the prior alone has weight 1.
 */
export function normalizeWeights(raw: Float64Array, m: number, priorWeight: number, out: Float64Array): Float64Array {
  if (m === 0) {
    out[0] = 1
    return out
  }
  let total = priorWeight
  for (let i = 0; i < m; i++) total += raw[i]!
  for (let i = 0; i < m; i++) out[i] = raw[i]! / total
  out[m] = priorWeight / total
  return out
}

/** The mass of N(mu, sigma²) inside [lo, hi] (truncation normalizer of a kernel). */
export function acceptance(mu: number, sigma: number, lo: number, hi: number): number {
  if (mu - lo > 8.5 * sigma && hi - mu > 8.5 * sigma) return 1
  const p = normMass((lo - mu) / sigma, (hi - mu) / sigma)
  return p > 1e-300 ? p : 1e-300
}

/** An index drawn with probability proportional to `cum`'s increments (`cum` cumulative, last = total). */
export function pickCumulative(cum: Float64Array, rng: Rng): number {
  const n = cum.length
  const r = rng.next() * cum[n - 1]!
  // Binary search for the first cum > r.
  let lo = 0
  let hi = n - 1
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (cum[mid]! > r) hi = mid
    else lo = mid + 1
  }
  return lo
}

/** Cumulative sums of `w` (a new array). */
export function cumulative(w: Float64Array): Float64Array {
  const out = new Float64Array(w.length)
  let s = 0
  for (let i = 0; i < w.length; i++) out[i] = s += w[i]!
  return out
}
