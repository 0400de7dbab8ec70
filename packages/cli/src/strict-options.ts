import { defineOptions, InvalidInputError, type OptionErrorFactory, type OptionProperties, type OptionsSchema } from '@cairn/core'
import { PKG } from './errors.js'

/** A malformed option: an `InvalidInputError` naming the field, `[cairn] field: what`, as `ConfigError` words it. */
const optionError: OptionErrorFactory = (message, field) => {
  const err = new InvalidInputError(message, field)
  err.message = `${PKG} ${field !== undefined ? `${field}: ` : ''}${message}`
  return err
}

/**
 * The schema of an options object `what` takes (`start`, `loadConfig` …): unknown keys are
 * core's `UnknownOptionError` (`[cairn] start: unknown option maxTrial (did you mean
 * maxTrials?)`), malformed values an `InvalidInputError` naming the field.
 */
export function strict<T>(what: string, properties: OptionProperties<T>): OptionsSchema<T> {
  return defineOptions<T>(`${PKG} ${what}`, properties, { error: optionError })
}
