import { describe, expect, test } from 'vitest'
import { invSqrtTimes, scaledRotate, symmetricEigen } from '../../src/cmaes/linalg.js'

function randomSpd(n: number, seed: number): Float64Array {
  let x = seed
  const next = (): number => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1
  const a = Float64Array.from({ length: n * n }, next)
  const c = new Float64Array(n * n)
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = i === j ? 0.1 : 0
      for (let k = 0; k < n; k++) s += a[i * n + k]! * a[j * n + k]!
      c[i * n + j] = s
    }
  return c
}

describe('cmaes linear algebra', () => {
  test('symmetricEigen: C = B diag(λ) Bᵀ, B orthonormal, eigenvalues ascending', () => {
    for (const n of [1, 2, 5, 12]) {
      const c = randomSpd(n, n * 7 + 1)
      const { values, vectors: b } = symmetricEigen(c, n)
      for (let i = 1; i < n; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!)
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let rebuilt = 0
          let ortho = 0
          for (let k = 0; k < n; k++) {
            rebuilt += b[i * n + k]! * values[k]! * b[j * n + k]!
            ortho += b[k * n + i]! * b[k * n + j]!
          }
          expect(rebuilt).toBeCloseTo(c[i * n + j]!, 10)
          expect(ortho).toBeCloseTo(i === j ? 1 : 0, 12)
        }
    }
  })

  test('invSqrtTimes undoes scaledRotate: C^{-1/2} · B D z = B z', () => {
    const n = 4
    const { values, vectors: b } = symmetricEigen(randomSpd(n, 3), n)
    const d = values.map(Math.sqrt)
    const z = [0.3, -1.2, 0.7, 2]
    const back = invSqrtTimes(b, d, scaledRotate(b, d, z, n), n)
    const bz = scaledRotate(b, new Float64Array(n).fill(1), z, n)
    for (let i = 0; i < n; i++) expect(back[i]!).toBeCloseTo(bz[i]!, 10)
  })
})
