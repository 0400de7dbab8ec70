import { createHash, type Hash } from 'node:crypto'
import { CanonicalJsonEncoder } from '@cairn/core'
import { invalidInput } from '../util/errors.js'
import { isWellFormed } from '../util/well-formed.js'
import { FieldKind, PREAMBLE, TAG_PREFIX_BYTES, VALUE_LENGTH_BYTES } from './encoding.js'
import type { Fingerprint } from './fingerprint.js'
import { fingerprintJsonError } from './json-problem.js'

/** Absorbed bytes are gathered here and handed to SHA-256 in large pieces. */
const BUFFER_BYTES = 256 * 1024
/** Values larger than this skip the buffer. */
const DIRECT_BYTES = BUFFER_BYTES / 2
const TWO_32 = 4294967296

/** Package-internal method key (not exported from the package index). */
export const absorbCanonicalText: unique symbol = Symbol('absorbCanonicalText')

/**
 * Builds a SHA-256 content fingerprint from typed, tagged fields. Every field is written as
 * its kind byte, its tag and its value, each length-prefixed, after a preamble that names
 * the encoding version (see the package README for the exact bytes and test vectors), so:
 * the string `"1"` and the number `1` never collide, nor do `["ab","c"]` and `["a","bc"]`,
 * nor the same value under two tags. Absorb methods return `this` for chaining.
 *
 * ```ts
 * const fp = new Fingerprinter().absorbString('model', 'knn').absorbNumber('k', 5).absorbJson('space', space).finalize()
 * ```
 */
export class Fingerprinter {
  #hash: Hash = createHash('sha256')
  #buf: Buffer = Buffer.allocUnsafe(BUFFER_BYTES)
  #pos = 0
  #done = false
  #json: CanonicalJsonEncoder | undefined
  #lastTag = ''
  #lastTagBytes: Buffer = Buffer.alloc(0)

  constructor() {
    this.#put(PREAMBLE)
  }

  /** Absorbs a string as UTF-8. Refuses lone surrogates (their UTF-8 form would be lossy). */
  absorbString(tag: string, value: string): this {
    this.#open()
    if (typeof value !== 'string') throw invalidInput(`must be a string, got ${typeName(value)}`, `absorbString(${JSON.stringify(tag)})`)
    if (!isWellFormed(value))
      throw invalidInput('contains a lone surrogate, which has no UTF-8 form', `absorbString(${JSON.stringify(tag)})`)
    this.#text(FieldKind.string, tag, value)
    return this
  }

  /** Absorbs raw bytes (any `ArrayBufferView` or an `ArrayBuffer`). */
  absorbBytes(tag: string, value: ArrayBufferView | ArrayBuffer): this {
    this.#open()
    let bytes: Uint8Array
    if (value instanceof Uint8Array) bytes = value
    else if (ArrayBuffer.isView(value)) bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
    else if (value instanceof ArrayBuffer) bytes = new Uint8Array(value)
    else
      throw invalidInput(
        `must be a Uint8Array, an ArrayBufferView or an ArrayBuffer, got ${typeName(value)}`,
        `absorbBytes(${JSON.stringify(tag)})`,
      )
    this.#header(FieldKind.bytes, tag, bytes.length)
    this.#put(bytes)
    return this
  }

  /**
   * Absorbs a number as IEEE 754 binary64, big-endian. `-0` is folded to `+0`; `NaN` is
   * refused (it has many bit patterns and equals nothing); `±Infinity` are accepted.
   */
  absorbNumber(tag: string, value: number): this {
    this.#open()
    if (typeof value !== 'number') throw invalidInput(`must be a number, got ${typeName(value)}`, `absorbNumber(${JSON.stringify(tag)})`)
    if (Number.isNaN(value)) throw invalidInput('NaN cannot be fingerprinted', `absorbNumber(${JSON.stringify(tag)})`)
    this.#header(FieldKind.number, tag, 8)
    this.#reserve(8)
    this.#buf.writeDoubleBE(value === 0 ? 0 : value, this.#pos)
    this.#pos += 8
    return this
  }

  /** Absorbs a bigint as a sign byte then its magnitude, big-endian, without leading zero bytes. */
  absorbBigInt(tag: string, value: bigint): this {
    this.#open()
    if (typeof value !== 'bigint') throw invalidInput(`must be a bigint, got ${typeName(value)}`, `absorbBigInt(${JSON.stringify(tag)})`)
    const negative = value < 0n
    const hex = (negative ? -value : value).toString(16)
    const magnitude = value === 0n ? Buffer.alloc(0) : Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex')
    this.#header(FieldKind.bigint, tag, 1 + magnitude.length)
    this.#put(Uint8Array.of(negative ? 1 : 0))
    this.#put(magnitude)
    return this
  }

