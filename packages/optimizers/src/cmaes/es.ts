import type { Rng } from '@cairn/core'
import { invSqrtTimes, norm, scaledRotate, symmetricEigen } from './linalg.js'
import type { CmaEsState } from './state.js'
import { strategy } from './strategy.js'

/** The numeric part of the state a run of CMA-ES evolves. */
export type Distribution = Pick<
  CmaEsState,
  | 'n'
  | 'lambda'
  | 'runGen'
  | 'sigma0'
  | 'sigma'
  | 'mean'
  | 'C'
  | 'B'
  | 'D'
  | 'ps'
  | 'pc'
  | 'funhist'
  | 'drawn'
  | 'mirrorZ'
  | 'bestScore'
  | 'bestX'
>

const EPS = 1e-8
const SIGMA_MAX = 1e32

/** A new run: `N(mean, sigma0² I)`, evolution paths at zero. */
export function freshDistribution(n: number, lambda: number, sigma0: number, mean: Float64Array): Distribution {
  const C = new Float64Array(n * n)
  for (let i = 0; i < n; i++) C[i * n + i] = 1
  return {
    n,
    lambda,
    runGen: 0,
    sigma0,
    sigma: sigma0,
    mean: Float64Array.from(mean),
    C,
    B: Float64Array.from(C),
    D: new Float64Array(n).fill(1),
    ps: new Float64Array(n),
    pc: new Float64Array(n),
    funhist: new Float64Array(2 * strategy(n, lambda).funhistTerm),
    drawn: 0,
    mirrorZ: new Float64Array(n),
    bestScore: Infinity,
    bestX: new Float64Array(n),
  }
}

/**
 * Draws `x ~ N(m, σ² C)` inside the unit cube: resamples up to `maxResample` times while
 * the draw falls outside, then clips the last draw to the cube (as the `cmaes` library does).
 * With `mirror`, the first attempt uses `-mirror` instead of a fresh normal vector (mirrored
 * sampling). Uses `n` normal draws from `rng` per fresh attempt. Returns the point and the
 * normal vector it came from.
 */
export function sampleInCube(d: Distribution, rng: Rng, maxResample: number, mirror?: Float64Array): { x: Float64Array; z: Float64Array } {
  const { n } = d
  for (let attempt = 0; ; attempt++) {
    const z = new Float64Array(n)
    if (attempt === 0 && mirror) for (let i = 0; i < n; i++) z[i] = -(mirror[i] as number)
    else for (let i = 0; i < n; i++) z[i] = rng.normal()
    const y = scaledRotate(d.B, d.D, z, n)
    const x = new Float64Array(n)
    let inside = true
    for (let i = 0; i < n; i++) {
      const v = (d.mean[i] as number) + d.sigma * (y[i] as number)
      x[i] = v
      if (!(v >= 0 && v <= 1)) inside = false
    }
    if (inside) return { x, z }
    if (attempt + 1 >= maxResample) {
      for (let i = 0; i < n; i++) x[i] = Math.min(1, Math.max(0, Number.isFinite(x[i]) ? (x[i] as number) : 0.5))
      return { x, z }
    }
  }
}

/** One ranked member of a finished generation. */
export interface Ranked {
  x: Float64Array
  /** Score to minimize, finite (failed members carry the generation's worst). */
  score: number
  /** Drawn from an earlier generation's distribution: its step is shortened to a plausible length. */
  injected: boolean
}

/**
 * The CMA-ES update for one complete generation (`ranked` sorted best first, `lambda` of
 * them): mean, step-size path and step size (CSA), rank-one and rank-μ covariance update
 * with active (negative) weights, then the eigen decomposition of the new covariance.
 * Returns a new distribution (its draw counter reset, its best-of-run updated from
 * `ranked[0]`); `d` is not modified.
 */
