import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** A new access token: 32 random bytes, base64url (43 characters). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url')
}

/**
 * True when `given` is the token. Compares SHA-256 digests in constant time, so neither the
 * time taken nor an early length mismatch tells an attacker how much of a guess was right.
 */
export function tokenMatches(given: string | undefined | null, token: string): boolean {
  if (typeof given !== 'string') return false
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest()
  return timingSafeEqual(digest(given), digest(token))
}
