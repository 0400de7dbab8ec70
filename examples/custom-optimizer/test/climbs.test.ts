// Conformance says the optimizer is resumable; this says it is any good: on a smooth bowl the
// climber, with the same budget and seeds, ends closer to the optimum than random search
// (testkit's reference optimizer) does.
import { assertCandidate, compile, createMemoryStore, float, int, InvalidInputError, space } from '@cairn/core'
import { referenceOptimizer } from '@cairn/testkit'
import { expect, test } from 'vitest'
import { hillClimb } from '../src/index.js'

const bowl = space({ x: float(-10, 10), y: float(-10, 10), lr: float(1e-5, 1, { log: true }), n: int(1, 100) })
const objective = (c: { x: number; y: number; lr: number; n: number }) =>
  (c.x - 3) ** 2 + (c.y + 1) ** 2 + Math.log10(c.lr / 1e-3) ** 2 + ((c.n - 42) / 10) ** 2

test('beats random search on a smooth bowl with the same budget and seeds', async () => {
  const best = async (optimizer: ReturnType<typeof hillClimb> | ReturnType<typeof referenceOptimizer>, seed: number) =>
    (await compile({ optimizer, space: bowl, objective, maxTrials: 60, seed })).bestScore!
  const seeds = [1, 2, 3, 4, 5]
  const climber = await Promise.all(seeds.map((s) => best(hillClimb(), s)))
  const random = await Promise.all(seeds.map((s) => best(referenceOptimizer(), s)))
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  expect(median(climber)).toBeLessThan(median(random))
  expect(median(climber)).toBeLessThan(1)
})

test('every candidate is a valid point of the space; bad options are refused with InvalidInputError', async () => {
  const store = createMemoryStore()
  const result = await compile({
    store,
    optimizer: hillClimb({ startupTrials: 2, initialStep: 0.1 }),
    space: bowl,
    objective,
    maxTrials: 30,
    seed: 9,
  })
  expect(result.status).toBe('completed')
  const trials = await store.readTrials(result.sessionId)
  expect(trials).toHaveLength(30)
  for (const t of trials) expect(() => assertCandidate(bowl, t.candidate)).not.toThrow()
  expect(() => hillClimb({ startupTrials: 0 })).toThrow(InvalidInputError)
  expect(() => hillClimb({ initialStep: 2 })).toThrow(InvalidInputError)
})