export function updateDistribution(d: Distribution, ranked: readonly Ranked[]): Distribution {
  const { n, lambda } = d
  const st = strategy(n, lambda)
  const runGen = d.runGen + 1
  const funhist = Float64Array.from(d.funhist)
  const fi = 2 * (runGen % st.funhistTerm)
  funhist[fi] = ranked[0]?.score ?? 0
  funhist[fi + 1] = ranked[ranked.length - 1]?.score ?? 0

  const { B, D, sigma } = d
  const maxLen = Math.sqrt(n) + (2 * n) / (n + 2)
  const ys = ranked.map((r) => {
    const y = new Float64Array(n)
    for (let i = 0; i < n; i++) y[i] = ((r.x[i] as number) - (d.mean[i] as number)) / sigma
    if (r.injected) {
      // Hansen (2011), "Injecting external solutions into CMA-ES": clip the Mahalanobis length.
      const len = norm(invSqrtTimes(B, D, y, n))
      if (len > maxLen) for (let i = 0; i < n; i++) y[i] = ((y[i] as number) * maxLen) / len
    }
    return y
  })

  const yw = new Float64Array(n)
  for (let k = 0; k < st.mu; k++) {
    const w = st.weights[k] as number
    const y = ys[k] as Float64Array
    for (let i = 0; i < n; i++) yw[i] = (yw[i] as number) + w * (y[i] as number)
  }
  const mean = new Float64Array(n)
  for (let i = 0; i < n; i++) mean[i] = (d.mean[i] as number) + st.cm * sigma * (yw[i] as number)

  const cInvYw = invSqrtTimes(B, D, yw, n)
  const psCoef = Math.sqrt(st.cSigma * (2 - st.cSigma) * st.muEff)
  const ps = new Float64Array(n)
  for (let i = 0; i < n; i++) ps[i] = (1 - st.cSigma) * (d.ps[i] as number) + psCoef * (cInvYw[i] as number)
  const psNorm = norm(ps)
  const newSigma = Math.min(sigma * Math.exp((st.cSigma / st.dSigma) * (psNorm / st.chiN - 1)), SIGMA_MAX)

  const hLeft = psNorm / Math.sqrt(1 - (1 - st.cSigma) ** (2 * (runGen + 1)))
  const hRight = (1.4 + 2 / (n + 1)) * st.chiN
  const hSigma = hLeft < hRight ? 1 : 0
  const pcCoef = hSigma * Math.sqrt(st.cc * (2 - st.cc) * st.muEff)
  const pc = new Float64Array(n)
  for (let i = 0; i < n; i++) pc[i] = (1 - st.cc) * (d.pc[i] as number) + pcCoef * (yw[i] as number)

  let weightSum = 0
  for (let k = 0; k < lambda; k++) weightSum += st.weights[k] as number
  const deltaH = (1 - hSigma) * st.cc * (2 - st.cc)
  const decay = 1 + st.c1 * deltaH - st.c1 - st.cmu * weightSum
  const C = new Float64Array(n * n)
  for (let i = 0; i < n * n; i++) C[i] = decay * (d.C[i] as number)
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) C[i * n + j] = (C[i * n + j] as number) + st.c1 * (pc[i] as number) * (pc[j] as number)
  for (let k = 0; k < ranked.length && k < lambda; k++) {
    let w = st.weights[k] as number
    const y = ys[k] as Float64Array
    if (w < 0) {
      const l = norm(invSqrtTimes(B, D, y, n))
      w *= n / (l * l + EPS)
    }
    const f = st.cmu * w
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) C[i * n + j] = (C[i * n + j] as number) + f * (y[i] as number) * (y[j] as number)
  }
  const eig = decompose(C, n)
  const top = ranked[0]
  const improved = top !== undefined && top.score < d.bestScore
  return {
    n,
    lambda,
    runGen,
    sigma0: d.sigma0,
    sigma: newSigma,
    mean,
    C: eig.C,
    B: eig.B,
    D: eig.D,
    ps,
    pc,
    funhist,
    drawn: 0,
    mirrorZ: new Float64Array(n),
    bestScore: improved ? top.score : d.bestScore,
    bestX: improved ? Float64Array.from(top.x) : d.bestX,
  }
}

/** Symmetrizes C, decomposes it, floors negative eigenvalues, and rebuilds C from B and D. */
function decompose(c: Float64Array, n: number): { C: Float64Array; B: Float64Array; D: Float64Array } {
  const sym = new Float64Array(n * n)
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sym[i * n + j] = ((c[i * n + j] as number) + (c[j * n + i] as number)) / 2
  const { values, vectors } = symmetricEigen(sym, n)
  const D = Float64Array.from(values, (v) => Math.sqrt(v < 0 || !Number.isFinite(v) ? EPS : v))
  const C = new Float64Array(n * n)
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0
      for (let k = 0; k < n; k++) s += (vectors[i * n + k] as number) * (D[k] as number) ** 2 * (vectors[j * n + k] as number)
      C[i * n + j] = s
    }
  return { C, B: vectors, D }
}

/**
 * The termination criteria of the `cmaes` library (tolfun over the recent generations, tolx,
 * divergence, no-effect coordinate and axis, condition number above 1e14). True means the
 * run has converged or stalled, and an IPOP restart is due.
 */
export function shouldStop(d: Distribution): boolean {
  const { n, B, D, sigma, mean, C, pc } = d
  if (n === 0) return false
  const st = strategy(n, d.lambda)
  if (d.runGen > st.funhistTerm) {
    let lo = Infinity
    let hi = -Infinity
    for (const v of d.funhist) {
      if (v < lo) lo = v
      if (v > hi) hi = v
    }
    if (hi - lo < 1e-12) return true
  }
  const tolx = 1e-12 * d.sigma0
  let allSmall = true
  for (let i = 0; i < n; i++) if (!(sigma * (C[i * n + i] as number) < tolx && sigma * (pc[i] as number) < tolx)) allSmall = false
  if (allSmall) return true
  let dMax = 0
  let dMin = Infinity
  for (const v of D) {
    if (v > dMax) dMax = v
    if (v < dMin) dMin = v
  }
  if (sigma * dMax > 1e4) return true
  for (let i = 0; i < n; i++) {
    const m = mean[i] as number
    if (m === m + 0.2 * sigma * Math.sqrt(C[i * n + i] as number)) return true
  }
  const axis = d.runGen % n
  let noEffect = true
  for (let i = 0; i < n; i++) {
    const m = mean[i] as number
    if (m !== m + 0.1 * sigma * (D[axis] as number) * (B[i * n + axis] as number)) noEffect = false
  }
  if (noEffect) return true
  if (dMax / dMin > 1e14) return true
  return !Number.isFinite(sigma)
}
