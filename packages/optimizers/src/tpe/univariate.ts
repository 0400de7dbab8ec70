import type { Rng } from '@cairn/core'
import type { NumericDim } from '../space-math/index.js'
import { acceptance, cumulative, isDiscrete, minSigma, normalizeWeights, pickCumulative, type KernelConfig } from './kernels.js'
import { normMass, truncNormal } from './normal.js'
import { argsortInRange, kthSmallest } from './sort.js'

/**
 * Kernels further than this many of their own widths from a query point contribute less
 * than e^(−36) ≈ 2e-16 of their peak, below double precision next to the prior kernel, and
 * are skipped.
 */
const CUTOFF = 8.5
/** Below this many kernels every kernel is evaluated (the window bookkeeping is not worth it). */
const WINDOW_MIN_KERNELS = 64

/** First index of `sorted` whose value is ≥ v. */
function lowerBound(sorted: Float64Array, v: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid]! < v) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * A one-dimensional Parzen estimator over a numeric dim's internal space, as Optuna's
 * univariate TPE builds it: one truncated Gaussian per observation, centred on it, as wide as
 * the larger gap to its sorted neighbours (the prior's centre and the bounds count as
 * neighbours; without `considerEndpoints` the outermost use their inner gap only), clipped to
 * [range / min(100, kernels + 1), range]; plus a prior kernel at the centre as wide as the range.
 *
 * For speed the kernels are split into narrow ones (width ≤ a threshold), kept sorted by
 * centre so a query only visits those within `CUTOFF` widths, and wide ones, always visited.
 */
export class NumericParzen {
  private readonly cum: Float64Array
  private readonly mu: Float64Array
  private readonly sigma: Float64Array
  private readonly lo: number
  private readonly hi: number
  // Narrow kernels, sorted by centre.
  private readonly nMu: Float64Array
  private readonly nInv: Float64Array
  private readonly nCoef: Float64Array
  private readonly nMass: Float64Array
  private readonly reach: number
  // Wide kernels (and the prior).
  private readonly wMu: Float64Array
  private readonly wInv: Float64Array
  private readonly wCoef: Float64Array
  private readonly wMass: Float64Array

  /**
   * @param column internal values of every observation
   * @param rows the observations of this group, in trial order
   * @param rawWeights unnormalized weights of `rows`, same order
   */
  constructor(dim: NumericDim, column: Float64Array, rows: Uint32Array, rawWeights: Float64Array, cfg: KernelConfig, scale = 1) {
    const m = rows.length
    const K = m + 1
    const lo = dim.lo
    const hi = dim.hi
    const range = hi - lo
    this.lo = lo
    this.hi = hi
    const mu = new Float64Array(K)
    const sigma = new Float64Array(K)
    for (let i = 0; i < m; i++) mu[i] = column[rows[i]!]!
    mu[m] = 0.5 * (lo + hi)
    const { order, sorted } = argsortInRange(mu, lo, hi)
    if (m > 0) {
      // sorted with the bounds as sentinels: left of position i is sorted[i-1] (or lo), right sorted[i+1] (or hi).
      const minS = minSigma(cfg, range, m)
      for (let i = 0; i < K; i++) {
        const here = sorted[i]!
        // (Gaps are floored at 0: near-ties may be ordered by index, not by value.)
        const left = Math.max(0, here - (i > 0 ? sorted[i - 1]! : lo))
        const right = Math.max(0, (i < K - 1 ? sorted[i + 1]! : hi) - here)
        let s = left > right ? left : right
        if (!cfg.considerEndpoints) {
          if (i === 0) s = right
          else if (i === K - 1) s = left
        }
        s = s < minS ? minS : s > range ? range : s
        sigma[order[i]!] = order[i] === m ? s : s * scale
      }
    }
    sigma[m] = range
    const w = normalizeWeights(rawWeights, m, cfg.priorWeight, new Float64Array(K))
    this.mu = mu
    this.sigma = sigma
    this.cum = cumulative(w)

    // Split into narrow and wide kernels.
    let threshold = Infinity
    if (K >= WINDOW_MIN_KERNELS) {
      threshold = kthSmallest(sigma.subarray(0, m), Math.floor(0.9 * (m - 1)))
    }
    let nNarrow = 0
    for (let k = 0; k < m; k++) if (sigma[k]! <= threshold) nNarrow++
    this.nMu = new Float64Array(nNarrow)
    this.nInv = new Float64Array(nNarrow)
    this.nCoef = new Float64Array(nNarrow)
    this.nMass = new Float64Array(nNarrow)
    this.wMu = new Float64Array(K - nNarrow)
    this.wInv = new Float64Array(K - nNarrow)
    this.wCoef = new Float64Array(K - nNarrow)
    this.wMass = new Float64Array(K - nNarrow)
    this.reach = CUTOFF * (threshold === Infinity ? range : threshold)
    const discrete = isDiscrete(dim)
    let a = 0
    let b = 0
    for (let i = 0; i < K; i++) {
      const k = order[i]!
      const sg = sigma[k]!
      const acc = acceptance(mu[k]!, sg, lo, hi)
      const massCoef = w[k]! / acc
      const coef = discrete ? 0 : cfg.optunaDensity ? massCoef : massCoef / sg
      if (k !== m && sg <= threshold) {
        this.nMu[a] = mu[k]!
        this.nInv[a] = 1 / sg
        this.nCoef[a] = coef
        this.nMass[a] = massCoef
        a++
      } else {
        this.wMu[b] = mu[k]!
        this.wInv[b] = 1 / sg
        this.wCoef[b] = coef
        this.wMass[b] = massCoef
        b++
      }
    }
  }

