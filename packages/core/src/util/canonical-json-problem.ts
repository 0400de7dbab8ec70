import { InvalidInputError } from '../errors.js'

/**
 * Why a value has no canonical JSON form: `non-finite-number` (NaN, ±Infinity),
 * `unsupported-type` (a bigint, a symbol, or a function or `undefined` anywhere but as an
 * array item; an `undefined` object member is simply left out), `unsupported-object` (a
 * `Map`, `Set`, typed array, `DataView` or `ArrayBuffer`), `cycle` (an object inside itself).
 */
export type CanonicalJsonProblemReason = 'non-finite-number' | 'unsupported-type' | 'unsupported-object' | 'cycle'

/** What a `CanonicalJsonEncoder` refused, and where: what its `encode` hands to `onProblem`. */
export interface CanonicalJsonProblem {
  readonly reason: CanonicalJsonProblemReason
  /** The offending value (after `toJSON`). */
  readonly value: unknown
  /** Object keys and array indexes from the root to the value; empty for the root itself. */
  readonly path: readonly (string | number)[]
}

/** Makes the error `CanonicalJsonEncoder.encode` throws for a problem. */
export type CanonicalJsonProblemHandler = (problem: CanonicalJsonProblem) => Error

/** `canonicalJson`'s errors: an `InvalidInputError` naming what was refused (not where). */
export function canonicalJsonError({ reason, value }: CanonicalJsonProblem): InvalidInputError {
  switch (reason) {
    case 'non-finite-number':
      return new InvalidInputError(`cannot store the number ${String(value)} as JSON`)
    case 'unsupported-object':
      return new InvalidInputError(`cannot store a ${(value as object).constructor.name} as JSON; convert it to an array or object first`)
    case 'cycle':
      return new InvalidInputError('cannot store a cyclic value as JSON')
    case 'unsupported-type':
      return new InvalidInputError(`cannot store a ${typeof value} as JSON`)
  }
}
