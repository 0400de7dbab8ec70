import { createMemoryStore, float, int, resumeSession, space, startSession, type Direction } from '@cairn/core'
import { killableStore } from '@cairn/testkit'
import { describe, expect, test } from 'vitest'
import { hypervolume, nsga2, randomSearch, tpe } from '../../src/index.js'

// Two objectives of (x, y, n): minimize the distance to (1, 1), maximize x + n / 10.
const s = space({ x: float(0, 2), y: float(0, 2), n: int(0, 5) })
type C = { x: number; y: number; n: number }
const objective = (c: C) => [(c.x - 1) ** 2 + (c.y - 1) ** 2, c.x + c.n / 10]
const directions: Direction[] = ['minimize', 'maximize']

describe('several objectives and constraints through startSession', () => {
  for (const [name, make] of [
    ['nsga2', () => nsga2({ populationSize: 8 })],
    ['tpe', () => tpe({ nStartupTrials: 5 })],
  ] as const) {
    test(`${name}: a session killed and resumed gives the trials of an uninterrupted one; its Pareto front beats random search's`, async () => {
      const straight = createMemoryStore()
      const a = await startSession({
        store: straight,
        name: 'a',
        optimizer: make(),
        space: s,
        directions,
        objective,
        maxTrials: 80,
        seed: 3,
      })
      const result = await a.wait()
      expect(result.status).toBe('completed')
      const trials = await straight.readTrials(a.id)
      expect(trials.every((t) => t.values?.length === 2)).toBe(true)

      // The store dies after 37 commits, as a killed process leaves it; another "process" resumes.
      const broken = createMemoryStore()
      const k = killableStore(broken, { killAfterTrials: 37 })
      const opts = { optimizer: make(), space: s, objective, maxTrials: 80, owner: 'w' }
      const b = await startSession({ ...opts, store: k.store, name: 'b', directions, seed: 3 })
      await b.wait().catch(() => {})
      expect(await broken.readTrials(b.id)).toHaveLength(37)
      await (await resumeSession(broken, b.id, { ...opts, optimizer: make() })).wait()
      expect((await broken.readTrials(b.id)).map((t) => t.candidate)).toEqual(trials.map((t) => t.candidate))

      const rs = await startSession({
        store: straight,
        name: 'r',
        optimizer: randomSearch(),
        space: s,
        directions,
        objective,
        maxTrials: 80,
        seed: 3,
      })
      const rsFront = (await rs.wait()).paretoFront ?? []
      // Hypervolume of the fronts, the maximized objective negated; reference (3, −0).
      const hv = (front: readonly { values: readonly number[] }[]) =>
        hypervolume(
          front.map((p) => [p.values[0]!, -p.values[1]!]),
          [3, 0],
        )
      expect(hv(result.paretoFront ?? [])).toBeGreaterThan(hv(rsFront))
    })
  }

  test('tpe with constraints: the best trial is feasible and near the constrained optimum', async () => {
    const store = createMemoryStore()
    const h = await startSession({
      store,
      optimizer: tpe(),
      space: space({ x: float(0, 1), y: float(0, 1) }),
      objective: (c: { x: number; y: number }) => ({ score: (c.x - 0.2) ** 2 + (c.y - 0.2) ** 2, constraints: [1.2 - c.x - c.y] }),
      maxTrials: 60,
      seed: 5,
    })
    const result = await h.wait()
    const best = (await store.readTrials(h.id))[result.bestTrialIdx!]!
    expect(best.constraints![0]).toBeLessThanOrEqual(0)
    expect(result.bestScore!).toBeLessThan(0.36)
  })
})
