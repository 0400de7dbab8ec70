import { float, categorical, int, space, assertCandidate, InvalidInputError, type TrialView } from '@cairn/core'
import { describe, expect, test } from 'vitest'
import { hypervolume, nsga2, randomSearch } from '../src/index.js'
import { individualOf, selectElite } from '../src/nsga2/population.js'
import { median } from './helpers.js'
import { driveMo, zdt1 } from './mo-helpers.js'

const N = 10
const zdtSpace = space(Object.fromEntries(Array.from({ length: N }, (_, i) => [`x${i}`, float(0, 1)])))
const front = (h: readonly TrialView[]) => h.filter((t) => t.status === 'ok' && t.values).map((t) => t.values as number[])
const REF = [1.1, 11]

describe('nsga2', () => {
  test('options: Optuna 3.1 defaults, refuses bad values naming the option', () => {
    const o = nsga2()
    expect(o.id).toBe('@cairn/optimizers/nsga2')
    expect(o.options).toEqual({ populationSize: 50, crossoverProb: 0.9, swappingProb: 0.5, tournament: 'crowded' })
    expect(() => nsga2({ tournament: 'best' as never })).toThrow(/option tournament must be 'crowded' or 'dominance'/)
    expect(o.capabilities).toMatchObject({ sampler: true, multiObjective: true, constraints: true, flatSpace: true })
    expect(nsga2({ mutationProb: 0.2 }).options).toMatchObject({ mutationProb: 0.2 })
    expect(() => nsga2({ populationSize: 1 })).toThrow(InvalidInputError)
    expect(() => nsga2({ crossoverProb: 2 })).toThrow(/option crossoverProb must be a number ≥ 0 and ≤ 1/)
  })

  test('improves the hypervolume of ZDT1 (10 variables, 300 trials) over random search on 5 of 5 seeds, with either tournament', async () => {
    const f = (p: Record<string, unknown>) => ({ values: zdt1(p as never, N) })
    for (let seed = 1; seed <= 5; seed++) {
      const ga = await driveMo(nsga2({ tournament: seed % 2 ? 'crowded' : 'dominance' }), zdtSpace, f, 300, {
        seed,
        directions: ['minimize', 'minimize'],
      })
      const rs = await driveMo(randomSearch(), zdtSpace, f, 300, { seed, directions: ['minimize', 'minimize'] })
      expect(hypervolume(front(ga.history), REF)).toBeGreaterThan(hypervolume(front(rs.history), REF))
    }
  })

  test('candidates are valid for a mixed space; one objective works too', async () => {
    const mixed = space({ a: float(1e-4, 1, { log: true }), b: int(1, 9), c: categorical(['x', 'y', 'z']), d: float(0, 1, { step: 0.1 }) })
    const { history } = await driveMo(
      nsga2({ populationSize: 8 }),
      mixed,
      (p) => ({ score: Math.log10(p.a as number) ** 2 + ((p.b as number) - 4) ** 2 + (p.c === 'y' ? 0 : 1) + (p.d as number) }),
      80,
      { seed: 3 },
    )
    for (const t of history) expect(() => assertCandidate(mixed, t.candidate)).not.toThrow()
    const best = (h: readonly TrialView[]) => Math.min(...h.map((t) => t.score as number))
    expect(best(history.slice(40))).toBeLessThan(median(history.slice(0, 8).map((t) => t.score as number)))
  })

  test('same seed, same candidates; a state encoded and decoded mid-run continues identically', async () => {
    const f = (p: Record<string, unknown>) => ({ values: zdt1(p as never, N) })
    const o = nsga2({ populationSize: 10 })
    const a = await driveMo(o, zdtSpace, f, 60, { seed: 9, directions: ['minimize', 'minimize'] })
    const b = await driveMo(nsga2({ populationSize: 10 }), zdtSpace, f, 60, { seed: 9, directions: ['minimize', 'minimize'] })
    expect(b.history.map((t) => t.candidate)).toEqual(a.history.map((t) => t.candidate))
    const c = await driveMo(nsga2({ populationSize: 10 }), zdtSpace, f, 60, { seed: 10, directions: ['minimize', 'minimize'] })
    expect(c.history.map((t) => t.candidate)).not.toEqual(a.history.map((t) => t.candidate))
    const bytes = o.encodeState(a.state as never)
    expect(o.decodeState(bytes, 1)).toEqual(a.state)
    // The state is bounded: one population of trial indices.
    expect((a.state as { parents: number[] }).parents.length).toBeLessThanOrEqual(10)
  })

  test('constraints: the elite prefers feasible trials, then the least violation', () => {
    const t = (i: number, values: number[], constraints?: number[]): TrialView => ({
      trialIdx: i,
      candidate: {},
      status: 'ok',
      values,
      ...(constraints ? { constraints } : {}),
    })
    const dirs = ['minimize', 'minimize'] as const
    const pop = [t(0, [0, 0], [1]), t(1, [5, 5], [-1]), t(2, [1, 1], [0.5]), t(3, [6, 4]), t(4, [9, 9], [0])].map(
      (x) => individualOf(x, dirs)!,
    )
    expect(selectElite(pop, 3).map((e) => e.trial.trialIdx)).toEqual([1, 3, 4])
    expect(selectElite(pop, 4).map((e) => e.trial.trialIdx)).toEqual([1, 3, 4, 2])
  })

  test('constraints steer the search to the feasible region', async () => {
    // Minimize (x0, 1 − x0 + x1) subject to x1 ≥ 0.6: the unconstrained front has x1 = 0.
    const s = space({ x0: float(0, 1), x1: float(0, 1) })
    const run = (told: boolean) =>
      driveMo(
        nsga2({ populationSize: 10 }),
        s,
        (p) => ({
          values: [p.x0 as number, 1 - (p.x0 as number) + (p.x1 as number)],
          ...(told ? { constraints: [0.6 - (p.x1 as number)] } : {}),
        }),
        100,
        { seed: 2, directions: ['minimize', 'minimize'] },
      )
    const feasibleShare = (h: readonly TrialView[]) => h.slice(50).filter((t) => (t.candidate as { x1: number }).x1 >= 0.6).length / 50
    const constrained = await run(true)
    const free = await run(false)
    expect(feasibleShare(constrained.history)).toBeGreaterThan(0.6)
    expect(feasibleShare(free.history)).toBeLessThan(0.3)
    expect(feasibleShare(constrained.history)).toBeGreaterThan(2 * feasibleShare(free.history))
    const parents = (constrained.state as { parents: number[] }).parents
    for (const i of parents) expect((constrained.history[i]!.candidate as { x1: number }).x1).toBeGreaterThanOrEqual(0.6)
  })
})
