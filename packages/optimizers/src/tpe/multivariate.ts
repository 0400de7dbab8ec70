import type { Rng } from '@cairn/core'
import type { CompiledSpace } from '../space-math/index.js'
import { acceptance, cellOf, cumulative, isDiscrete, minSigma, normalizeWeights, pickCumulative, type KernelConfig } from './kernels.js'
import { normMass, truncNormal } from './normal.js'
import type { Observations } from './observations.js'

/** A point in the model's coordinates: numeric dims in internal space, categoricals as indices. */
export interface JointPoint {
  numeric: Float64Array
  categorical: Int32Array
}

/**
 * A joint Parzen estimator over every dimension (Optuna's `multivariate=True`): one product
 * kernel per observation — truncated Gaussians of a common width
 * `0.2 · m^(-1/(d+4)) · range` per numeric dim, clipped like the univariate widths, and the
 * categorical kernel of the univariate estimator per categorical dim — plus a prior kernel
 * (centre, full-range width, uniform categoricals). Kernel weights as in the univariate case.
 */
export class JointParzen {
  private readonly K: number
  private readonly nNum: number
  /** mu[j * K + k], sigma[j * K + k]: kernel k on numeric dim j. */
  private readonly mu: Float64Array
  private readonly sigma: Float64Array
  private readonly invSigma: Float64Array
  /** Observed choice of kernel k on categorical dim j (`-1` for the prior kernel). */
  private readonly cat: Int32Array
  private readonly logMatch: Float64Array
  private readonly logMiss: Float64Array
  private readonly logUniform: Float64Array
  /** Per kernel: log weight minus the log normalizers of its numeric components. */
  private readonly base: Float64Array
  private readonly cum: Float64Array
  private readonly catProbMatch: Float64Array
  private readonly catProbMiss: Float64Array
  private readonly scratch: Float64Array

  constructor(
    private readonly space: CompiledSpace,
    obs: Observations,
    rows: Uint32Array,
    rawWeights: Float64Array,
    cfg: KernelConfig,
    scale = 1,
  ) {
    const m = rows.length
    const K = m + 1
    const nNum = space.numeric.length
    const nCat = space.categorical.length
    const nDims = nNum + nCat
    this.K = K
    this.nNum = nNum
    const w = normalizeWeights(rawWeights, m, cfg.priorWeight, new Float64Array(K))
    this.cum = cumulative(w)
    const base = new Float64Array(K)
    for (let k = 0; k < K; k++) base[k] = Math.log(w[k]!)
    this.mu = new Float64Array(nNum * K)
    this.sigma = new Float64Array(nNum * K)
    this.invSigma = new Float64Array(nNum * K)
    space.numeric.forEach((dim, j) => {
      const range = dim.hi - dim.lo
      const col = obs.numeric[j]!
      let s = 0.2 * Math.max(m, 1) ** (-1 / (nDims + 4)) * range
      const minS = minSigma(cfg, range, m)
      s = s < minS ? minS : s > range ? range : s
      s *= scale
      const discrete = isDiscrete(dim)
      for (let k = 0; k < K; k++) {
        const at = j * K + k
        const mu = k < m ? col[rows[k]!]! : 0.5 * (dim.lo + dim.hi)
        const sg = k < m ? s : range
        this.mu[at] = mu
        this.sigma[at] = sg
        this.invSigma[at] = 1 / sg
        base[k] = base[k]! - Math.log(acceptance(mu, sg, dim.lo, dim.hi)) - (discrete || cfg.optunaDensity ? 0 : Math.log(sg))
      }
    })
    this.cat = new Int32Array(nCat * K)
    this.logMatch = new Float64Array(nCat)
    this.logMiss = new Float64Array(nCat)
    this.logUniform = new Float64Array(nCat)
    this.catProbMatch = new Float64Array(nCat)
    this.catProbMiss = new Float64Array(nCat)
    space.categorical.forEach((dim, j) => {
      const col = obs.categorical[j]!
      for (let k = 0; k < K; k++) this.cat[j * K + k] = k < m ? col[rows[k]!]! : -1
      const b = cfg.priorWeight / K
      const denom = dim.count * b + 1
      this.catProbMatch[j] = (b + 1) / denom
      this.catProbMiss[j] = b / denom
      this.logMatch[j] = Math.log((b + 1) / denom)
      this.logMiss[j] = Math.log(b / denom)
      this.logUniform[j] = -Math.log(dim.count)
    })
    this.base = base
    this.scratch = new Float64Array(K)
  }

