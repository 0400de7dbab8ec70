import { InvalidInputError } from '../errors.js'

const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

/**
 * Throws `InvalidInputError` unless `id` is a safe session id: 1–128 characters of
 * letters, digits, `.`, `_` and `-`, starting with a letter or digit. No separators, no `..`,
 * so a store may use it as a file or key name.
 */
export function assertSessionId(id: unknown, field = 'sessionId'): asserts id is string {
  if (typeof id !== 'string' || !SESSION_ID.test(id) || id.includes('..'))
    throw new InvalidInputError(
      `${JSON.stringify(id)} is not a valid session id (1–128 of A–Z a–z 0–9 . _ -, starting with a letter or digit, no "..")`,
      field,
    )
}

/** A new random session id. */
export function newSessionId(): string {
  return `s-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`
}
