import { InvalidInputError } from '@cairn/core'

/** Every message this package throws starts with this. */
export const PREFIX = '[@cairn/optimizers]'

/** An `InvalidInputError` whose message starts with the package prefix and the optimizer's name. */
export function invalidInput(optimizer: string, message: string): InvalidInputError {
  return new InvalidInputError(`${PREFIX} ${optimizer}: ${message}`)
}
