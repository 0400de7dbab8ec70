import { canonicalJson } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { CanonicalJsonEncoder, writeGeneral } from '../src/fingerprint/canonical-json.js'
import { rng } from './helpers.js'

const KEYS = ['a', 'b', 'Z', 'id', '10', '9', '0', '', 'é', 'ü', '😀', '\uFFFF', 'constructor', 'toString', 'key with space', '"q"', 'π']
const STRINGS = ['', 'x', 'hello world', 'é', '\u0000\u001f', 'line\nbreak', 'tab\t"quote"\\', '😀', '\uD800', '\u2028']
const NUMBERS = [0, -0, 1, -1, 0.1, 1e21, 1e-7, -1.5e300, 5e-324, 2 ** 53, 123456.789]

function randomValue(r: () => number, depth: number): unknown {
  const x = r()
  if (depth > 4 || x < 0.45) {
    const y = r()
    if (y < 0.35) return STRINGS[Math.floor(r() * STRINGS.length)]
    if (y < 0.7) return NUMBERS[Math.floor(r() * NUMBERS.length)]
    if (y < 0.8) return r() < 0.5
    return null
  }
  if (x < 0.7) return Array.from({ length: Math.floor(r() * 5) }, () => randomValue(r, depth + 1))
  const obj: Record<string, unknown> = r() < 0.1 ? Object.create(null) : {}
  const n = Math.floor(r() * 6)
  for (let i = 0; i < n; i++) obj[KEYS[Math.floor(r() * KEYS.length)] as string] = r() < 0.05 ? undefined : randomValue(r, depth + 1)
  return obj
}

/** The same value with every object's keys inserted in reverse order. */
function reversed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversed)
  if (v === null || typeof v !== 'object') return v
  const out: Record<string, unknown> = Object.getPrototypeOf(v) === null ? Object.create(null) : {}
  for (const k of Object.keys(v).reverse()) out[k] = reversed((v as Record<string, unknown>)[k])
  return out
}

