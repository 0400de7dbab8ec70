/**
 * Deterministic byte patterns for the trial-progress tests: save `k` is `patternBytes(k, n)`,
 * so whoever loads a save can tell which one it is (its first 8 bytes say `k` and the length)
 * and check every other byte against a fresh copy: a mix of two saves, or a part of one, never
 * passes.
 */

/** A block of the pattern, tiled over the bytes (so making megabytes costs a copy, not a loop in JS). */
const BLOCK_BYTES = 64 * 1024

/** `length` bytes (at least 8): `k` and `length` as u32 big-endian, then a 64 KiB xorshift block seeded by `k`, repeated. */
export function patternBytes(k: number, length: number): Uint8Array {
  if (length < 8) throw new Error(`[@cairn/testkit] a pattern needs at least 8 bytes, got ${length}`)
  const bytes = new Uint8Array(length)
  const block = Math.min(BLOCK_BYTES, length)
  const words = new Uint32Array(bytes.buffer, 0, block >>> 2)
  let x = (k * 0x9e3779b1 + 0x7f4a7c15) >>> 0 || 1
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    words[i] = x >>> 0
  }
  for (let i = words.length * 4; i < block; i++) bytes[i] = (k + i) & 0xff
  for (let filled = block; filled < length; filled *= 2) bytes.copyWithin(filled, 0, Math.min(filled, length - filled))
  const view = new DataView(bytes.buffer)
  view.setUint32(0, k >>> 0)
  view.setUint32(4, length >>> 0)
  return bytes
}

/** Which save (`k`) `bytes` claims to be, and whether every byte matches it. */
export function readPattern(bytes: Uint8Array): { k: number; intact: boolean } {
  if (bytes.length < 8) return { k: -1, intact: false }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const k = view.getUint32(0)
  const length = view.getUint32(4)
  return { k, intact: length === bytes.length && sameBytes(bytes, patternBytes(k, length)) }
}

/** True when `a` and `b` hold the same bytes (fast, and no huge diff in a failing assertion). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
}

/** A short description of `bytes` for assertions: length and which pattern it holds. */
export function describeBytes(bytes: Uint8Array | null | undefined): { length: number; k: number; intact: boolean } | null {
  if (!bytes) return null
  return { length: bytes.length, ...readPattern(bytes) }
}
