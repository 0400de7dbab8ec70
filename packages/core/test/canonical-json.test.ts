// biome-ignore-all lint/suspicious/noSparseArray: arrays with holes are among the cases under test
import { describe, expect, test } from 'vitest'
import { CanonicalJsonEncoder, canonicalJson, InvalidInputError, Rng, type CanonicalJsonProblem, type Json } from '../src/index.js'
import { freezeConstantParts } from '../src/session/constant-parts.js'
import { encodeHead, encodeTrial, openEnvelope } from '../src/store-kit.js'
import { referenceCanonicalJson } from './helpers/reference-canonical-json.js'
import { head as makeHead, trial as makeTrial } from './helpers/records.js'

/** The text, or the error's class and message: what two writers must agree on. */
function outcome(write: () => string): string {
  try {
    return `ok ${write()}`
  } catch (err) {
    return `${err instanceof InvalidInputError ? 'InvalidInputError' : (err as Error).name}: ${(err as Error).message}`
  }
}

/** The reference's outcome, with its plain errors named as `canonicalJson` names them. */
function expected(value: unknown): string {
  const got = outcome(() => referenceCanonicalJson(value))
  return got.startsWith('Error: ') ? `InvalidInputError: ${got.slice('Error: '.length)}` : got
}

const KEYS = [
  'a',
  'b',
  'Z',
  'id',
  '10',
  '9',
  '0',
  '',
  'é',
  'ü',
  '😀',
  '\uFFFF',
  '\uD800',
  'constructor',
  'toString',
  'key with space',
  '"q"',
  'π',
  'v',
]
const STRINGS = [
  '',
  'x',
  'hello world',
  'é',
  '\u0000\u001f',
  'line\nbreak',
  'tab\t"quote"\\',
  '😀',
  '\uD800',
  'a\uDC00b',
  '\u2028\u2029',
  '</script>',
]
const NUMBERS = [0, -0, 1, -1, 0.1, 1 / 3, 1e21, 1e-7, 123e-20, -1.5e300, 5e-324, Number.MAX_VALUE, 2 ** 53, -(2 ** 31), 123456.789]

class Point {
  constructor(
    public y: number,
    public x: number,
  ) {}
  get norm(): number {
    return Math.hypot(this.x, this.y)
  }
}

/** Leaves that are not plain data: accepted ones (written by the general path) and refused ones. */
const EXOTIC: (() => unknown)[] = [
  () => new Date(86_400_000),
  () => new Date(Number.NaN),
  () => new Point(2, 1),
  () => ({ toJSON: () => ({ z: 1, y: [2, { b: 1, a: 0 }] }) }),
  () => ({ toJSON: (key: unknown) => `key ${String(key)}` }),
  () => Object.assign([3, 1], { toJSON: () => ({ b: 2, a: 1 }) }),
  () => Object.assign(Object.create({ inherited: 1 }) as object, { own: 2 }),
  () => new String('boxed'),
  () => new Number(7),
  () => new Boolean(true),
  () => new WeakMap(),
  () => /re/g,
  () => [() => 1, undefined],
  () => Buffer.from('hi'),
  () => Number.NaN,
  () => Number.NEGATIVE_INFINITY,
  () => 10n,
  () => Symbol('s'),
  () => () => 1,
  () => new Map([[1, 2]]),
  () => new Set([1]),
  () => new Uint8Array(2),
  () => new ArrayBuffer(2),
  () => new DataView(new ArrayBuffer(2)),
  () => ({ toJSON: () => undefined }),
  () => ({ toJSON: () => Number.NaN }),
]