  /** A draw in internal space: a kernel by weight, then its truncated Gaussian. Two rng draws. */
  sample(rng: Rng): number {
    const k = pickCumulative(this.cum, rng)
    return truncNormal(this.mu[k]!, this.sigma[k]!, this.lo, this.hi, rng.next())
  }

  /** The density at `x` times √(2π) (a constant common to every estimator, so ratios are exact). */
  density(x: number): number {
    let s = 0
    const { wMu, wInv, wCoef, nMu, nInv, nCoef } = this
    for (let k = 0; k < wMu.length; k++) {
      const z = (x - wMu[k]!) * wInv[k]!
      s += wCoef[k]! * Math.exp(-0.5 * z * z)
    }
    const end = x + this.reach
    for (let k = lowerBound(nMu, x - this.reach); k < nMu.length; k++) {
      const m = nMu[k]!
      if (m > end) break
      const z = (x - m) * nInv[k]!
      s += nCoef[k]! * Math.exp(-0.5 * z * z)
    }
    return s
  }

  /** The probability of the interval [a, b] (a discrete value's cell). */
  mass(a: number, b: number): number {
    let s = 0
    const { wMu, wInv, wMass, nMu, nInv, nMass } = this
    for (let k = 0; k < wMu.length; k++) {
      const m = wMu[k]!
      const inv = wInv[k]!
      s += wMass[k]! * normMass((a - m) * inv, (b - m) * inv)
    }
    const end = b + this.reach
    for (let k = lowerBound(nMu, a - this.reach); k < nMu.length; k++) {
      const m = nMu[k]!
      if (m > end) break
      const inv = nInv[k]!
      s += nMass[k]! * normMass((a - m) * inv, (b - m) * inv)
    }
    return s
  }
}

/**
 * The mixture probabilities of a categorical dim: each observation's kernel puts
 * `priorWeight / kernels` on every choice plus 1 on its own, normalized; the prior kernel is
 * uniform (Optuna's categorical Parzen estimator).
 */
export function categoricalProbs(
  nChoices: number,
  column: Int32Array,
  rows: Uint32Array,
  rawWeights: Float64Array,
  priorWeight: number,
): Float64Array {
  const m = rows.length
  const p = new Float64Array(nChoices)
  if (m === 0) return p.fill(1 / nChoices)
  const w = normalizeWeights(rawWeights, m, priorWeight, new Float64Array(m + 1))
  const base = priorWeight / (m + 1)
  const denom = nChoices * base + 1
  let total = 0
  for (let i = 0; i < m; i++) {
    const c = column[rows[i]!]!
    p[c] = p[c]! + w[i]!
    total += w[i]!
  }
  const wPrior = w[m]!
  for (let c = 0; c < nChoices; c++) p[c] = (total * base + p[c]!) / denom + wPrior / nChoices
  return p
}

/** An index drawn with probability proportional to `p`. One rng draw. */
export function pickWeighted(p: Float64Array, rng: Rng): number {
  let total = 0
  for (let i = 0; i < p.length; i++) total += p[i]!
  let r = rng.next() * total
  for (let i = 0; i < p.length; i++) {
    r -= p[i]!
    if (r < 0) return i
  }
  return p.length - 1
}
