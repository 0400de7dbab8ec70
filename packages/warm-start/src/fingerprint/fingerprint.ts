import { invalidInput } from '../util/errors.js'

declare const fingerprintBrand: unique symbol

/**
 * A SHA-256 content fingerprint: 64 lowercase hexadecimal characters. A branded string, so
 * a plain string must go through `Fingerprint.fromHex` (or `isFingerprint`) to become one.
 */
export type Fingerprint = string & { readonly [fingerprintBrand]: true }

const HEX64 = /^[0-9a-f]{64}$/
const HEX64_ANY_CASE = /^[0-9a-fA-F]{64}$/

/** True when `value` is a fingerprint in canonical form (64 lowercase hex characters). */
export function isFingerprint(value: unknown): value is Fingerprint {
  return typeof value === 'string' && HEX64.test(value)
}

/** Helpers of the `Fingerprint` type. */
export const Fingerprint = {
  /**
   * Validates a 64-character hexadecimal string (either case) and returns it in canonical
   * lowercase form. Throws `InvalidInputError` for anything else.
   */
  fromHex(hex: string): Fingerprint {
    if (typeof hex !== 'string' || !HEX64_ANY_CASE.test(hex))
      throw invalidInput(`must be 64 hexadecimal characters (a SHA-256 digest), got ${describe(hex)}`, 'fingerprint')
    return hex.toLowerCase() as Fingerprint
  },
  /** Same as `isFingerprint`. */
  is: isFingerprint,
} as const

function describe(value: unknown): string {
  if (typeof value !== 'string') return value === null ? 'null' : `a ${typeof value}`
  return value.length > 80 ? `a string of ${value.length} characters` : JSON.stringify(value)
}
