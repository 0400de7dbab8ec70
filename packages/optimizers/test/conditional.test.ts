import { assertCandidate, categorical, choice, float, int, space, startSession, type Json } from '@cairn/core'
import { describe, expect, test } from 'vitest'
import { cmaEs, gridSearch, randomSearch, tpe } from '../src/index.js'
import { bestOf, drive, median, type Params } from './helpers.js'

const models = space({
  model: choice({
    svm: space({ c: float(1e-3, 1e3, { log: true }), kernel: categorical(['rbf', 'linear']) }),
    rf: { trees: int(10, 500) },
    mlp: { layers: int(1, 4), opt: choice({ sgd: { momentum: float(0, 0.99) }, adam: {} }) },
  }),
  lr: float(1e-4, 1e-1, { log: true }),
})

/** Best (0.05) on mlp + sgd with momentum 0.9, lr 1e-2, layers 3; rf bottoms at 0.3, svm at 0.2. */
function loss(p: Params): number {
  const lr = (Math.log10(p.lr as number) + 2) ** 2 * 0.02
  if (p.model === 'svm') return 0.2 + 0.03 * Math.log10(p.c as number) ** 2 + (p.kernel === 'rbf' ? 0 : 0.1) + lr
  if (p.model === 'rf') return 0.3 + ((p.trees as number) - 200) ** 2 / 1e5 + lr
  const opt = p.opt === 'sgd' ? 0.5 * ((p.momentum as number) - 0.9) ** 2 : 0.05
  return 0.05 + 0.03 * ((p.layers as number) - 3) ** 2 + opt + lr
}

describe.each([
  ['randomSearch', () => randomSearch()],
  ['tpe', () => tpe()],
  ['tpe (multivariate)', () => tpe({ multivariate: true })],
  ['gridSearch', () => gridSearch({ resolution: 3 })],
])('%s on a conditional space', (name, make) => {
  test('declares conditionalSpace and proposes only valid candidates (active parameters only)', async () => {
    const o = make()
    expect(o.capabilities.conditionalSpace).toBe(true)
    const { history } = await drive(o, models, loss, 120, { seed: 7 })
    const branches = new Set<Json>()
    for (const t of history) {
      assertCandidate(models, t.candidate)
      branches.add((t.candidate as Params).model as Json)
    }
    // The grid walks branch after branch (mlp's 48 points, then rf's): 120 trials reach two of them.
    expect(branches.size).toBe(name === 'gridSearch' ? 2 : 3)
  })

  test('the same seed gives the same candidates', async () => {
    const a = await drive(make(), models, loss, 40, { seed: 3 })
    const b = await drive(make(), models, loss, 40, { seed: 3 })
    expect(b.history.map((t) => t.candidate)).toEqual(a.history.map((t) => t.candidate))
  })
})

describe('gridSearch on a conditional space', () => {
  test('walks the union of the branches’ grids, each point once, then halts', async () => {
    const s = space({
      m: choice({ a: { x: float(0, 1) }, b: { n: int(1, 2), k: categorical(['p', 'q']) }, none: {} }),
      t: categorical([0, 1]),
    })
    const { history, halted } = await drive(gridSearch({ resolution: 3 }), s, () => 0, 100)
    expect(halted).toBe('exhausted')
    // (3 points of a + 2·2 of b + 1 of none) × 2 values of t
    expect(history).toHaveLength(16)
    const keys = history.map((t) => JSON.stringify(t.candidate))
    expect(new Set(keys).size).toBe(16)
    expect(history.slice(0, 4).map((t) => t.candidate)).toEqual([
      { m: 'a', t: 0, x: 0 },
      { m: 'a', t: 1, x: 0 },
      { m: 'a', t: 0, x: 0.5 },
      { m: 'a', t: 1, x: 0.5 },
    ])
    expect(history.filter((t) => (t.candidate as Params).m === 'none').map((t) => t.candidate)).toEqual([
      { m: 'none', t: 0 },
      { m: 'none', t: 1 },
    ])
  })
})

describe('TPE learns the branches', () => {
  test('beats random search on the median best after 60 trials (9 seeds)', async () => {
    const tpeBest: number[] = []
    const randomBest: number[] = []
    for (let seed = 1; seed <= 9; seed++) {
      tpeBest.push(bestOf((await drive(tpe(), models, loss, 60, { seed })).history))
      randomBest.push(bestOf((await drive(randomSearch(), models, loss, 60, { seed })).history))
    }
    expect(median(tpeBest)).toBeLessThan(median(randomBest))
  })

  test('the good branch is chosen more and more often', async () => {
    const { history } = await drive(tpe(), models, loss, 100, { seed: 5 })
    const mlp = (from: number, to: number) => history.slice(from, to).filter((t) => (t.candidate as Params).model === 'mlp').length
    expect(mlp(60, 100)).toBeGreaterThan(mlp(0, 40))
  })
})

describe('CMA-ES and conditional spaces', () => {
  test('declares no conditional support; the session refuses, saying it needs a flat space', async () => {
    expect(cmaEs().capabilities.conditionalSpace ?? false).toBe(false)
    const err = await startSession({ optimizer: cmaEs(), objective: () => 0, space: models, maxTrials: 2 }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'INVALID_INPUT', field: 'space' })
    expect((err as Error).message).toMatch(/optimizer @cairn\/optimizers\/cmaes needs a flat space/)
  })
})
