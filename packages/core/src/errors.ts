import type { JsonDifference } from './util/json-differences.js'

/** Stable machine-readable error codes. A code never changes meaning once published. */
export type CairnErrorCode =
  | 'ALREADY_RUNNING'
  | 'ALREADY_TERMINAL'
  | 'RESUME_MISMATCH'
  | 'NOT_PAUSED'
  | 'NOT_FOUND'
  | 'LEASE_LOST'
  | 'REVISION_CONFLICT'
  | 'CHECKPOINT_CORRUPT'
  | 'INVALID_INPUT'
  | 'TIMEOUT'
  | 'OPTIMIZER_ERROR'
  | 'STORE_IO'
  | 'TRIAL_CLAIMED'
  | 'CLAIM_LOST'
  | 'NOT_JOINABLE'

/** Base class of every error Cairn throws on purpose. Switch on `code`, not on the class name. */
export class CairnError extends Error {
  readonly code: CairnErrorCode

  constructor(code: CairnErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

/** What `AlreadyRunningError` knows about the lease that refused the caller. */
export interface AlreadyRunningDetails {
  /** When the holder's lease expires (epoch ms), unless it is renewed first. */
  leaseExpiresAt?: number
}

/**
 * The session id is already driven, in this process or (through the lease) in another. When a
 * store refused a lease, `leaseExpiresAt` says when the holder's lease runs out (the message says
 * in how long): a driver that died lets it expire, a live one keeps renewing it.
 * `resumeSession(store, id, { waitForLease: true })` waits for it instead of failing.
 */
export class AlreadyRunningError extends CairnError {
  readonly sessionId: string
  readonly owner: string | undefined
  /** When the holder's lease expires (epoch ms), when known. */
  readonly leaseExpiresAt: number | undefined
  constructor(sessionId: string, owner?: string, detail?: string, details: AlreadyRunningDetails = {}) {
    const expiry = details.leaseExpiresAt === undefined ? '' : ` (${describeLeaseExpiry(details.leaseExpiresAt)})`
    super(
      'ALREADY_RUNNING',
      `session "${sessionId}" is already being driven${owner ? ` by ${owner}` : ''}${expiry}${detail ? `: ${detail}` : ''}; ` +
        'wait for it to stop, or pause or cancel it first',
    )
    this.sessionId = sessionId
    this.owner = owner
    this.leaseExpiresAt = details.leaseExpiresAt
  }
}

/** "lease expires in 12 s" (rounded up; minutes from 2 minutes on), or "lease expired" once past. */
export function describeLeaseExpiry(expiresAt: number, now = Date.now()): string {
  const ms = expiresAt - now
  if (ms <= 0) return 'lease expired'
  const seconds = Math.ceil(ms / 1000)
  return seconds < 120 ? `lease expires in ${seconds} s` : `lease expires in ${Math.ceil(seconds / 60)} min`
}

/** The session already reached a terminal status (completed, failed, cancelled). */
export class AlreadyTerminalError extends CairnError {
  readonly sessionId: string
  readonly status: string
  constructor(sessionId: string, status: string) {
    super('ALREADY_TERMINAL', `session "${sessionId}" is ${status} and cannot be resumed; start a new session instead`)
    this.sessionId = sessionId
    this.status = status
  }
}

/** Why a resume was refused. */
export type ResumeMismatchReason =
  | 'optimizer-id'
  | 'optimizer-options'
  | 'state-version'
  | 'trainset-hash'
  | 'valset-hash'
  | 'pruner'
  | 'space'
  | 'direction'
  | 'directions'
  | 'seed'
  | 'checkpoint-shape'

/** What a `ResumeMismatchError` holds besides its reason. */
export interface ResumeMismatchDetails {
  /** The whole value that is stored. */
  readonly expected: unknown
  /** The whole value the caller gave. */
  readonly got: unknown
  /** The places where the two differ, leaf by leaf (empty when they differ as a whole: a number against a string, say). */
  readonly differences: readonly JsonDifference[]
  /** How a person reads each place (`n_startup_trials: stored 10, got 20`), or the two whole values when no place is listed. */
  readonly described: readonly string[]
  /** Why the field must match, or what to do about it. */
  readonly detail?: string
}

/**
 * The stored session does not match what the caller resumes it with. Nothing was changed.
 * The message names each field that differs (`n_startup_trials: stored 10, got 20`);
 * `expected` (what is stored) and `got` hold the whole values, `differences` the places.
 * Core's resume checks find and word the differences and hand them to the constructor.
 */
export class ResumeMismatchError extends CairnError {
  readonly reason: ResumeMismatchReason
  readonly expected: unknown
  readonly got: unknown
  readonly differences: readonly JsonDifference[]
  // Only carries the differences: wording them needs canonical JSON, whose errors are defined
  // in this module, and this module imports nothing at run time (no import cycle).
  constructor(reason: ResumeMismatchReason, details: ResumeMismatchDetails) {
    const { detail } = details
    super('RESUME_MISMATCH', `cannot resume: ${reason} differs (${details.described.join('; ')})${detail ? `; ${detail}` : ''}`)
    this.reason = reason
    this.expected = details.expected
    this.got = details.got
    this.differences = details.differences
  }
}

/** `resume()` was called on a session handle that is not paused. */
export class NotPausedError extends CairnError {
  constructor(sessionId: string, status: string) {
    super('NOT_PAUSED', `session "${sessionId}" is ${status}, not paused; only a paused session can be resumed`)
  }
}

/** No session (or entry) with that id exists in the store. */
export class NotFoundError extends CairnError {
  constructor(what: string) {
    super('NOT_FOUND', `${what} was not found`)
  }
}

/** Another driver took this session's lease; this driver must stop and write nothing more. */
export class LeaseLostError extends CairnError {
  constructor(sessionId: string, detail: string) {
    super('LEASE_LOST', `lease on session "${sessionId}" was lost: ${detail}`)
  }
}

/** Another worker holds a live claim on this trial, or its result is already reported. */
export class TrialClaimedError extends CairnError {
  readonly sessionId: string
  readonly trialIdx: number
  /** The live claim's owner, when the refusal was a live claim. */
  readonly owner: string | undefined
  constructor(sessionId: string, trialIdx: number, detail: { owner?: string; reported?: boolean } = {}) {
    super(
      'TRIAL_CLAIMED',
      detail.reported
        ? `trial ${trialIdx} of session "${sessionId}" already has a reported result`
        : `trial ${trialIdx} of session "${sessionId}" is claimed${detail.owner ? ` by ${detail.owner}` : ''}`,
    )
    this.sessionId = sessionId
    this.trialIdx = trialIdx
    this.owner = detail.owner
  }
}

/** A worker's trial claim lapsed, was taken over, or its trial already has a result: its result is refused. */
export class ClaimLostError extends CairnError {
  readonly sessionId: string
  readonly trialIdx: number
  constructor(sessionId: string, trialIdx: number, detail: string) {
    super('CLAIM_LOST', `claim on trial ${trialIdx} of session "${sessionId}" was lost: ${detail}`)
    this.sessionId = sessionId
    this.trialIdx = trialIdx
  }
}

/** Why `joinSession` refused. */
export type NotJoinableReason = 'finished' | 'paused' | 'not-shared' | 'store-unsupported'

/**
 * `joinSession` cannot attach a worker: the session ended or is paused, it was not started with
 * shared evaluation, or the store cannot share evaluation (the message names stores that can).
 * An unknown session is a `NotFoundError`.
 */
export class NotJoinableError extends CairnError {
  readonly sessionId: string
  readonly reason: NotJoinableReason
  constructor(sessionId: string, reason: NotJoinableReason, detail: string) {
    super('NOT_JOINABLE', `cannot join session "${sessionId}": ${detail}`)
    this.sessionId = sessionId
    this.reason = reason
  }
}

/** The stored revision is not the one the writer expected: someone else committed first. */
export class RevisionConflictError extends CairnError {
  readonly expected: number
  readonly actual: number | undefined
  constructor(sessionId: string, expected: number, actual: number | undefined) {
    super(
      'REVISION_CONFLICT',
      actual === undefined
        ? `session "${sessionId}" already exists`
        : `session "${sessionId}" is at revision ${actual}, expected ${expected}; another writer committed first`,
    )
    this.expected = expected
    this.actual = actual
  }
}

/** Stored bytes could not be decoded. Nothing was overwritten; the bytes are left for inspection. */
export class CheckpointCorruptError extends CairnError {
  constructor(what: string, detail: string, options?: { cause?: unknown }) {
    super('CHECKPOINT_CORRUPT', `${what} is corrupt: ${detail}`, options)
  }
}

/**
 * A store could not read or write its storage: a disk, file-system or device error reported by
 * the operating system or the storage engine. Nothing was decided about the data (it is not
 * known to be corrupt); the operation may succeed when retried once the fault is cleared. A
 * failed write changed nothing (commits are atomic). `cause` holds the underlying error.
 */
export class StoreIoError extends CairnError {
  constructor(what: string, detail: string, options?: { cause?: unknown }) {
    super('STORE_IO', `${what}: ${detail}`, options)
  }
}

/** A caller passed something malformed. The message names the field. */
export class InvalidInputError extends CairnError {
  readonly field: string | undefined
  constructor(message: string, field?: string) {
    super('INVALID_INPUT', field ? `${field}: ${message}` : message)
    this.field = field
  }
}

/**
 * An options object has a key its function does not know (a typo, or an option of another
 * function). `option` is the key as given, `suggestion` the nearest known one (if any is close),
 * `known` every key the options object takes.
 */
export class UnknownOptionError extends InvalidInputError {
  readonly option: string
  readonly suggestion: string | undefined
  readonly known: readonly string[]
  constructor(what: string, field: string, option: string, known: readonly string[], suggestion: string | undefined) {
    const hint =
      suggestion !== undefined ? `did you mean ${suggestion}?` : known.length > 0 ? `known: ${known.join(', ')}` : 'it takes none'
    super(`${what}: unknown option ${field} (${hint})`)
    ;(this as { field: string | undefined }).field = field
    this.option = option
    this.suggestion = suggestion
    this.known = known
  }
}

/** An operation ran out of time. */
export class TimeoutError extends CairnError {
  readonly timeoutMs: number
  constructor(what: string, timeoutMs: number, options?: { cause?: unknown }) {
    super('TIMEOUT', `${what} timed out after ${timeoutMs} ms`, options)
    this.timeoutMs = timeoutMs
  }
}

/** The optimizer (or a run it drove) failed; `cause` holds the underlying error. */
export class OptimizerError extends CairnError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('OPTIMIZER_ERROR', message, options)
  }
}

/** True when `err` is a CairnError with the given code. */
export function isCairnError(err: unknown, code?: CairnErrorCode): err is CairnError {
  return err instanceof CairnError && (code === undefined || err.code === code)
}
