/**
 * Small dense linear algebra for CMA-ES (row-major `Float64Array` matrices). Pure functions
 * with a fixed order of floating-point operations, so a resumed session recomputes exactly
 * the same numbers.
 */

/** The eigen decomposition `C = B · diag(values) · Bᵀ` of a symmetric matrix. */
export interface Eigen {
  /** Eigenvalues, ascending. */
  values: Float64Array
  /** Eigenvectors as columns, row-major `n × n` (`B[i * n + k]` is component `i` of vector `k`). */
  vectors: Float64Array
}

/**
 * Eigenvalues and eigenvectors of the symmetric `n × n` matrix `a` by cyclic Jacobi rotations
 * (accurate to machine precision for the small, well-conditioned matrices of CMA-ES).
 * `a` is read, not modified. Eigenvalues are sorted ascending, like LAPACK's `eigh`.
 */
export function symmetricEigen(a: Float64Array, n: number): Eigen {
  const m = Float64Array.from(a)
  const v = new Float64Array(n * n)
  for (let i = 0; i < n; i++) v[i * n + i] = 1
  const at = (i: number, j: number): number => m[i * n + j] as number
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0
    let diag = 0
    for (let i = 0; i < n; i++) {
      diag += at(i, i) * at(i, i)
      for (let j = i + 1; j < n; j++) off += at(i, j) * at(i, j)
    }
    if (off === 0 || off <= 1e-32 * diag) break
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = at(p, q)
        if (apq === 0) continue
        const app = at(p, p)
        const aqq = at(q, q)
        const theta = (aqq - app) / (2 * apq)
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1))
        const c = 1 / Math.sqrt(t * t + 1)
        const s = t * c
        for (let k = 0; k < n; k++) {
          const akp = at(k, p)
          const akq = at(k, q)
          m[k * n + p] = c * akp - s * akq
          m[k * n + q] = s * akp + c * akq
        }
        for (let k = 0; k < n; k++) {
          const apk = at(p, k)
          const aqk = at(q, k)
          m[p * n + k] = c * apk - s * aqk
          m[q * n + k] = s * apk + c * aqk
        }
        m[p * n + q] = 0
        m[q * n + p] = 0
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p] as number
          const vkq = v[k * n + q] as number
          v[k * n + p] = c * vkp - s * vkq
          v[k * n + q] = s * vkp + c * vkq
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => at(i, i) - at(j, j) || i - j)
  const values = new Float64Array(n)
  const vectors = new Float64Array(n * n)
  order.forEach((src, dst) => {
    values[dst] = at(src, src)
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src] as number
  })
  return { values, vectors }
}

/** `B · diag(d) · z` for an `n × n` row-major `B`. */
export function scaledRotate(b: Float64Array, d: Float64Array, z: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let s = 0
    for (let k = 0; k < n; k++) s += (b[i * n + k] as number) * (d[k] as number) * (z[k] as number)
    out[i] = s
  }
  return out
}

/** `C^{-1/2} · y = B · diag(1/d) · Bᵀ · y`. */
export function invSqrtTimes(b: Float64Array, d: Float64Array, y: ArrayLike<number>, n: number): Float64Array {
  const t = new Float64Array(n)
  for (let k = 0; k < n; k++) {
    let s = 0
    for (let i = 0; i < n; i++) s += (b[i * n + k] as number) * (y[i] as number)
    t[k] = s / (d[k] as number)
  }
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let s = 0
    for (let k = 0; k < n; k++) s += (b[i * n + k] as number) * (t[k] as number)
    out[i] = s
  }
  return out
}

/** The Euclidean norm. */
export function norm(x: ArrayLike<number>): number {
  let s = 0
  for (let i = 0; i < x.length; i++) s += (x[i] as number) * (x[i] as number)
  return Math.sqrt(s)
}
