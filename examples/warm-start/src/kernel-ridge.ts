import type { Car } from './auto-mpg.js'

/** The hyperparameters of the kernel ridge regressor (the search space of the example). */
export interface KernelRidgeParams {
  /** Ridge penalty λ. */
  lambda: number
  /** RBF length scale of each standardized feature (large = feature ignored). */
  lsCylinders: number
  lsDisplacement: number
  lsHorsepower: number
  lsWeight: number
  lsAcceleration: number
  lsYear: number
  /** Length scale of the origin mismatch (0 when two cars share a region, 1 otherwise). */
  lsOrigin: number
}

const NUMERIC = ['cylinders', 'displacement', 'horsepower', 'weight', 'acceleration', 'year'] as const
const SCALE_OF = ['lsCylinders', 'lsDisplacement', 'lsHorsepower', 'lsWeight', 'lsAcceleration', 'lsYear'] as const
const D = NUMERIC.length

/**
 * Kernel ridge regression of MPG (the posterior mean of a Gaussian process): an RBF kernel
 * with one length scale per standardized feature (automatic relevance determination) plus an
 * origin term, fitted by a Cholesky solve of (K + λI)·α = y − ȳ.
 */
export class KernelRidge {
  private readonly mean: number[]
  private readonly std: number[]
  private readonly x: Float64Array
  private readonly yMean: number
  private readonly y: Float64Array
  private readonly origin: string[]

  constructor(private readonly train: readonly Car[]) {
    const n = train.length
    this.mean = NUMERIC.map((f) => train.reduce((s, c) => s + c[f], 0) / n)
    this.std = NUMERIC.map((f, j) => Math.sqrt(train.reduce((s, c) => s + (c[f] - (this.mean[j] as number)) ** 2, 0) / n) || 1)
    this.x = new Float64Array(n * D)
    train.forEach((c, i) => {
      this.standardize(c, this.x, i * D)
    })
    this.yMean = train.reduce((s, c) => s + c.mpg, 0) / n
    this.y = Float64Array.from(train, (c) => c.mpg - this.yMean)
    this.origin = train.map((c) => c.origin)
  }

  /**
   * Fits with `p` and scores its predictions for `rows`: the fraction of variance left
   * unexplained, 1 − R² (0 is perfect, 1 is no better than the mean). Unlike the RMSE it is
   * on the same scale for every fold, so trials of one fold are fair seeds for another.
   */
  unexplainedVariance(rows: readonly Car[], p: KernelRidgeParams): number {
    const mean = rows.reduce((s, r) => s + r.mpg, 0) / rows.length
    const variance = rows.reduce((s, r) => s + (r.mpg - mean) ** 2, 0) / rows.length
    return this.rmse(rows, p) ** 2 / variance
  }

  /** Fits with `p` and returns the root-mean-square error (MPG) of its predictions for `rows`. */
  rmse(rows: readonly Car[], p: KernelRidgeParams): number {
    const n = this.train.length
    const inv = SCALE_OF.map((name) => 1 / (2 * p[name] ** 2))
    const originInv = 1 / (2 * p.lsOrigin ** 2)
    // K + λI, lower triangle, then its Cholesky factor in place.
    const a = new Float64Array(n * n)
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) a[i * n + j] = this.kernel(this.x, i * D, this.origin[i] as string, j, inv, originInv)
      a[i * n + i] = (a[i * n + i] as number) + p.lambda
    }
    cholesky(a, n)
    const alpha = solve(a, n, this.y)
    const q = new Float64Array(D)
    let se = 0
    for (const row of rows) {
      this.standardize(row, q, 0)
      let pred = this.yMean
      for (let j = 0; j < n; j++) pred += (alpha[j] as number) * this.kernel(q, 0, row.origin, j, inv, originInv)
      se += (pred - row.mpg) ** 2
    }
    return Math.sqrt(se / rows.length)
  }

  private kernel(v: Float64Array, at: number, origin: string, j: number, inv: number[], originInv: number): number {
    let s = origin === this.origin[j] ? 0 : originInv
    const base = j * D
    for (let f = 0; f < D; f++) {
      const diff = (v[at + f] as number) - (this.x[base + f] as number)
      s += diff * diff * (inv[f] as number)
    }
    return Math.exp(-s)
  }

  private standardize(c: Car, out: Float64Array, at: number): void {
    NUMERIC.forEach((f, j) => {
      out[at + j] = (c[f] - (this.mean[j] as number)) / (this.std[j] as number)
    })
  }
}

/** In-place Cholesky factorization of a symmetric positive definite matrix (lower triangle, row-major). */
function cholesky(a: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) {
    const rj = j * n
    let d = a[rj + j] as number
    for (let k = 0; k < j; k++) d -= (a[rj + k] as number) ** 2
    const ljj = Math.sqrt(Math.max(d, 1e-12))
    a[rj + j] = ljj
    for (let i = j + 1; i < n; i++) {
      const ri = i * n
      let s = a[ri + j] as number
      for (let k = 0; k < j; k++) s -= (a[ri + k] as number) * (a[rj + k] as number)
      a[ri + j] = s / ljj
    }
  }
}

/** Solves L·Lᵀ·x = b with the factor from `cholesky`. */
function solve(l: Float64Array, n: number, b: Float64Array): Float64Array {
  const z = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let s = b[i] as number
    for (let k = 0; k < i; k++) s -= (l[i * n + k] as number) * (z[k] as number)
    z[i] = s / (l[i * n + i] as number)
  }
  const x = new Float64Array(n)
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i] as number
    for (let k = i + 1; k < n; k++) s -= (l[k * n + i] as number) * (x[k] as number)
    x[i] = s / (l[i * n + i] as number)
  }
  return x
}
