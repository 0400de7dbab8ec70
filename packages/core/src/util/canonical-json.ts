import { CanonicalJsonEncoder } from './canonical-json-encoder.js'

const shared = new CanonicalJsonEncoder()

/**
 * JSON with object keys sorted (by UTF-16 code units, as RFC 8785) and no whitespace, so equal
 * values give equal strings. Honours `toJSON` (so a `Date` becomes its ISO string); array holes
 * become `null`. Throws on values JSON cannot carry faithfully (NaN, Infinity, functions,
 * cycles, Map, Set, binary data). For a stream of similar values, a `CanonicalJsonEncoder` of
 * their own is faster.
 */
export function canonicalJson(value: unknown): string {
  return shared.encode(value)
}
