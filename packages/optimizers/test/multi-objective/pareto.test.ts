import { Rng } from '@cairn/core'
import { describe, expect, test } from 'vitest'
import { hypervolume } from '../../src/index.js'
import { crowdingDistances, dominates, nonDominatedFronts, nonDominationRanks } from '../../src/multi-objective/pareto.js'

function randomPoints(rng: Rng, n: number, m: number, grid = 0): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: m }, () => (grid ? rng.int(0, grid) : rng.next())))
}

/** Fronts by peeling: the points no remaining point dominates, again and again. */
function bruteFronts(points: number[][]): number[][] {
  const left = new Set(points.map((_, i) => i))
  const fronts: number[][] = []
  while (left.size > 0) {
    const front = [...left].filter((i) => ![...left].some((j) => dominates(points[j]!, points[i]!)))
    for (const i of front) left.delete(i)
    fronts.push(front.sort((a, b) => a - b))
  }
  return fronts
}

/** Exact hypervolume by cutting space into the grid of all coordinates: a cell counts when a point dominates it. */
function bruteHypervolume(points: number[][], ref: number[]): number {
  const m = ref.length
  const axes = Array.from({ length: m }, (_, k) =>
    [...new Set([...points.map((p) => p[k]!), ref[k]!])].filter((v) => v <= ref[k]!).sort((a, b) => a - b),
  )
  let volume = 0
  const walk = (k: number, lo: number[], hi: number[]): void => {
    if (k === m) {
      if (points.some((p) => p.every((v, j) => v <= lo[j]!))) volume += hi.reduce((a, h, j) => a * (h - lo[j]!), 1)
      return
    }
    const ax = axes[k]!
    for (let i = 0; i + 1 < ax.length; i++) walk(k + 1, [...lo, ax[i]!], [...hi, ax[i + 1]!])
  }
  walk(0, [], [])
  return volume
}

describe('non-dominated sort and crowding distance', () => {
  test('fronts equal the brute-force peeling, with ties and duplicates (2 and 3 objectives)', () => {
    const rng = Rng.fromSeed(7)
    for (const m of [2, 3]) {
      for (let rep = 0; rep < 20; rep++) {
        const pts = randomPoints(rng, 40, m, 6)
        expect(nonDominatedFronts(pts.length, (i, j) => dominates(pts[i]!, pts[j]!))).toEqual(bruteFronts(pts))
        const ranks = nonDominationRanks(pts)
        bruteFronts(pts).forEach((front, r) => {
          for (const i of front) expect(ranks[i]).toBe(r)
        })
      }
    }
  })

  test('crowding distance equals the neighbour gaps over the range, extremes infinite', () => {
    const rng = Rng.fromSeed(3)
    const pts = randomPoints(rng, 12, 3)
    const got = crowdingDistances(pts)
    for (let i = 0; i < pts.length; i++) {
      let want = 0
      for (let k = 0; k < 3; k++) {
        const vs = pts.map((p) => p[k]!)
        const v = vs[i]!
        const below = vs.filter((x) => x < v)
        const above = vs.filter((x) => x > v)
        const prev = below.length ? Math.max(...below) : -Infinity
        const next = above.length ? Math.min(...above) : Infinity
        want += (next - prev) / (Math.max(...vs) - Math.min(...vs))
      }
      if (Number.isFinite(want)) expect(got[i]).toBeCloseTo(want, 12)
      else expect(got[i]).toBe(Infinity)
    }
  })

  test('an objective on which every point is equal adds nothing', () => {
    expect([
      ...crowdingDistances([
        [1, 5],
        [2, 5],
        [3, 5],
      ]),
    ]).toEqual([Infinity, 1, Infinity])
  })
})

describe('hypervolume', () => {
  test('small cases by hand', () => {
    expect(
      hypervolume(
        [
          [1, 2],
          [2, 1],
        ],
        [3, 3],
      ),
    ).toBe(3)
    expect(hypervolume([[1, 1, 1]], [2, 3, 4])).toBe(6)
    expect(hypervolume([], [1, 1])).toBe(0)
    expect(hypervolume([[2, 0]], [2, 1])).toBe(0)
    expect(hypervolume([[0.5]], [2])).toBe(1.5)
  })

  test('equals the exact grid decomposition in 2, 3 and 4 objectives', () => {
    const rng = Rng.fromSeed(11)
    for (const [m, n] of [
      [2, 60],
      [3, 25],
      [4, 12],
    ] as const) {
      for (let rep = 0; rep < 5; rep++) {
        const pts = randomPoints(rng, n, m)
        const ref = Array.from({ length: m }, () => 0.9)
        expect(hypervolume(pts, ref)).toBeCloseTo(
          bruteHypervolume(
            pts.filter((p) => p.every((v, k) => v < ref[k]!)),
            ref,
          ),
          10,
        )
      }
    }
  })

  test('refuses a point whose arity differs from the reference', () => {
    expect(() => hypervolume([[1, 2, 3]], [4, 4])).toThrow(
      /\[@cairn\/optimizers\] hypervolume: a point has 3 objectives, the reference point 2/,
    )
  })
})
