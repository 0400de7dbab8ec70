import { describe, expect, test } from 'vitest'
import { assertCandidate, canonicalJson, categorical, float, int, InvalidInputError, Rng, space } from '../src/index.js'

describe('Rng', () => {
  test('same seed, same stream; state round-trips mid-stream', () => {
    const a = Rng.fromSeed(7)
    const b = Rng.fromSeed(7)
    const xs = Array.from({ length: 5 }, () => a.next())
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs)
    const restored = Rng.fromState(a.state())
    expect(Array.from({ length: 100 }, () => restored.nextUint32())).toEqual(Array.from({ length: 100 }, () => a.nextUint32()))
    expect(Rng.fromSeed(8).next()).not.toBe(Rng.fromSeed(7).next())
  })

  test('draws stay in range and look uniform', () => {
    const r = Rng.fromSeed(1)
    const counts = [0, 0, 0, 0]
    for (let i = 0; i < 4000; i++) counts[r.int(0, 3)]!++
    for (const c of counts) expect(c).toBeGreaterThan(850)
    for (let i = 0; i < 1000; i++) {
      const u = r.next()
      expect(u >= 0 && u < 1).toBe(true)
    }
  })

  test('bad seeds and states are refused', () => {
    expect(() => Rng.fromSeed(1.5)).toThrow(InvalidInputError)
    expect(() => Rng.fromState('zz')).toThrow(InvalidInputError)
  })
})

describe('search space', () => {
  test('valid dimensions build a JSON space', () => {
    const s = space({ x: float(-5, 10), lr: float(1e-5, 1e-1, { log: true }), n: int(1, 64), kernel: categorical(['rbf', 'linear']) })
    expect(JSON.parse(JSON.stringify(s))).toEqual(s)
    assertCandidate(s, { x: 0, lr: 0.01, n: 3, kernel: 'rbf' })
    expect(() => assertCandidate(s, { x: 0, lr: 0.01, n: 3.5, kernel: 'rbf' })).toThrow(/candidate.n/)
    expect(() => assertCandidate(s, { x: 0, lr: 0.01, n: 3, kernel: 'poly' })).toThrow(/candidate.kernel/)
  })

  test.each([
    ['empty range', () => float(1, 1)],
    ['inverted range', () => int(5, 1)],
    ['log range touching zero', () => float(0, 1, { log: true })],
    ['non-finite bound', () => float(0, Number.POSITIVE_INFINITY)],
    ['empty categorical', () => categorical([])],
    ['duplicate categorical', () => categorical(['a', 'a'])],
    ['int with fractional bound', () => int(0.5, 3)],
    ['step wider than range', () => float(0, 1, { step: 2 })],
  ])('%s is an InvalidInputError', (_name, build) => {
    expect(build).toThrow(InvalidInputError)
  })

  test('canonical JSON: holes are null, toJSON is honoured, Map/Set/binary refused', () => {
    // biome-ignore lint/suspicious/noSparseArray: a hole is the case under test
    expect(canonicalJson([1, , 2])).toBe('[1,null,2]')
    expect(canonicalJson({ at: new Date(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z"}')
    expect(() => canonicalJson({ m: new Map() })).toThrow(InvalidInputError)
    expect(() => canonicalJson(new Set([1]))).toThrow(InvalidInputError)
    expect(() => canonicalJson(new Uint8Array(2))).toThrow(InvalidInputError)
  })

  test('canonical JSON sorts keys and refuses NaN', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 0, y: 1 }], c: -0 } })).toBe('{"a":{"c":0,"d":[1,{"y":1,"z":0}]},"b":1}')
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(InvalidInputError)
  })
})
