import type { Fingerprint } from '../fingerprint/fingerprint.js'
import { invalidInput } from '../util/errors.js'
import { TrainsetHasher, type HashTrainsetOptions } from './trainset-hasher.js'

/**
 * The fingerprint of a trainset: stable across processes, platforms and object key order
 * (examples are hashed as canonical JSON). Accepts an array, any iterable or an async
 * iterable (a generator reading a file, a stream of records), and hashes it incrementally,
 * example by example, without building one big string. With `{ ordered: false }` the order of
 * examples does not matter (duplicates still do).
 *
 * Pass the result as `trainsetHash` to `startSession` so resumes verify the data and
 * warm-start keys tell trainsets apart:
 *
 * ```ts
 * await startSession({ ..., trainsetHash: await hashTrainset(examples), warmStart: { store } })
 * ```
 */
export async function hashTrainset(
  examples: Iterable<unknown> | AsyncIterable<unknown>,
  options: HashTrainsetOptions = {},
): Promise<Fingerprint> {
  const hasher = new TrainsetHasher(options)
  if (isAsyncIterable(examples)) {
    for await (const example of examples) hasher.add(example)
  } else {
    for (const example of checkIterable(examples)) hasher.add(example)
  }
  return hasher.finalize()
}

/** `hashTrainset` for synchronous iterables (arrays, generators), returning the fingerprint directly. */
export function hashTrainsetSync(examples: Iterable<unknown>, options: HashTrainsetOptions = {}): Fingerprint {
  const hasher = new TrainsetHasher(options)
  if (Array.isArray(examples)) {
    for (let i = 0; i < examples.length; i++) hasher.add(examples[i])
  } else {
    for (const example of checkIterable(examples)) hasher.add(example)
  }
  return hasher.finalize()
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
}

function checkIterable(value: unknown): Iterable<unknown> {
  if (typeof value === 'string') throw invalidInput('must be an iterable of examples (an array, a generator), not a string', 'examples')
  if (value === null || typeof value !== 'object' || typeof (value as Iterable<unknown>)[Symbol.iterator] !== 'function')
    throw invalidInput(`must be an iterable or async iterable of examples, got ${value === null ? 'null' : typeof value}`, 'examples')
  return value as Iterable<unknown>
}
