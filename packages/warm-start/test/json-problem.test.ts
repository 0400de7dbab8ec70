// biome-ignore-all lint/suspicious/noSparseArray: arrays with holes are among the cases under test
import { InvalidInputError } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { Fingerprinter, hashTrainsetSync, TrainsetHasher } from '../src/index.js'
import { refFingerprint, refTrainset } from './reference.js'

describe('JSON fields (core canonical JSON)', () => {
  it('hash the canonical JSON core writes, class instances and toJSON included', () => {
    class Example {
      constructor(
        public question: string,
        public answer: string,
      ) {}
    }
    const values = [
      new Example('q', 'a'),
      { when: new Date(0), custom: { toJSON: () => ({ y: 1, x: 2 }) } },
      [1, , 3, undefined],
      { a: undefined, b: -0 },
    ]
    expect(hashTrainsetSync(values)).toBe(refTrainset(values))
    expect(new Fingerprinter().absorbJson('v', values).finalize()).toBe(refFingerprint([{ kind: 'json', tag: 'v', value: values }]))
  })

  it('name the subject and the path of what they refuse', () => {
    const cyclic: Record<string, unknown> = { a: [] }
    ;(cyclic.a as unknown[]).push(cyclic)
    const hasher = new TrainsetHasher()
    hasher.add({ ok: 1 }).add(2).add('three')
    expect(() => hasher.add(cyclic)).toThrow(/^\[@cairn\/warm-start\] cannot fingerprint example 3 at \$\.a\[0\]: the value is cyclic$/)
    expect(hasher.count).toBe(3)
    const absorb = (value: unknown) => () => new Fingerprinter().absorbJson('x', value)
    expect(absorb({ 'odd key': { n: Number.NaN } })).toThrow(/absorbJson\("x"\) at \$\["odd key"\]\.n: NaN is not a finite number/)
    expect(absorb({ s: new Set([1]) })).toThrow(/\$\.s: a Set has no JSON form/)
    expect(absorb([{ b: new Uint8Array(1) }])).toThrow(/\$\[0\]\.b: binary data has no canonical JSON form/)
    expect(absorb({ s: Symbol('x') })).toThrow(/\$\.s: a symbol is not a JSON value/)
    expect(absorb({ n: 1n })).toThrow(/\$\.n: a bigint is not a JSON value/)
    expect(absorb(undefined)).toThrow(/^\[@cairn\/warm-start\] cannot fingerprint absorbJson\("x"\): undefined is not a JSON value/)
    expect(absorb({ f: () => 1 })).toThrow(InvalidInputError)
  })

  it('take deep acyclic values', () => {
    let deep: unknown = 'leaf'
    for (let i = 0; i < 200; i++) deep = { d: deep }
    expect(hashTrainsetSync([deep])).toBe(refTrainset([deep]))
  })
})
