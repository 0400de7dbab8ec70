import { CanonicalJsonEncoder } from './canonical-json-encoder.js'

// Made on first use, not when this module loads: errors.ts reaches this module (a resume
// mismatch describes its differences as canonical JSON) and the encoder's errors reach
// errors.ts, so in a bundle the encoder class may not be defined yet when this module loads.
let shared: CanonicalJsonEncoder | undefined

/**
 * JSON with object keys sorted (by UTF-16 code units, as RFC 8785) and no whitespace, so equal
 * values give equal strings. Honours `toJSON` (so a `Date` becomes its ISO string); array holes
 * become `null`. Throws on values JSON cannot carry faithfully (NaN, Infinity, functions,
 * cycles, Map, Set, binary data). For a stream of similar values, a `CanonicalJsonEncoder` of
 * their own is faster.
 */
export function canonicalJson(value: unknown): string {
  shared ??= new CanonicalJsonEncoder()
  return shared.encode(value)
}
