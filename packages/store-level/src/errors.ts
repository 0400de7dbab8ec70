import { InvalidInputError } from '@cairn/core'

/**
 * The LevelDB database is already open, in another process or through another store in this
 * one. LevelDB admits one process per database; its code is `INVALID_INPUT` (the location
 * given cannot be used), and `location` names the directory.
 */
export class LevelLockedError extends InvalidInputError {
  readonly location: string
  constructor(location: string, cause?: unknown) {
    super(
      `${PKG} the LevelDB database at "${location}" is locked: another process (or another ` +
        'store in this process) has it open, and LevelDB admits one process per database. Close the other ' +
        'one first, or use @cairn/store-fs (several processes on one machine) or @cairn/store-dynamodb ' +
        '(several machines) to share sessions between processes.',
    )
    this.location = location
    if (cause !== undefined) this.cause = cause
  }
}

/** The prefix of every message this package writes. */
export const PKG = '[@cairn/store-level]'

/**
 * An `InvalidInputError` whose message starts with the package name, then the field:
 * `[@cairn/store-level] ttlMs: must be a positive number of ms, got 0`.
 */
export function invalidInput(message: string, field?: string): InvalidInputError {
  const err = new InvalidInputError(message, field)
  err.message = `${PKG} ${field ? `${field}: ` : ''}${message}`
  return err
}

/** Maps an error of `Level#open()` to a CairnError naming the location. */
export function openError(location: string, err: unknown): Error {
  if (codeOf(err) === 'LEVEL_LOCKED' || codeOf(causeOf(err)) === 'LEVEL_LOCKED') return new LevelLockedError(location, err)
  const detail = causeOf(err) instanceof Error ? (causeOf(err) as Error).message : err instanceof Error ? err.message : String(err)
  const out = invalidInput(`cannot open the LevelDB database at "${location}": ${detail}`, 'location')
  out.cause = err
  return out
}

function codeOf(err: unknown): unknown {
  return err !== null && typeof err === 'object' ? (err as { code?: unknown }).code : undefined
}

function causeOf(err: unknown): unknown {
  return err !== null && typeof err === 'object' ? (err as { cause?: unknown }).cause : undefined
}
