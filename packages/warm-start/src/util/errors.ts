import { InvalidInputError } from '@cairn/core'

/** The prefix of every message this package puts in an error. */
export const PKG = '[@cairn/warm-start]'

/**
 * An `InvalidInputError` whose message starts with the package prefix (then the field, when
 * given), and whose `field` names the offending input.
 */
export function invalidInput(message: string, field?: string): InvalidInputError {
  const err = new InvalidInputError(`${PKG} ${field ? `${field}: ` : ''}${message}`)
  if (field !== undefined) (err as { field: string | undefined }).field = field
  return err
}
