import { InvalidInputError, Rng, categorical, float, int, space } from '@cairn/core'
import { describe, expect, test } from 'vitest'
import { gridSearch } from '../src/index.js'
import { drive } from './helpers.js'

describe('gridSearch', () => {
  test('every combination once, in a fixed order (names sorted, the last varies fastest), then halts exhausted', async () => {
    const s = space({ x: float(0, 1), kind: categorical(['a', 'b']), n: int(1, 3) })
    const { history, halted } = await drive(gridSearch({ resolution: 3 }), s, () => 0, 100)
    expect(halted).toBe('exhausted')
    expect(history).toHaveLength(2 * 3 * 3)
    const cands = history.map((t) => t.candidate)
    expect(cands.slice(0, 4)).toEqual([
      { kind: 'a', n: 1, x: 0 },
      { kind: 'a', n: 1, x: 0.5 },
      { kind: 'a', n: 1, x: 1 },
      { kind: 'a', n: 2, x: 0 },
    ])
    expect(new Set(cands.map((c) => JSON.stringify(c))).size).toBe(18)
    expect(cands.at(-1)).toEqual({ kind: 'b', n: 3, x: 1 })
  })

  test('log floats are log-spaced, stepped floats contribute their steps', async () => {
    const s = space({ lr: float(1e-4, 1, { log: true }), q: float(0, 1, { step: 0.5 }) })
    const { history } = await drive(gridSearch({ resolution: 5 }), s, () => 0, 100)
    expect([...new Set(history.map((t) => (t.candidate as { lr: number }).lr))]).toEqual([1e-4, 1e-3, 1e-2, 0.1, 1])
    expect([...new Set(history.map((t) => (t.candidate as { q: number }).q))]).toEqual([0, 0.5, 1])
  })

  test('a huge int dimension is strided down to maxDiscreteValues, both ends included', async () => {
    const s = space({ n: int(0, 1_000_000) })
    const { history, halted } = await drive(gridSearch({ maxDiscreteValues: 5 }), s, () => 0, 100)
    expect(halted).toBe('exhausted')
    expect(history.map((t) => (t.candidate as { n: number }).n)).toEqual([0, 250_000, 500_000, 750_000, 1_000_000])
  })

  test('ignores the seed and resumes mid-grid from its state', async () => {
    const s = space({ a: int(1, 4), b: categorical([true, false]) })
    const full = await drive(gridSearch(), s, () => 0, 100, { seed: 1 })
    const other = await drive(gridSearch(), s, () => 0, 100, { seed: 2 })
    expect(other.history).toEqual(full.history)
    const o = gridSearch()
    const sampler = o.sampler!
    const rng = Rng.fromSeed(1)
    let state = await sampler.init({ seed: 1, rng, direction: 'minimize', space: s, history: [] })
    const got: unknown[] = []
    for (let i = 0; i < 20; i++) {
      state = o.decodeState(o.encodeState(state), o.stateVersion)
      const asked = await sampler.ask(state, { trialIdx: i, rng, history: [], pending: [], direction: 'minimize', space: s })
      if (asked.kind === 'halt') break
      got.push(asked.candidate)
      state = asked.state
    }
    expect(got).toEqual(full.history.map((t) => t.candidate))
    expect(state).toEqual({ v: 1, next: 8 })
  })

  test('options are validated and stored', () => {
    expect(gridSearch({ resolution: 3 }).options).toEqual({ resolution: 3, maxDiscreteValues: 1000 })
    expect(() => gridSearch({ resolution: 0 })).toThrow(/resolution/)
    expect(() => gridSearch({ resolution: 2.5 })).toThrow(InvalidInputError)
    expect(() => gridSearch({ maxDiscreteValues: -1 })).toThrow(/maxDiscreteValues/)
    expect(() => gridSearch({ step: 1 } as never)).toThrow(/unknown option step \(known: resolution, maxDiscreteValues\)/)
  })

  test('refuses an unknown state version and a missing space', () => {
    const o = gridSearch()
    expect(() => o.decodeState(o.encodeState({ v: 1, next: 3 }), 7)).toThrow(/version 7, expected 1/)
    expect(() => o.init({ seed: 1, rng: Rng.fromSeed(1), direction: 'minimize', history: [] })).toThrow(/gridSearch: needs a search space/)
  })
})
