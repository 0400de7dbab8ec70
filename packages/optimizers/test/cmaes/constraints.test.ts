import { float, space, type TrialView } from '@cairn/core'
import { expect, test } from 'vitest'
import { cmaEs } from '../../src/index.js'
import { driveMo } from '../mo-helpers.js'

// Minimize (x − 1)² + (y − 1)² subject to x + y ≤ 0: the constrained optimum is (0, 0), value 2;
// the unconstrained one, (1, 1), is infeasible.
const s = space({ x: float(-3, 3), y: float(-3, 3) })
const f = (told: boolean) => (p: Record<string, unknown>) => ({
  score: ((p.x as number) - 1) ** 2 + ((p.y as number) - 1) ** 2,
  ...(told ? { constraints: [(p.x as number) + (p.y as number)] } : {}),
})
const feasible = (t: TrialView) => (t.candidate as { x: number }).x + (t.candidate as { y: number }).y <= 0
const bestFeasible = (h: readonly TrialView[]) => Math.min(...h.filter(feasible).map((t) => t.score as number))

test('cmaEs declares constraints and converges to the constrained optimum (penalty by ranking)', async () => {
  expect(cmaEs().capabilities.constraints).toBe(true)
  for (let seed = 1; seed <= 3; seed++) {
    const withC = await driveMo(cmaEs(), s, f(true), 150, { seed })
    const without = await driveMo(cmaEs(), s, f(false), 150, { seed })
    expect(bestFeasible(withC.history)).toBeLessThan(2.05)
    const late = (h: readonly TrialView[]) => h.slice(100).filter(feasible).length / 50
    expect(late(withC.history)).toBeGreaterThan(0.3)
    expect(late(without.history)).toBeLessThan(0.05)
  }
})

test('an all-infeasible start moves toward feasibility, and the state round-trips', async () => {
  // Feasible only in the corner x, y ≤ −2.5 (under 2% of the box).
  const g = (p: Record<string, unknown>) => ({
    score: (p.x as number) ** 2 + (p.y as number) ** 2,
    constraints: [(p.x as number) + 2.5, (p.y as number) + 2.5],
  })
  const o = cmaEs()
  const { history, state } = await driveMo(o, s, g, 120, { seed: 4 })
  expect(history.slice(60).filter((t) => (t.constraints as number[]).every((c) => c <= 0)).length).toBeGreaterThan(10)
  expect(o.decodeState(o.encodeState(state as never), o.stateVersion)).toEqual(state)
})
