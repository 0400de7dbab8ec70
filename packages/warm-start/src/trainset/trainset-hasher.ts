import * as crypto from 'node:crypto'
import { CanonicalJsonEncoder, defineOptions, optionKinds as k, type OptionsSchema } from '@cairn/core'
import type { Fingerprint } from '../fingerprint/fingerprint.js'
import { absorbCanonicalText, Fingerprinter } from '../fingerprint/fingerprinter.js'
import { fingerprintJsonError } from '../fingerprint/json-problem.js'
import { PKG, invalidInput } from '../util/errors.js'

/** Options of `hashTrainset` and `TrainsetHasher`. */
export interface HashTrainsetOptions {
  /**
   * `true` (default): the order of examples matters. `false`: the trainset is hashed as a
   * multiset: any order gives the same fingerprint, but duplicates still count.
   */
  ordered?: boolean
}

type OneShotHash = (algorithm: string, data: string) => string
const oneShot = (crypto as unknown as { hash?: OneShotHash }).hash

/**
 * Incremental trainset hashing: `add` examples one at a time (as they are read), then
 * `finalize`. Memory stays flat in ordered mode; unordered mode keeps one hex digest (~100 bytes) per example.
 *
 * The fingerprint is defined by these `Fingerprinter` calls (the README has test vectors):
 * ordered: `absorbString('domain', 'cairn/trainset')`, `absorbString('order', 'ordered')`,
 * `absorbJson('example', e)` per example, `absorbNumber('count', n)`; unordered: the same
 * with `'unordered'`, and instead of the examples, `absorbBytes('example-digest', d)` for
 * each example's SHA-256 digest of its canonical JSON (UTF-8), in ascending byte order.
 */
export class TrainsetHasher {
  /** Whether the order of examples matters. */
  readonly ordered: boolean
  #fp: Fingerprinter
  #encoder = new CanonicalJsonEncoder()
  #digests: string[] = []
  #count = 0
  #done = false

  constructor(options: HashTrainsetOptions = {}) {
    this.ordered = readOrdered(options)
    this.#fp = new Fingerprinter().absorbString('domain', 'cairn/trainset').absorbString('order', this.ordered ? 'ordered' : 'unordered')
  }

  /** Examples added so far. */
  get count(): number {
    return this.#count
  }

  /**
   * Adds one example (any JSON value; object key order does not matter). Throws
   * `InvalidInputError` naming the example's index and the path of what JSON cannot carry;
   * a refused example is not counted and the hasher stays usable.
   */
  add(example: unknown): this {
    if (this.#done) throw invalidInput('this TrainsetHasher was finalized; create a new one')
    const index = this.#count
    const text = this.#encoder.encode(example, (problem) => fingerprintJsonError(problem, index))
    if (this.ordered) this.#fp[absorbCanonicalText]('example', text)
    else this.#digests.push(oneShot ? oneShot('sha256', text) : crypto.createHash('sha256').update(text, 'utf8').digest('hex'))
    this.#count++
    return this
  }

  /** The trainset's fingerprint. The hasher is then spent. */
  finalize(): Fingerprint {
    if (this.#done) throw invalidInput('this TrainsetHasher was finalized; create a new one')
    this.#done = true
    if (!this.ordered) {
      // Lowercase hex sorts like the bytes it spells.
      this.#digests.sort()
      for (const d of this.#digests) this.#fp.absorbBytes('example-digest', Buffer.from(d, 'hex'))
      this.#digests = []
    }
    return this.#fp.absorbNumber('count', this.#count).finalize()
  }
}

const HashTrainsetOptionsSchema: OptionsSchema<HashTrainsetOptions> = defineOptions<HashTrainsetOptions>(
  `${PKG} hashTrainset`,
  { ordered: k.optional(k.boolean()) },
  { error: (message, field) => invalidInput(message, field ?? 'options') },
)

function readOrdered(options: unknown): boolean {
  HashTrainsetOptionsSchema.check(options, 'options')
  return (options as HashTrainsetOptions).ordered ?? true
}
