/**
 * Normal-distribution helpers for the Parzen estimators: complementary error function,
 * CDF, quantile and truncated sampling. Pure functions, no randomness of their own: the
 * uniform draw comes from the caller (the session's Rng), so results are reproducible.
 */

const SQRT1_2 = Math.SQRT1_2

/** erfc(x), relative error below 1.2e-7 everywhere (Numerical Recipes' Chebyshev fit), accurate far into the tails. */
export function erfc(x: number): number {
  const z = Math.abs(x)
  const t = 1 / (1 + 0.5 * z)
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    )
  return x >= 0 ? r : 2 - r
}

/** Φ(z), the standard normal CDF. */
export function normCdf(z: number): number {
  return 0.5 * erfc(-z * SQRT1_2)
}

/** Φ(b) − Φ(a) for a ≤ b, computed on the side that avoids cancellation in the tails. */
export function normMass(a: number, b: number): number {
  if (a > 0) return 0.5 * (erfc(a * SQRT1_2) - erfc(b * SQRT1_2))
  return 0.5 * (erfc(-b * SQRT1_2) - erfc(-a * SQRT1_2))
}

const A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239,
] as const
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1] as const
const C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783,
] as const
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416] as const

/** Φ⁻¹(p) for p in (0, 1) (Acklam's rational approximation, relative error below 1.2e-9). */
export function normQuantile(p: number): number {
  if (p <= 0) return -Infinity
  if (p >= 1) return Infinity
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p))
    return (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1)
  }
  if (p > 1 - 0.02425) {
    const q = Math.sqrt(-2 * Math.log1p(-p))
    return -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1)
  }
  const q = p - 0.5
  const r = q * q
  return (
    ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
    (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1)
  )
}

/**
 * A draw from N(mu, sigma²) truncated to [lo, hi], by inverting the CDF at the uniform `u`
 * in [0, 1). Works on the lower tail (mirroring when needed) so it stays accurate far out.
 */
export function truncNormal(mu: number, sigma: number, lo: number, hi: number, u: number): number {
  let a = (lo - mu) / sigma
  let b = (hi - mu) / sigma
  const flip = a > 0
  if (flip) {
    const t = a
    a = -b
    b = -t
  }
  const pa = normCdf(a)
  const pb = normCdf(b)
  let z = normQuantile(pa + u * (pb - pa))
  if (!(z >= a)) z = a
  if (z > b) z = b
  if (flip) z = -z
  const x = mu + sigma * z
  return x < lo ? lo : x > hi ? hi : x
}