  /** A draw: a kernel by weight, then each dimension (name order) from that kernel. */
  sample(rng: Rng, out: JointPoint): JointPoint {
    const { K, space } = this
    const k = pickCumulative(this.cum, rng)
    let jn = 0
    let jc = 0
    for (const dim of space.dims) {
      if (dim.kind === 'categorical') {
        const own = this.cat[jc * K + k]!
        if (own < 0) out.categorical[jc] = Math.min(dim.count - 1, Math.floor(rng.next() * dim.count))
        else {
          // Choice `own` has probability match, every other one miss.
          const miss = this.catProbMiss[jc]!
          let r = rng.next() * (this.catProbMatch[jc]! + miss * (dim.count - 1))
          let pick = dim.count - 1
          for (let c = 0; c < dim.count; c++) {
            r -= c === own ? this.catProbMatch[jc]! : miss
            if (r < 0) {
              pick = c
              break
            }
          }
          out.categorical[jc] = pick
        }
        jc++
      } else {
        const at = jn * K + k
        out.numeric[jn] = truncNormal(this.mu[at]!, this.sigma[at]!, dim.lo, dim.hi, rng.next())
        jn++
      }
    }
    return out
  }

  /**
   * The log density at `point` (up to a constant common to every estimator over this space).
   * For discrete numeric dims `cells` holds each value's cell (`[a, b]` at `2j`, `2j + 1`),
   * whose probability replaces the density.
   */
  logDensity(point: JointPoint, cells: Float64Array): number {
    const { K, nNum, mu, invSigma, sigma, base, scratch, space } = this
    scratch.set(base)
    for (let j = 0; j < nNum; j++) {
      const dim = space.numeric[j]!
      const off = j * K
      if (isDiscrete(dim)) {
        const a = cells[2 * j]!
        const b = cells[2 * j + 1]!
        for (let k = 0; k < K; k++) {
          const m = mu[off + k]!
          const sg = sigma[off + k]!
          scratch[k] = scratch[k]! + Math.log(normMass((a - m) / sg, (b - m) / sg) + 1e-300)
        }
      } else {
        const x = point.numeric[j]!
        for (let k = 0; k < K; k++) {
          const z = (x - mu[off + k]!) * invSigma[off + k]!
          scratch[k] = scratch[k]! - 0.5 * z * z
        }
      }
    }
    for (let j = 0; j < space.categorical.length; j++) {
      const c = point.categorical[j]!
      const off = j * K
      const lm = this.logMatch[j]!
      const lx = this.logMiss[j]!
      const lu = this.logUniform[j]!
      for (let k = 0; k < K; k++) {
        const own = this.cat[off + k]!
        scratch[k] = scratch[k]! + (own < 0 ? lu : own === c ? lm : lx)
      }
    }
    let max = -Infinity
    for (let k = 0; k < K; k++) if (scratch[k]! > max) max = scratch[k]!
    if (max === -Infinity) return -Infinity
    let s = 0
    for (let k = 0; k < K; k++) s += Math.exp(scratch[k]! - max)
    return max + Math.log(s)
  }

  /** Fills `cells` for `point`'s discrete dims (their values after rounding). */
  static cells(space: CompiledSpace, values: Float64Array, cells: Float64Array): Float64Array {
    space.numeric.forEach((dim, j) => {
      if (!isDiscrete(dim)) return
      const [a, b] = cellOf(dim, values[j]!)
      cells[2 * j] = a
      cells[2 * j + 1] = b
    })
    return cells
  }
}