describe('canonical JSON', () => {
  it('fast path, general writer and core canonicalJson agree on random values, whatever the key order', () => {
    const r = rng(7)
    const enc = new CanonicalJsonEncoder()
    for (let i = 0; i < 3000; i++) {
      const v = randomValue(r, 0)
      if (v === undefined) continue
      const want = canonicalJson(v)
      expect(enc.encode(v)).toBe(want)
      expect(enc.encode(reversed(v))).toBe(want)
      expect(writeGeneral(v)).toBe(want)
    }
  })

  it('orders keys by UTF-16 code units (RFC 8785)', () => {
    const enc = new CanonicalJsonEncoder()
    expect(enc.encode({ b: 1, a: 2, '10': 3, '9': 4, '😀': 5, '\uFFFF': 6, Z: 7 })).toBe('{"10":3,"9":4,"Z":7,"a":2,"b":1,"😀":5,"\uFFFF":6}')
  })

  it('matches JSON.stringify on already-sorted plain data', () => {
    const v = { a: [1, 'x', null, true, { b: 2.5, c: '\u2028é' }], d: -0, e: 1e21 }
    expect(new CanonicalJsonEncoder().encode(v)).toBe(JSON.stringify(v))
  })

  it('does not leak keys one object has into another (key list kept across calls)', () => {
    const enc = new CanonicalJsonEncoder()
    expect(enc.encode({ z: 1, y: { x: 2 } })).toBe('{"y":{"x":2},"z":1}')
    expect(enc.encode({ a: { z: 3 } })).toBe('{"a":{"z":3}}')
    expect(enc.encode([{ x: 1 }, { y: 2 }])).toBe('[{"x":1},{"y":2}]')
  })

  it('never reads inherited or non-enumerable properties', () => {
    const enc = new CanonicalJsonEncoder()
    const parsed = JSON.parse('{"__proto__":{"x":1},"a":1}') as object
    expect(enc.encode(parsed)).toBe('{"__proto__":{"x":1},"a":1}')
    expect(enc.encode([parsed, { b: 2 }])).toBe('[{"__proto__":{"x":1},"a":1},{"b":2}]')
    expect(enc.encode([{ constructor: 1 }, { b: 2 }])).toBe('[{"constructor":1},{"b":2}]')
    const hidden = { a: 1 }
    Object.defineProperty(hidden, 'b', { value: 2, enumerable: false })
    expect(enc.encode([{ b: 3 }, hidden])).toBe('[{"b":3},{"a":1}]')
    const bare = Object.assign(Object.create(null) as object, { b: 1, a: 2 })
    expect(enc.encode(bare)).toBe('{"a":2,"b":1}')
  })

  it('stays correct when Object.prototype is polluted', () => {
    const enc = new CanonicalJsonEncoder()
    const proto = Object.prototype as Record<string, unknown>
    proto.polluted = 1
    try {
      expect(enc.encode({ b: 1, a: 2 })).toBe('{"a":2,"b":1}')
    } finally {
      delete proto.polluted
    }
  })

  it('handles class instances, toJSON, boxed primitives, holes and undefined like JSON.stringify', () => {
    const enc = new CanonicalJsonEncoder()
    class Example {
      constructor(
        public question: string,
        public answer: string,
      ) {}
      get shout(): string {
        return this.question.toUpperCase()
      }
    }
    expect(enc.encode([new Example('q', 'a')])).toBe('[{"answer":"a","question":"q"}]')
    expect(enc.encode({ when: new Date(0) })).toBe('{"when":"1970-01-01T00:00:00.000Z"}')
    expect(enc.encode({ custom: { toJSON: () => ({ y: 1, x: 2 }) } })).toBe('{"custom":{"x":2,"y":1}}')
    expect(enc.encode([new String('s'), new Number(2), new Boolean(false)])).toBe('["s",2,false]')
    // eslint-disable-next-line no-sparse-arrays
    expect(enc.encode([1, , 3, undefined])).toBe('[1,null,3,null]')
    expect(enc.encode({ a: undefined, b: 1 })).toBe('{"b":1}')
    expect(enc.encode('a\uD800')).toBe('"a\\ud800"')
    expect(enc.encode(-0)).toBe('0')
  })

  it('keeps the key list small for dictionary-like data', () => {
    const enc = new CanonicalJsonEncoder()
    for (let i = 0; i < 50; i++) {
      const dict: Record<string, number> = {}
      for (let k = 0; k < 40; k++) dict[`w${i}_${k}`] = k
      expect(enc.encode({ dict })).toBe(canonicalJson({ dict }))
    }
    // A reset that happens to leave as many keys as before must still re-sort the list.
    const fresh = new CanonicalJsonEncoder()
    const eight = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`a${i}`, i]))
    expect(fresh.encode(eight)).toBe(canonicalJson(eight))
    const others = Array.from({ length: 8 }, (_, i) => ({ [`c${i}`]: i }))
    expect(fresh.encode(others)).toBe(canonicalJson(others))
    const many = Array.from({ length: 300 }, (_, i) => ({ [`k${i}`]: i }))
    expect(enc.encode(many)).toBe(canonicalJson(many))
  })

  it('names the path of what it refuses', () => {
    const enc = new CanonicalJsonEncoder()
    const cyclic: Record<string, unknown> = { a: [] }
    ;(cyclic.a as unknown[]).push(cyclic)
    expect(() => enc.encode(cyclic, 3)).toThrow(/example 3 at \$\.a\[0\]: the value is cyclic/)
    expect(() => enc.encode({ 'odd key': { n: Number.NaN } }, 'x')).toThrow(/x at \$\["odd key"\]\.n: NaN is not a finite number/)
    expect(() => enc.encode({ s: new Set([1]) })).toThrow(/\$\.s: a Set has no JSON form/)
    expect(() => enc.encode({ s: Symbol('x') })).toThrow(/a symbol is not a JSON value/)
    // Deep but acyclic values are fine.
    let deep: unknown = 'leaf'
    for (let i = 0; i < 200; i++) deep = { d: deep }
    expect(enc.encode(deep)).toBe(canonicalJson(deep))
  })
})