  /**
   * Absorbs a JSON value as the UTF-8 of its canonical JSON (RFC 8785 key order, whatever
   * the objects' key order). Throws `InvalidInputError` naming the path of anything JSON
   * cannot carry faithfully (NaN, Infinity, bigint, function, cycle, Map, Set, binary data).
   */
  absorbJson(tag: string, value: unknown): this {
    this.#open()
    this.#json ??= new CanonicalJsonEncoder()
    this.#text(
      FieldKind.json,
      tag,
      this.#json.encode(value, (problem) => fingerprintJsonError(problem, `absorbJson(${JSON.stringify(tag)})`)),
    )
    return this
  }

  /** Hashes everything absorbed and returns the 64-hex fingerprint. The fingerprinter is then spent. */
  finalize(): Fingerprint {
    this.#open()
    this.#flush()
    this.#done = true
    return this.#hash.digest('hex') as Fingerprint
  }

  /** An independent fingerprinter that has absorbed the same fields (for a shared prefix). */
  copy(): Fingerprinter {
    this.#open()
    this.#flush()
    const twin = new Fingerprinter()
    twin.#hash = this.#hash.copy()
    twin.#pos = 0
    return twin
  }

  /** Package-internal: absorbs a JSON field whose canonical text is already known (trainset hashing). */
  [absorbCanonicalText](tag: string, canonicalText: string): void {
    this.#open()
    this.#text(FieldKind.json, tag, canonicalText)
  }

  #open(): void {
    if (this.#done) throw invalidInput('this Fingerprinter was finalized; create a new one (or copy() before finalizing)')
  }

  #text(kind: number, tag: string, text: string): void {
    const tagBytes = this.#tag(tag)
    const headerBytes = TAG_PREFIX_BYTES + tagBytes.length + VALUE_LENGTH_BYTES
    const buf = this.#buf
    if (this.#pos + headerBytes + text.length * 3 <= BUFFER_BYTES) {
      // Fits for sure: write the header, the text after it, then patch the length in.
      let p = this.#pos
      buf[p] = kind
      buf.writeUInt32BE(tagBytes.length, p + 1)
      p += TAG_PREFIX_BYTES
      p += tagBytes.copy(buf, p)
      const lengthAt = p
      p += VALUE_LENGTH_BYTES
      const n = buf.write(text, p, 'utf8')
      buf.writeUInt32BE(Math.floor(n / TWO_32), lengthAt)
      buf.writeUInt32BE(n >>> 0, lengthAt + 4)
      this.#pos = p + n
      return
    }
    const n = Buffer.byteLength(text, 'utf8')
    this.#header(kind, tag, n)
    if (n > DIRECT_BYTES) {
      this.#flush()
      this.#hash.update(text, 'utf8')
      return
    }
    this.#reserve(n)
    this.#pos += buf.write(text, this.#pos, 'utf8')
  }

  #header(kind: number, tag: string, valueLength: number): void {
    const tagBytes = this.#tag(tag)
    this.#reserve(TAG_PREFIX_BYTES)
    const buf = this.#buf
    buf[this.#pos] = kind
    buf.writeUInt32BE(tagBytes.length, this.#pos + 1)
    this.#pos += TAG_PREFIX_BYTES
    this.#put(tagBytes)
    this.#reserve(VALUE_LENGTH_BYTES)
    buf.writeUInt32BE(Math.floor(valueLength / TWO_32), this.#pos)
    buf.writeUInt32BE(valueLength >>> 0, this.#pos + 4)
    this.#pos += VALUE_LENGTH_BYTES
  }

  #tag(tag: string): Buffer {
    if (tag === this.#lastTag && this.#lastTagBytes.length > 0) return this.#lastTagBytes
    if (typeof tag !== 'string') throw invalidInput(`must be a string, got ${typeName(tag)}`, 'tag')
    if (!isWellFormed(tag)) throw invalidInput('contains a lone surrogate, which has no UTF-8 form', 'tag')
    const bytes = Buffer.from(tag, 'utf8')
    this.#lastTag = tag
    this.#lastTagBytes = bytes
    return bytes
  }

  /** Makes room for `n` contiguous bytes (n ≤ the buffer size). */
  #reserve(n: number): void {
    if (this.#pos + n > BUFFER_BYTES) this.#flush()
  }

  #put(bytes: Uint8Array): void {
    if (bytes.length > DIRECT_BYTES) {
      this.#flush()
      this.#hash.update(bytes)
      return
    }
    this.#reserve(bytes.length)
    this.#buf.set(bytes, this.#pos)
    this.#pos += bytes.length
  }

  #flush(): void {
    if (this.#pos > 0) {
      this.#hash.update(this.#buf.subarray(0, this.#pos))
      this.#pos = 0
    }
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return `a ${typeof value}`
}