function randomValue(r: Rng, depth: number, exotic: boolean): unknown {
  const x = r.next()
  if (depth > 4 || x < 0.45) {
    const y = r.next()
    if (exotic && y < 0.08) return EXOTIC[r.int(0, EXOTIC.length - 1)]!()
    if (y < 0.35) return STRINGS[r.int(0, STRINGS.length - 1)]
    if (y < 0.7) return NUMBERS[r.int(0, NUMBERS.length - 1)]
    if (y < 0.8) return r.next() < 0.5
    if (y < 0.85) return undefined
    return null
  }
  if (x < 0.7) {
    const arr = Array.from({ length: r.int(0, 4) }, () => randomValue(r, depth + 1, exotic))
    if (r.next() < 0.1) arr.length += 2 // holes
    return arr
  }
  const obj: Record<string, unknown> = r.next() < 0.1 ? Object.create(null) : {}
  const n = r.int(0, 5)
  for (let i = 0; i < n; i++) obj[KEYS[r.int(0, KEYS.length - 1)]!] = randomValue(r, depth + 1, exotic)
  return obj
}

/** The same value with every plain object's keys inserted in reverse order. */
function reversed(v: unknown): unknown {
  if (Array.isArray(v) && Object.getPrototypeOf(v) === Array.prototype && !('toJSON' in v)) return v.map(reversed)
  if (v === null || typeof v !== 'object') return v
  const proto: unknown = Object.getPrototypeOf(v)
  if (proto !== Object.prototype && proto !== null) return v
  const out: Record<string, unknown> = proto === null ? Object.create(null) : {}
  for (const k of Object.keys(v).reverse()) out[k] = reversed((v as Record<string, unknown>)[k])
  return out
}

