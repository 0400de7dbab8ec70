import { Rng, categorical, float, int, space } from '@cairn/core'
import { describe, expect, test } from 'vitest'
import { cleanNumber, compileSpace, decodeUnit, encodeUnit, fromInternal, sampleUniform, toInternal } from '../src/space-math/index.js'

const s = space({
  z: float(-1, 1),
  lr: float(1e-4, 1, { log: true }),
  q: float(0, 1, { step: 0.1 }),
  n: int(1, 10),
  big: int(1, 1000, { log: true }),
  even: int(0, 9, { step: 2 }),
  kind: categorical(['a', 'b', { c: 1 }]),
})

describe('space-math', () => {
  test('dimensions are ordered by name, whatever the key order of the space', () => {
    expect(compileSpace(s).dims.map((d) => d.name)).toEqual(['big', 'even', 'kind', 'lr', 'n', 'q', 'z'])
    const reordered = space({ b: float(0, 1), a: int(0, 3) })
    expect(compileSpace(reordered).dims.map((d) => d.name)).toEqual(['a', 'b'])
  })

  test('stepped dims: top value, count and widened internal bounds', () => {
    const even = compileSpace(s).numeric.find((d) => d.name === 'even')!
    expect(even.top).toBe(8)
    expect(even.count).toBe(5)
    expect([even.lo, even.hi]).toEqual([-1, 9])
    const q = compileSpace(s).numeric.find((d) => d.name === 'q')!
    expect(q.count).toBe(11)
    expect(fromInternal(q, 0.31)).toBe(0.3)
    expect(fromInternal(q, 5)).toBe(1)
    expect(fromInternal(q, -5)).toBe(0)
  })

  test('fromInternal rounds ints, exponentiates log dims and clamps', () => {
    const big = compileSpace(s).numeric.find((d) => d.name === 'big')!
    expect(fromInternal(big, Math.log(10.4))).toBe(10)
    expect(fromInternal(big, 100)).toBe(1000)
    expect(fromInternal(big, -100)).toBe(1)
    expect(toInternal(big, 'x')).toBeNaN()
  })

  test('encodeUnit / decodeUnit round-trip valid candidates', () => {
    const rng = Rng.fromSeed(3)
    for (let i = 0; i < 200; i++) {
      const c = sampleUniform(s, rng)
      const u = encodeUnit(s, c)
      for (const x of u) expect(x >= 0 && x <= 1).toBe(true)
      expect(decodeUnit(s, u)).toEqual(c)
    }
  })

  test('decodeUnit clamps and tolerates NaN; encodeUnit gives NaN for invalid values', () => {
    const c = decodeUnit(s, [2, -1, Number.NaN, 0, 1, 0.5, 0.5])
    expect(c.big).toBe(1000)
    expect(c.even).toBe(0)
    expect(c.kind).toEqual('b')
    expect(Array.from(encodeUnit(s, { ...c, kind: 'nope' })).some(Number.isNaN)).toBe(true)
  })

  test('sampleUniform respects bounds, steps, ints and log scale, and is reproducible', () => {
    const a = Rng.fromSeed(9)
    const b = Rng.fromSeed(9)
    const lrLogs: number[] = []
    for (let i = 0; i < 800; i++) {
      const c = sampleUniform(s, a)
      expect(sampleUniform(s, b)).toEqual(c)
      expect(c.z as number).toBeGreaterThanOrEqual(-1)
      expect(c.z as number).toBeLessThanOrEqual(1)
      expect(Number.isInteger(c.n)).toBe(true)
      expect([0, 2, 4, 6, 8]).toContain(c.even)
      expect(Math.round((c.q as number) * 10) / 10).toBe(c.q)
      lrLogs.push(Math.log10(c.lr as number))
    }
    // Log-uniform: about a quarter of the draws per decade of [1e-4, 1].
    const lowDecade = lrLogs.filter((x) => x < -3).length / lrLogs.length
    expect(lowDecade).toBeGreaterThan(0.2)
    expect(lowDecade).toBeLessThan(0.3)
  })

  test('cleanNumber drops float noise', () => {
    expect(cleanNumber(0.1 + 0.2)).toBe(0.3)
    expect(cleanNumber(0)).toBe(0)
  })
})
