import { compile, createMemoryStore, type Json, type Metric, type Program } from '@cairn/core'
import { describe, expect, test } from 'vitest'
import { fewShotSearch } from '../../src/index.js'

interface Qa {
  id: number
  answer: string
}

/** Eight training examples, and four held out. */
const trainset: Qa[] = Array.from({ length: 8 }, (_, id) => ({ id, answer: `a${id}` }))
const valset: Qa[] = Array.from({ length: 4 }, (_, k) => ({ id: 100 + k, answer: `a${100 + k}` }))

/** Pure memorization: right exactly when the example asked about is one of its own demonstrations. */
const memorizer: Program<Qa, string> = (config, example) =>
  ((config as { demos?: number[] }).demos ?? []).some((i) => trainset[i]?.id === example.id) ? example.answer : '?'
const exact: Metric<Qa, string> = (example, output) => (output === example.answer ? 1 : 0)

describe('fewShotSearch never scores a candidate on its own demonstrations', () => {
  test('a memorizing program scores 0 without a valset (it scored 0.5 when demos were graded on themselves)', async () => {
    const result = await compile({ optimizer: fewShotSearch(), program: memorizer, trainset, metric: exact, seed: 5, maxTrials: 30 })
    expect(result.status).toBe('completed')
    expect(result.bestScore).toBe(0)
  })

  test('a memorizing program scores 0 on held-out examples, at every trial', async () => {
    const store = createMemoryStore()
    const result = await compile({
      store,
      sessionId: 'memorizer',
      optimizer: fewShotSearch({ maxLabeledDemos: 4 }),
      program: memorizer,
      trainset,
      valset,
      metric: exact,
      seed: 5,
      maxTrials: 30,
    })
    expect(result.bestScore).toBe(0)
    const trials = await store.readTrials('memorizer')
    expect(trials).toHaveLength(30)
    expect(trials.every((t) => t.status === 'ok' && t.score === 0)).toBe(true)
  })

  test('the program is never asked about an example among its demonstrations (bootstrapping, screening, full scores)', async () => {
    const asked: { demos: number[]; id: number }[] = []
    const spy: Program<Qa, string> = (config: Json, example: Qa, ctx) => {
      asked.push({ demos: (config as { demos: number[] }).demos, id: example.id })
      return memorizer(config, example, ctx)
    }
    await compile({ optimizer: fewShotSearch({ maxBootstrappedDemos: 2 }), program: spy, trainset, metric: exact, seed: 2, maxTrials: 12 })
    expect(asked.length).toBeGreaterThan(100)
    expect(asked.filter((a) => a.demos.some((i) => trainset[i]?.id === a.id))).toEqual([])
  })
})
