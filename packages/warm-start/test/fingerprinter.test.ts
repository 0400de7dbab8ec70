import { createHash } from 'node:crypto'
import { InvalidInputError } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { FINGERPRINT_ENCODING_VERSION, Fingerprinter, isFingerprint } from '../src/index.js'
import { refFingerprint, refStream, type RefField } from './reference.js'

const fp = (build: (f: Fingerprinter) => Fingerprinter): string => build(new Fingerprinter()).finalize()

describe('Fingerprinter encoding', () => {
  it('starts with the versioned preamble', () => {
    expect(FINGERPRINT_ENCODING_VERSION).toBe(1)
    expect(refStream([]).toString('hex')).toBe(Buffer.from('cairn/fingerprint\0\0\0\0\x01', 'latin1').toString('hex'))
    expect(new Fingerprinter().finalize()).toBe(createHash('sha256').update(refStream([])).digest('hex'))
  })

  it('lays fields out as kind, tag and value, length-prefixed (matches the reference encoder)', () => {
    const fields: RefField[] = [
      { kind: 'string', tag: 'name', value: 'naïve 東京 😀' },
      { kind: 'bytes', tag: 'raw', value: Uint8Array.of(0, 255, 7) },
      { kind: 'number', tag: 'lr', value: 1e-3 },
      { kind: 'number', tag: 'inf', value: -Infinity },
      { kind: 'bigint', tag: 'big', value: 123456789012345678901234567890n },
      { kind: 'bigint', tag: 'zero', value: 0n },
      { kind: 'json', tag: 'space', value: { z: [1, { y: 'é', x: null }], a: true } },
    ]
    const got = new Fingerprinter()
      .absorbString('name', 'naïve 東京 😀')
      .absorbBytes('raw', Uint8Array.of(0, 255, 7))
      .absorbNumber('lr', 1e-3)
      .absorbNumber('inf', -Infinity)
      .absorbBigInt('big', 123456789012345678901234567890n)
      .absorbBigInt('zero', 0n)
      .absorbJson('space', { a: true, z: [1, { x: null, y: 'é' }] })
      .finalize()
    expect(got).toBe(refFingerprint(fields))
    // One field, byte by byte: kind 0x01, tag length 1, "t", value length 1, "v".
    expect(
      refStream([{ kind: 'string', tag: 't', value: 'v' }])
        .subarray(22)
        .toString('hex'),
    ).toBe('01' + '00000001' + '74' + '0000000000000001' + '76')
  })

  it('never confuses a string with a number, bigint or JSON of the same spelling', () => {
    const all = [
      fp((f) => f.absorbString('x', '1')),
      fp((f) => f.absorbNumber('x', 1)),
      fp((f) => f.absorbBigInt('x', 1n)),
      fp((f) => f.absorbJson('x', 1)),
      fp((f) => f.absorbJson('x', '1')),
      fp((f) => f.absorbBytes('x', Buffer.from('1'))),
    ]
    expect(new Set(all).size).toBe(all.length)
  })

  it('keeps field boundaries: ["ab","c"] ≠ ["a","bc"], in fields and in JSON', () => {
    expect(fp((f) => f.absorbString('x', 'ab').absorbString('x', 'c'))).not.toBe(
      fp((f) => f.absorbString('x', 'a').absorbString('x', 'bc')),
    )
    expect(fp((f) => f.absorbJson('x', ['ab', 'c']))).not.toBe(fp((f) => f.absorbJson('x', ['a', 'bc'])))
    expect(fp((f) => f.absorbBytes('x', Buffer.from('ab')).absorbBytes('x', Buffer.from('c')))).not.toBe(
      fp((f) => f.absorbBytes('x', Buffer.from('a')).absorbBytes('x', Buffer.from('bc'))),
    )
    // Tag and value cannot trade characters either.
    expect(fp((f) => f.absorbString('ab', 'c'))).not.toBe(fp((f) => f.absorbString('a', 'bc')))
    expect(fp((f) => f.absorbString('a', 'x'))).not.toBe(fp((f) => f.absorbString('b', 'x')))
  })

  it('folds -0 into +0 and refuses NaN', () => {
    expect(fp((f) => f.absorbNumber('x', -0))).toBe(fp((f) => f.absorbNumber('x', 0)))
    expect(fp((f) => f.absorbJson('x', { v: -0 }))).toBe(fp((f) => f.absorbJson('x', { v: 0 })))
    expect(() => new Fingerprinter().absorbNumber('x', Number.NaN)).toThrow(InvalidInputError)
    expect(() => new Fingerprinter().absorbNumber('x', Number.NaN)).toThrow(/^\[@cairn\/warm-start\] .*NaN/)
    expect(fp((f) => f.absorbNumber('x', Infinity))).not.toBe(fp((f) => f.absorbNumber('x', -Infinity)))
  })

  it('encodes bigints by sign and magnitude', () => {
    expect(fp((f) => f.absorbBigInt('x', 255n))).not.toBe(fp((f) => f.absorbBigInt('x', -255n)))
    expect(fp((f) => f.absorbBigInt('x', 0n))).toBe(fp((f) => f.absorbBigInt('x', -0n)))
    for (const n of [1n, 255n, 256n, -256n, 2n ** 64n - 1n, -(2n ** 200n)])
      expect(fp((f) => f.absorbBigInt('x', n))).toBe(refFingerprint([{ kind: 'bigint', tag: 'x', value: n }]))
  })

  it('hashes JSON by content, whatever the key order', () => {
    const a = { model: 'knn', params: { k: 5, weights: 'distance', p: 2 }, tags: ['x', 'y'] }
    const b = { tags: ['x', 'y'], params: { p: 2, weights: 'distance', k: 5 }, model: 'knn' }
    expect(fp((f) => f.absorbJson('cfg', a))).toBe(fp((f) => f.absorbJson('cfg', b)))
    expect(fp((f) => f.absorbJson('cfg', a))).not.toBe(fp((f) => f.absorbJson('cfg', { ...b, tags: ['y', 'x'] })))
  })

  it('accepts any byte view and ArrayBuffer', () => {
    const bytes = Uint8Array.of(1, 2, 3, 4)
    const want = fp((f) => f.absorbBytes('b', bytes))
    expect(fp((f) => f.absorbBytes('b', bytes.buffer))).toBe(want)
    expect(fp((f) => f.absorbBytes('b', new DataView(bytes.buffer)))).toBe(want)
    expect(fp((f) => f.absorbBytes('b', Buffer.from([0, 1, 2, 3, 4, 5]).subarray(1, 5)))).toBe(want)
  })

  it('handles values larger than its buffer exactly like small ones', () => {
    const big = 'x'.repeat(700_000) + 'é'.repeat(100_000)
    const bytes = new Uint8Array(1_000_000).map((_, i) => i & 0xff)
    const got = new Fingerprinter()
      .absorbString('small', 'a')
      .absorbString('big', big)
      .absorbBytes('bytes', bytes)
      .absorbJson('json', { text: big, n: [1, 2, 3] })
      .finalize()
    expect(got).toBe(
      refFingerprint([
        { kind: 'string', tag: 'small', value: 'a' },
        { kind: 'string', tag: 'big', value: big },
        { kind: 'bytes', tag: 'bytes', value: bytes },
        { kind: 'json', tag: 'json', value: { text: big, n: [1, 2, 3] } },
      ]),
    )
    // Many small fields that straddle buffer flushes.
    const f = new Fingerprinter()
    const fields: RefField[] = []
    for (let i = 0; i < 30_000; i++) {
      f.absorbString(`t${i % 7}`, `value ${i} ${'ü'.repeat(i % 13)}`)
      fields.push({ kind: 'string', tag: `t${i % 7}`, value: `value ${i} ${'ü'.repeat(i % 13)}` })
    }
    expect(f.finalize()).toBe(refFingerprint(fields))
  })

  it('returns a canonical Fingerprint and is spent afterwards', () => {
    const f = new Fingerprinter().absorbString('a', 'b')
    const out = f.finalize()
    expect(isFingerprint(out)).toBe(true)
    expect(() => f.finalize()).toThrow(/finalized/)
    expect(() => f.absorbString('a', 'b')).toThrow(InvalidInputError)
  })

  it('copy() forks the stream', () => {
    const base = new Fingerprinter().absorbString('prefix', 'shared')
    const twin = base.copy()
    base.absorbNumber('n', 1)
    twin.absorbNumber('n', 2)
    expect(base.finalize()).toBe(fp((f) => f.absorbString('prefix', 'shared').absorbNumber('n', 1)))
    expect(twin.finalize()).toBe(fp((f) => f.absorbString('prefix', 'shared').absorbNumber('n', 2)))
  })

  it('refuses bad input with InvalidInputError prefixed by the package', () => {
    const bad: [string, () => unknown][] = [
      ['string type', () => new Fingerprinter().absorbString('x', 1 as unknown as string)],
      ['lone surrogate', () => new Fingerprinter().absorbString('x', 'a\uD800b')],
      ['lone surrogate tag', () => new Fingerprinter().absorbString('\uDC00', 'x')],
      ['tag type', () => new Fingerprinter().absorbNumber(7 as unknown as string, 1)],
      ['number type', () => new Fingerprinter().absorbNumber('x', '1' as unknown as number)],
      ['bigint type', () => new Fingerprinter().absorbBigInt('x', 1 as unknown as bigint)],
      ['bytes type', () => new Fingerprinter().absorbBytes('x', [1, 2] as unknown as Uint8Array)],
      ['json NaN', () => new Fingerprinter().absorbJson('x', { a: [1, Number.NaN] })],
      ['json bigint', () => new Fingerprinter().absorbJson('x', { a: 1n })],
      ['json function', () => new Fingerprinter().absorbJson('x', { f: () => 1 })],
      ['json undefined', () => new Fingerprinter().absorbJson('x', undefined)],
      ['json Map', () => new Fingerprinter().absorbJson('x', { m: new Map() })],
      ['json bytes', () => new Fingerprinter().absorbJson('x', { b: new Uint8Array(2) })],
    ]
    for (const [name, fn] of bad) {
      expect(fn, name).toThrow(InvalidInputError)
      expect(fn, name).toThrow(/^\[@cairn\/warm-start\] /)
    }
    expect(() => new Fingerprinter().absorbJson('x', { a: { b: [0, Infinity] } })).toThrow(
      /at \$\.a\.b\[1\]: Infinity is not a finite number/,
    )
  })
})
