import { InvalidInputError } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { hashTrainset, hashTrainsetSync, isFingerprint, TrainsetHasher } from '../src/index.js'
import { qaExamples, runFixture } from './helpers.js'
import { refTrainset } from './reference.js'

/** The same examples with every object's keys in reverse insertion order. */
function reorderKeys<T>(v: T): T {
  if (Array.isArray(v)) return v.map(reorderKeys) as T
  if (v === null || typeof v !== 'object') return v
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(v).reverse()) out[k] = reorderKeys((v as Record<string, unknown>)[k])
  return out as T
}

function* generate<T>(items: readonly T[]): Generator<T> {
  yield* items
}

async function* generateAsync<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) {
    await Promise.resolve()
    yield item
  }
}

describe('hashTrainset', () => {
  const examples = qaExamples(500)

  it('is the documented Fingerprinter stream (checked against the reference encoder)', () => {
    expect(hashTrainsetSync(examples)).toBe(refTrainset(examples))
    expect(hashTrainsetSync(examples, { ordered: false })).toBe(refTrainset(examples, false))
    expect(hashTrainsetSync([])).toBe(refTrainset([]))
    expect(hashTrainsetSync([null, 1, 'x', [1, 2], { b: [] }])).toBe(refTrainset([null, 1, 'x', [1, 2], { b: [] }]))
  })

  it('ignores object key order', () => {
    expect(hashTrainsetSync(reorderKeys(examples))).toBe(hashTrainsetSync(examples))
  })

  it('is order-sensitive by default and order-insensitive with ordered: false (a multiset)', () => {
    const shuffled = [...examples].reverse()
    expect(hashTrainsetSync(shuffled)).not.toBe(hashTrainsetSync(examples))
    expect(hashTrainsetSync(shuffled, { ordered: false })).toBe(hashTrainsetSync(examples, { ordered: false }))
    expect(hashTrainsetSync(examples, { ordered: false })).not.toBe(hashTrainsetSync(examples))
    const [a, b] = examples
    expect(hashTrainsetSync([a, a, b], { ordered: false })).not.toBe(hashTrainsetSync([a, b, b], { ordered: false }))
    expect(hashTrainsetSync([a, b], { ordered: false })).not.toBe(hashTrainsetSync([a, b, b], { ordered: false }))
  })

  it('tells apart changed, added and removed examples, and example boundaries', () => {
    const base = hashTrainsetSync(examples)
    const changed = examples.map((e, i) => (i === 250 ? { ...e, score: (e.score as number) + 1e-9 } : e))
    expect(hashTrainsetSync(changed)).not.toBe(base)
    expect(hashTrainsetSync(examples.slice(1))).not.toBe(base)
    expect(hashTrainsetSync([...examples, {}])).not.toBe(base)
    expect(hashTrainsetSync([['a', 'b'], ['c']])).not.toBe(hashTrainsetSync([['a'], ['b', 'c']]))
    expect(hashTrainsetSync(['1'])).not.toBe(hashTrainsetSync([1]))
  })

  it('gives the same answer for arrays, iterables, async iterables and incremental use', async () => {
    const want = hashTrainsetSync(examples)
    expect(await hashTrainset(examples)).toBe(want)
    expect(await hashTrainset(generate(examples))).toBe(want)
    expect(await hashTrainset(generateAsync(examples))).toBe(want)
    expect(hashTrainsetSync(new Set(examples))).toBe(want)
    const hasher = new TrainsetHasher()
    for (const e of examples) hasher.add(e)
    expect(hasher.count).toBe(examples.length)
    expect(hasher.finalize()).toBe(want)
    expect(isFingerprint(want)).toBe(true)
    expect(await hashTrainset(generateAsync(examples), { ordered: false })).toBe(hashTrainsetSync(examples, { ordered: false }))
  })

  it('streams: each example is hashed when it arrives, not kept for later', async () => {
    // The source reuses one mutable object: only a hasher that consumes every example before
    // asking for the next gets the same answer as for distinct objects.
    const reused: { text: string; i: number } = { text: '', i: -1 }
    async function* source(): AsyncGenerator<unknown> {
      for (let i = 0; i < 2000; i++) {
        reused.text = `example ${i} `.repeat(50)
        reused.i = i
        yield reused
      }
    }
    const distinct = Array.from({ length: 2000 }, (_, i) => ({ text: `example ${i} `.repeat(50), i }))
    expect(await hashTrainset(source())).toBe(hashTrainsetSync(distinct))
  })

  it('is the same in another process', async () => {
    const child = (await runFixture('hash-examples.ts', ['300', '9'])) as { ordered: string; unordered: string }
    const local = qaExamples(300, 9)
    expect(child.ordered).toBe(hashTrainsetSync(local))
    expect(child.unordered).toBe(hashTrainsetSync(local, { ordered: false }))
  })

  it('refuses what it cannot hash faithfully, naming the example and path', async () => {
    expect(() => hashTrainsetSync([{ a: 1 }, { a: Number.NaN }])).toThrow(/example 1 at \$\.a: NaN/)
    expect(() => hashTrainsetSync([{ a: 1 }, { n: 2n }])).toThrow(InvalidInputError)
    expect(() => hashTrainsetSync('abc' as unknown as string[])).toThrow(/not a string/)
    expect(() => hashTrainsetSync(42 as unknown as unknown[])).toThrow(/iterable/)
    expect(() => hashTrainsetSync([], { ordered: 'no' } as unknown as { ordered: boolean })).toThrow(/options\.ordered/)
    expect(() => hashTrainsetSync([], { order: false } as unknown as { ordered: boolean })).toThrow(
      /unknown option options.order \(did you mean ordered\?\)/,
    )
    await expect(hashTrainset(generateAsync([{ a: 1 }, undefined]))).rejects.toThrow(/example 1: undefined is not a JSON value/)
    const hasher = new TrainsetHasher()
    expect(() => hasher.add({ bad: Symbol('s') })).toThrow(InvalidInputError)
    hasher.add({ a: 1 })
    expect(hasher.count).toBe(1)
    expect(hasher.finalize()).toBe(hashTrainsetSync([{ a: 1 }]))
    expect(() => hasher.add({})).toThrow(/finalized/)
  })
})
