/**
 * The strategy parameters of CMA-ES for a dimension `n` and population size `lambda`
 * (Hansen, "The CMA Evolution Strategy: A Tutorial", 2016, eqs. 48–56, with the negative
 * "active" weights, exactly as the `cmaes` library that Optuna's CmaEsSampler uses).
 * They are derived, never stored: the state keeps only `n` and `lambda`.
 */
export interface Strategy {
  n: number
  lambda: number
  mu: number
  /** Recombination weights, `lambda` of them: positive for the best `mu`, negative after. */
  weights: Float64Array
  muEff: number
  c1: number
  cmu: number
  cSigma: number
  dSigma: number
  cc: number
  cm: number
  /** E‖N(0, I)‖. */
  chiN: number
  /** Generations of best/worst scores kept for the flat-fitness termination test. */
  funhistTerm: number
}

const cache = new Map<string, Strategy>()

/** The default population size `4 + ⌊3 ln n⌋`. */
export function defaultPopsize(n: number): number {
  return 4 + Math.floor(3 * Math.log(Math.max(1, n)))
}

/** Strategy parameters for `n` dimensions and `lambda` candidates per generation (cached). */
export function strategy(n: number, lambda: number): Strategy {
  const key = `${n}:${lambda}`
  const hit = cache.get(key)
  if (hit) return hit
  const mu = Math.floor(lambda / 2)
  const prime = Array.from({ length: lambda }, (_, i) => Math.log((lambda + 1) / 2) - Math.log(i + 1))
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)
  const head = prime.slice(0, mu)
  const tail = prime.slice(mu)
  const muEff = sum(head) ** 2 / sum(head.map((w) => w * w))
  const tailSq = sum(tail.map((w) => w * w))
  const muEffMinus = tailSq > 0 ? sum(tail) ** 2 / tailSq : 0
  const alphaCov = 2
  const c1 = alphaCov / ((n + 1.3) ** 2 + muEff)
  const cmu = Math.min(1 - c1 - 1e-8, (alphaCov * (muEff - 2 + 1 / muEff)) / ((n + 2) ** 2 + (alphaCov * muEff) / 2))
  const minAlpha = Math.min(1 + c1 / cmu, 1 + (2 * muEffMinus) / (muEff + 2), (1 - c1 - cmu) / (n * cmu))
  const positiveSum = sum(prime.filter((w) => w > 0))
  const negativeSum = sum(prime.filter((w) => w < 0).map((w) => -w))
  const weights = Float64Array.from(prime, (w) => (w >= 0 ? w / positiveSum : negativeSum > 0 ? (minAlpha * w) / negativeSum : 0))
  const cSigma = (muEff + 2) / (n + muEff + 5)
  const dSigma = 1 + 2 * Math.max(0, Math.sqrt((muEff - 1) / (n + 1)) - 1) + cSigma
  const cc = (4 + muEff / n) / (n + 4 + (2 * muEff) / n)
  const chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n))
  const funhistTerm = 10 + Math.ceil((30 * n) / lambda)
  const s: Strategy = { n, lambda, mu, weights, muEff, c1, cmu, cSigma, dSigma, cc, cm: 1, chiN, funhistTerm }
  if (cache.size > 256) cache.clear()
  cache.set(key, s)
  return s
}
