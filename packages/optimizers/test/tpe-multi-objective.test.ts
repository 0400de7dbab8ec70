import { assertCandidate, categorical, float, int, space, type TrialView } from '@cairn/core'
import { describe, expect, test } from 'vitest'
import { hypervolume, randomSearch, tpe } from '../src/index.js'
import { weightsBelow } from '../src/tpe/multi-objective.js'
import { driveMo, zdt1 } from './mo-helpers.js'

const N = 6
const zdtSpace = space(Object.fromEntries(Array.from({ length: N }, (_, i) => [`x${i}`, float(0, 1)])))
const valuesOf = (h: readonly TrialView[]) => h.filter((t) => t.status === 'ok' && t.values).map((t) => t.values as number[])
const REF = [1.1, 11]
const TWO = ['minimize', 'minimize'] as const

describe('tpe with several objectives (MOTPE)', () => {
  test('declares several objectives and constraints', () => {
    expect(tpe().capabilities).toMatchObject({ multiObjective: true, constraints: true })
  })

  test('improves the hypervolume of ZDT1 (6 variables, 60 trials) over random search on 5 of 5 seeds', async () => {
    const f = (p: Record<string, unknown>) => ({ values: zdt1(p as never, N) })
    for (let seed = 1; seed <= 5; seed++) {
      const mo = await driveMo(tpe(), zdtSpace, f, 60, { seed, directions: [...TWO] })
      const rs = await driveMo(randomSearch(), zdtSpace, f, 60, { seed, directions: [...TWO] })
      expect(hypervolume(valuesOf(mo.history), REF)).toBeGreaterThan(hypervolume(valuesOf(rs.history), REF))
    }
  })

  test('proposes valid candidates of a mixed space, maximizing one objective, deterministically', async () => {
    const mixed = space({ a: float(1e-4, 1, { log: true }), b: int(1, 9), c: categorical(['x', 'y', 'z']), d: float(0, 1, { step: 0.1 }) })
    const f = (p: Record<string, unknown>) => ({
      values: [(p.b as number) + (p.d as number), -Math.log10(p.a as number) + (p.c === 'y' ? 1 : 0)],
    })
    const run = (seed: number) => driveMo(tpe({ multivariate: true }), mixed, f, 40, { seed, directions: ['maximize', 'minimize'] })
    const a = await run(4)
    for (const t of a.history) expect(() => assertCandidate(mixed, t.candidate)).not.toThrow()
    expect((await run(4)).history.map((t) => t.candidate)).toEqual(a.history.map((t) => t.candidate))
    expect((await run(5)).history.map((t) => t.candidate)).not.toEqual(a.history.map((t) => t.candidate))
  })

  test('good-trial weights are hypervolume contributions over the largest; infeasible ones EPS', () => {
    const losses = [new Float64Array([0, 2]), new Float64Array([1, 1]), new Float64Array([2, 0]), new Float64Array([0.5, 0.5])]
    // Reference max(1.1 · worst, 0.9 · worst) = (2.2, 2.2); exclusive volumes: (0, 2) and (2, 0) 0.5 · 0.2, (0.5, 0.5) 1.5 · 1.5.
    const w = weightsBelow(losses, Uint32Array.from([0, 2, 3]))
    const c0 = 0.5 * 0.2
    const c3 = (2 - 0.5) * (2 - 0.5)
    expect(w[0]).toBeCloseTo(c0 / c3, 9)
    expect(w[1]).toBeCloseTo(c0 / c3, 9)
    expect(w[2]).toBeCloseTo(1, 12)
    const constrained = weightsBelow(losses, Uint32Array.from([0, 1, 2]), Float64Array.from([0, 0.3, 0]))
    expect(constrained[1]).toBe(1e-12)
  })
})

describe('tpe with constraints', () => {
  // Minimize (x − 0.2)² + (y − 0.2)² subject to x + y ≥ 1.2: the optimum is (0.6, 0.6), value 0.32.
  const s = space({ x: float(0, 1), y: float(0, 1) })
  const f = (told: boolean) => (p: Record<string, unknown>) => ({
    score: ((p.x as number) - 0.2) ** 2 + ((p.y as number) - 0.2) ** 2,
    ...(told ? { constraints: [1.2 - (p.x as number) - (p.y as number)] } : {}),
  })
  const feasibleXy = (t: TrialView) => (t.candidate as { x: number }).x * (t.candidate as { y: number }).y >= 0.25
  const feasible = (t: TrialView) => (t.candidate as { x: number }).x + (t.candidate as { y: number }).y >= 1.2

  test('steers the search to the feasible region and finds a feasible point near the constrained optimum', async () => {
    let bestSum = 0
    for (let seed = 1; seed <= 5; seed++) {
      const withC = await driveMo(tpe(), s, f(true), 60, { seed })
      const without = await driveMo(tpe(), s, f(false), 60, { seed })
      const share = (h: readonly TrialView[]) => h.slice(30).filter(feasible).length / 30
      expect(share(withC.history)).toBeGreaterThan(share(without.history) + 0.3)
      bestSum += Math.min(...withC.history.filter(feasible).map((t) => t.score as number))
    }
    expect(bestSum / 5).toBeLessThan(0.4)
  })

  test('with several objectives, the good group is feasible first', async () => {
    // Minimize (x, y) subject to x · y ≥ 0.25: without the constraint the front is at x = 0 or y = 0.
    const g = (told: boolean) => (p: Record<string, unknown>) => ({
      values: [p.x as number, p.y as number],
      ...(told ? { constraints: [0.25 - (p.x as number) * (p.y as number)] } : {}),
    })
    let withC = 0
    let without = 0
    for (let seed = 1; seed <= 3; seed++) {
      withC += (await driveMo(tpe(), s, g(true), 60, { seed, directions: [...TWO] })).history.slice(30).filter(feasibleXy).length
      without += (await driveMo(tpe(), s, g(false), 60, { seed, directions: [...TWO] })).history.slice(30).filter(feasibleXy).length
    }
    expect(withC / 90).toBeGreaterThan(without / 90 + 0.25)
  })
})
