import { InvalidInputError, Rng, categorical, float, int, space } from '@cairn/core'
import { describe, expect, test } from 'vitest'
import { randomSearch } from '../src/index.js'
import { drive } from './helpers.js'

const s = space({
  x: float(-2, 3),
  lr: float(1e-5, 1e-1, { log: true }),
  n: int(2, 9),
  w: int(1, 4096, { log: true }),
  q: float(0, 2, { step: 0.25 }),
  kind: categorical(['a', 'b', 'c']),
})

describe('randomSearch', () => {
  test('id, state version and options', () => {
    const o = randomSearch()
    expect(o.id).toBe('@cairn/optimizers/random')
    expect(o.stateVersion).toBe(1)
    expect(o.options).toEqual({})
  })

  test('candidates respect bounds, ints, steps and log scale', async () => {
    const { history } = await drive(randomSearch(), s, () => 0, 400)
    const seen = new Set<string>()
    let lowDecades = 0
    for (const t of history) {
      const c = t.candidate as Record<string, number | string>
      expect(c.x).toBeGreaterThanOrEqual(-2)
      expect(c.x).toBeLessThanOrEqual(3)
      expect(Number.isInteger(c.n) && (c.n as number) >= 2 && (c.n as number) <= 9).toBe(true)
      expect(Number.isInteger(c.w) && (c.w as number) >= 1 && (c.w as number) <= 4096).toBe(true)
      expect(((c.q as number) * 4) % 1).toBe(0)
      expect(['a', 'b', 'c']).toContain(c.kind)
      if ((c.lr as number) < 1e-3) lowDecades++
      seen.add(String(c.n))
    }
    expect(seen.size).toBe(8)
    // Log-uniform over 4 decades: about half fall in the lower two.
    expect(lowDecades / history.length).toBeGreaterThan(0.4)
    expect(lowDecades / history.length).toBeLessThan(0.6)
  })

  test('same seed, same candidates; the state is a constant', async () => {
    const a = await drive(randomSearch(), s, () => 0, 20, { seed: 5 })
    const b = await drive(randomSearch(), s, () => 0, 20, { seed: 5 })
    expect(b.history).toEqual(a.history)
    const o = randomSearch()
    expect(o.decodeState(o.encodeState({ v: 1 }), 1)).toEqual({ v: 1 })
  })

  test('refuses unknown options, unknown state versions and a missing space', async () => {
    expect(() => randomSearch({ foo: 1 } as never)).toThrow(/^\[@cairn\/optimizers\] randomSearch: unknown option foo \(it takes none\)$/)
    const o = randomSearch()
    expect(() => o.decodeState(o.encodeState({ v: 1 }), 2)).toThrow(InvalidInputError)
    expect(() => o.decodeState(o.encodeState({ v: 1 }), 2)).toThrow(/expected 1.*|found|version 2/)
    expect(() => o.init({ seed: 1, rng: Rng.fromSeed(1), direction: 'minimize', history: [] })).toThrow(/needs a search space/)
  })
})
