import { CairnError, CheckpointCorruptError, InvalidInputError, StoreIoError } from '@cairn/core'
import { describeHolder, type HolderInfo } from './holder-info.js'

/** The prefix of every message this package writes. */
export const PKG = '[@cairn/store-level]'

/** What else a `LevelLockedError` knows: the holder, when it answered, and the write it refused. */
export interface LevelLockedDetails {
  /** The process holding the database, when it serves other processes (it told who it is). */
  holder?: HolderInfo
  /** The write refused to a store reading through the holder: `create session "x"`. */
  refused?: string
}

const ALTERNATIVES =
  'use @cairn/store-fs (several processes on one machine) or @cairn/store-dynamodb (several machines) to share sessions between processes.'

/**
 * The LevelDB database is held by another process (or another store in this process), and
 * LevelDB admits one process per database. Its code is `INVALID_INPUT` (the location given
 * cannot be used as asked), `location` names the directory, and `holder` the process holding
 * it when that process serves reads (then the message says so: a `shareReads` store reads
 * through it). A store reading through the holder gets this error for a write, naming it.
 */
export class LevelLockedError extends InvalidInputError {
  readonly location: string
  /** The process holding the database, when it answered. */
  readonly holder: HolderInfo | undefined
  constructor(location: string, cause?: unknown, details: LevelLockedDetails = {}) {
    super(lockedMessage(location, details))
    this.location = location
    this.holder = details.holder
    if (cause !== undefined) this.cause = cause
  }
}

function lockedMessage(location: string, { holder, refused }: LevelLockedDetails): string {
  if (!holder)
    return (
      `${PKG} the LevelDB database at "${location}" is locked: another process (or another ` +
      'store in this process) has it open, and LevelDB admits one process per database. Close the other ' +
      `one first, or ${ALTERNATIVES}`
    )
  if (refused)
    return (
      `${PKG} cannot ${refused}: the LevelDB database at "${location}" is held by ${describeHolder(holder)}, and ` +
      'LevelDB admits one process per database. This store reads through that process, which answers reads and ' +
      `pause or cancel requests but no writes. Pause or stop it, or wait for it to end, then try again; or ${ALTERNATIVES}`
    )
  return (
    `${PKG} the LevelDB database at "${location}" is locked: ${describeHolder(holder)} has it open, and LevelDB ` +
    'admits one process per database. That process answers reads and pause or cancel requests from other processes ' +
    '(a store created with shareReads: true reads through it, as the cairn CLI does), but no writes. To write here, ' +
    `stop it or wait for it to end; or ${ALTERNATIVES}`
  )
}

/**
 * An `InvalidInputError` whose message starts with the package name, then the field:
 * `[@cairn/store-level] ttlMs: must be a positive number of ms, got 0`.
 */
export function invalidInput(message: string, field?: string): InvalidInputError {
  const err = new InvalidInputError(message, field)
  err.message = `${PKG} ${field ? `${field}: ` : ''}${message}`
  return err
}

/** The database as a whole is damaged: `CheckpointCorruptError` naming its location. */
export function corruptDatabase(location: string, detail: string, cause?: unknown): CheckpointCorruptError {
  return new CheckpointCorruptError(`${PKG} the LevelDB database at "${location}"`, detail, cause === undefined ? undefined : { cause })
}

/** An I/O failure while working on `what`: `StoreIoError` with the system's message. */
export function ioError(what: string, err: unknown): StoreIoError {
  return new StoreIoError(`${PKG} ${what}`, `${messageOf(err)}${codeSuffix(err)}`, { cause: err })
}

/**
 * Maps an error of LevelDB (through `classic-level`) to a CairnError naming the location and,
 * when given, what the operation was about (`session "x"`): `LEVEL_CORRUPTION` →
 * `CheckpointCorruptError`, `LEVEL_LOCKED` → `LevelLockedError`, any other LevelDB failure
 * (`LEVEL_IO_ERROR`, …) → `StoreIoError`. CairnErrors pass through unchanged.
 */
export function levelError(err: unknown, location: string, subject?: string): Error {
  if (err instanceof CairnError) return err
  const code = levelCode(err)
  if (code === undefined) return err instanceof Error ? err : new Error(String(err))
  if (code === 'LEVEL_LOCKED') return new LevelLockedError(location, err)
  const where = `${subject ? `${subject} in ` : ''}the LevelDB database at "${location}"`
  const detail = messageOf(innermost(err))
  if (code === 'LEVEL_CORRUPTION')
    return new CheckpointCorruptError(`${PKG} ${where}`, `LevelDB reports: ${detail}. Nothing was changed`, { cause: err })
  return new StoreIoError(`${PKG} ${where}`, `LevelDB failed (${code}): ${detail}`, { cause: err })
}

/**
 * The most specific `LEVEL_*` code of an error or its causes: `Level#open()` wraps LevelDB's
 * own error (`LEVEL_CORRUPTION`, `LEVEL_IO_ERROR`, `LEVEL_LOCKED`) in `LEVEL_DATABASE_NOT_OPEN`.
 */
function levelCode(err: unknown): string | undefined {
  let found: string | undefined
  for (let e: unknown = err, depth = 0; e !== null && typeof e === 'object' && depth < 5; e = causeOf(e), depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && code.startsWith('LEVEL_')) found = code
  }
  return found
}

function innermost(err: unknown): unknown {
  let e = err
  for (let depth = 0; depth < 5 && causeOf(e) !== undefined; depth++) e = causeOf(e)
  return e
}

function causeOf(err: unknown): unknown {
  return err !== null && typeof err === 'object' ? (err as { cause?: unknown }).cause : undefined
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

function codeSuffix(err: unknown): string {
  const code = err !== null && typeof err === 'object' ? (err as { code?: unknown }).code : undefined
  return typeof code === 'string' && !messageOf(err).includes(code) ? ` (${code})` : ''
}