describe('canonical JSON', () => {
  test('every writer agrees with the reference on random plain and exotic values, whatever the key order', () => {
    const r = Rng.fromSeed(7)
    const shared = new CanonicalJsonEncoder()
    let accepted = 0
    let nested = 0
    for (let i = 0; i < 6000; i++) {
      const v = randomValue(r, 0, i % 2 === 1)
      const want = expected(v)
      if (want.startsWith('ok ')) accepted++
      if (/^ok [[{].*[[{]/.test(want)) nested++
      expect(
        outcome(() => canonicalJson(v)),
        `value ${i}`,
      ).toBe(want)
      expect(
        outcome(() => shared.encode(v)),
        `value ${i}`,
      ).toBe(want)
      expect(
        outcome(() => shared.encode(reversed(v))),
        `value ${i}, keys reversed`,
      ).toBe(want)
      expect(
        outcome(() => new CanonicalJsonEncoder().encode(v)),
        `value ${i}, fresh encoder`,
      ).toBe(want)
    }
    // Guards against a generator that makes only trivia or only errors.
    expect(accepted).toBeGreaterThan(3000)
    expect(6000 - accepted).toBeGreaterThan(300)
    expect(nested).toBeGreaterThan(1000)
  })

  test('agrees with the reference on edge cases', () => {
    const cyclic: Record<string, unknown> = { a: [] }
    ;(cyclic.a as unknown[]).push(cyclic)
    const shared = { s: 1 }
    let deep: unknown = 'leaf'
    for (let i = 0; i < 200; i++) deep = i % 2 ? { d: deep } : [deep]
    const hidden = { a: 1 }
    Object.defineProperty(hidden, 'b', { value: 2, enumerable: false })
    const cases: unknown[] = [
      null,
      true,
      false,
      0,
      -0,
      1e21,
      1e-7,
      5e-324,
      -1.7976931348623157e308,
      0.1 + 0.2,
      '',
      '\uD800',
      '\uDFFF\uD800',
      '😀',
      [],
      {},
      [[]],
      [{}],
      { '': {} },
      Object.create(null),
      [, 1, , 2],
      [undefined],
      { a: undefined },
      { a: undefined, b: 1 },
      { b: 1, a: { d: [1, { z: 0, y: 1 }], c: -0 } },
      { '10': 1, '9': 2, '1e3': 3, a: 4, B: 5, '😀': 6, '\uFFFF': 7, '\uD83D': 8 },
      JSON.parse('{"__proto__":{"x":1},"a":1}'),
      [{ constructor: 1, toString: 2 }, { b: 2 }],
      [{ b: 3 }, hidden],
      { toJSON: 1 },
      { a: shared, b: shared },
      deep,
      cyclic,
      [cyclic],
      new Date(0),
      { at: new Date(0) },
      [new Point(1, 2)],
      [new String('ab'), new Number(2), new Boolean(false)],
      [() => 1],
      { f: () => 1 },
      () => 1,
      [Symbol('s')],
      { s: Symbol('s') },
      undefined,
      1n,
      { n: 1n },
      Number.NaN,
      Number.POSITIVE_INFINITY,
      { x: [0, Number.NEGATIVE_INFINITY] },
      new Map(),
      new Set(),
      { m: new Map() },
      new Uint8Array(2),
      new Float64Array(1),
      new ArrayBuffer(1),
      new DataView(new ArrayBuffer(1)),
      new WeakMap(),
      new WeakSet(),
      new SharedArrayBuffer(1),
      Buffer.from('a'),
      { a: { toJSON: () => undefined } },
      [{ toJSON: () => undefined }],
      { toJSON: () => undefined },
      { k: { toJSON: (key: unknown) => String(key) } },
      { a: Object.assign([1], { toJSON: () => ({ z: 1, y: 2 }) }) },
      { a: Object.assign([1], { toJSON: () => Number.NaN }) },
      Object.assign([1, 2], { extra: 3 }),
    ]
    const enc = new CanonicalJsonEncoder()
    for (const [i, v] of cases.entries()) {
      const want = expected(v)
      expect(
        outcome(() => canonicalJson(v)),
        `case ${i}`,
      ).toBe(want)
      expect(
        outcome(() => enc.encode(v)),
        `case ${i}`,
      ).toBe(want)
    }
  })

  test('orders keys by UTF-16 code units (RFC 8785)', () => {
    expect(canonicalJson({ b: 1, a: 2, '10': 3, '9': 4, '😀': 5, '\uFFFF': 6, Z: 7 })).toBe(
      '{"10":3,"9":4,"Z":7,"a":2,"b":1,"😀":5,"\uFFFF":6}',
    )
  })

  test('writes plain data as JSON.stringify does once keys are sorted', () => {
    const v = { a: [1, 'x', null, true, { b: 2.5, c: '\u2028é' }], d: -0, e: 1e21 }
    expect(new CanonicalJsonEncoder().encode(v)).toBe(JSON.stringify(v))
  })

  test('does not leak keys one value has into another (object shapes are remembered across calls)', () => {
    const enc = new CanonicalJsonEncoder()
    expect(enc.encode({ z: 1, y: { x: 2 } })).toBe('{"y":{"x":2},"z":1}')
    expect(enc.encode({ a: { z: 3 } })).toBe('{"a":{"z":3}}')
    expect(enc.encode([{ x: 1 }, { y: 2 }])).toBe('[{"x":1},{"y":2}]')
  })

  test('stays correct when Object.prototype is polluted', () => {
    const enc = new CanonicalJsonEncoder()
    const proto = Object.prototype as Record<string, unknown>
    proto.polluted = 1
    try {
      expect(enc.encode({ b: 1, a: 2 })).toBe('{"a":2,"b":1}')
    } finally {
      delete proto.polluted
    }
  })

  test('copes with dictionary-like data (more shapes than it remembers)', () => {
    const enc = new CanonicalJsonEncoder()
    const dicts = Array.from({ length: 60 }, (_, i) => ({
      dict: Object.fromEntries(Array.from({ length: 40 }, (_, k) => [`w${i}_${39 - k}`, k])),
    }))
    for (const d of [...dicts, ...dicts.slice(0, 5)]) expect(enc.encode(d)).toBe(referenceCanonicalJson(d))
    const many = Array.from({ length: 3000 }, (_, i) => ({ [`k${i}`]: i }))
    expect(enc.encode(many)).toBe(referenceCanonicalJson(many))
    const big = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`b${(i * 7919) % 500}`, i]))
    expect(enc.encode([big, big])).toBe(referenceCanonicalJson([big, big]))
  })

  test('an encode nested in a getter or toJSON does not disturb the outer one', () => {
    const enc = new CanonicalJsonEncoder()
    // The nested values share first keys with the outer objects but not their shapes.
    const outer = {
      b: [1, { toJSON: () => enc.encode({ b: 2, z: [3] }) }],
      get a(): string {
        return enc.encode({ a: 1, c: { b: 0 } })
      },
    }
    const want = referenceCanonicalJson({
      a: referenceCanonicalJson({ a: 1, c: { b: 0 } }),
      b: [1, referenceCanonicalJson({ b: 2, z: [3] })],
    })
    expect(enc.encode(outer)).toBe(want)
    expect(enc.encode(outer)).toBe(want)
  })

  test('tells onProblem what it refused and where', () => {
    const problems: CanonicalJsonProblem[] = []
    const collect = (p: CanonicalJsonProblem): Error => {
      problems.push(p)
      return new RangeError('refused')
    }
    const cyclic: Record<string, unknown> = { a: [] }
    ;(cyclic.a as unknown[]).push(cyclic)
    const enc = new CanonicalJsonEncoder()
    expect(() => enc.encode({ 'odd key': { n: [0, Number.NaN] } }, collect)).toThrow(RangeError)
    expect(() => enc.encode(cyclic, collect)).toThrow(RangeError)
    expect(() => enc.encode({ s: new Set([1]) }, collect)).toThrow(RangeError)
    expect(() => enc.encode([{ f: () => 1 }], collect)).toThrow(RangeError)
    expect(() => enc.encode(undefined, collect)).toThrow(RangeError)
    expect(problems.map(({ reason, path }) => ({ reason, path }))).toEqual([
      { reason: 'non-finite-number', path: ['odd key', 'n', 1] },
      { reason: 'cycle', path: ['a', 0] },
      { reason: 'unsupported-object', path: ['s'] },
      { reason: 'unsupported-type', path: [0, 'f'] },
      { reason: 'unsupported-type', path: [] },
    ])
    expect(problems[0]!.value).toBeNaN()
    expect(problems[1]!.value).toBe(cyclic)
  })
})

describe('checkpoint records are canonical JSON', () => {
  test('encodeTrial and encodeHead bodies equal the reference text', () => {
    const r = Rng.fromSeed(11)
    const decoder = new TextDecoder()
    for (let i = 0; i < 300; i++) {
      const trial = makeTrial(i, r)
      const head = makeHead(i, r)
      expect(decoder.decode(openEnvelope('trial', encodeTrial(trial), 'trial').body)).toBe(referenceCanonicalJson({ ...trial, v: 2 }))
      const { direction, directions, ...rest } = head
      const headBody = {
        ...rest,
        v: 2,
        directions: directions ?? [direction],
        optimizerState: Buffer.from(head.optimizerState).toString('base64'),
      }
      expect(decoder.decode(openEnvelope('head', encodeHead(head), 'head').body)).toBe(referenceCanonicalJson(headBody))
    }
  })

  test('a head whose constant parts a driver froze (their text kept) encodes to the same bytes', () => {
    const r = Rng.fromSeed(12)
    const when = new Date(Date.UTC(2024, 0, 2))
    for (let i = 0; i < 300; i++) {
      const head = makeHead(i, r)
      // toJSON, undefined members and -0 inside a part are written as the encoder writes them.
      head.settings = { ...(head.settings as object), when, gone: undefined, zero: -0 } as unknown as Json
      const frozen = freezeConstantParts(head)
      expect(Object.isFrozen(frozen.space ?? {})).toBe(true)
      expect(encodeHead(frozen)).toEqual(encodeHead(head))
    }
  })
})
