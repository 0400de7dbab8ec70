import { CairnError, CheckpointCorruptError, InvalidInputError, TimeoutError } from '@cairn/core'

/** The prefix of every message this package writes. */
export const PKG = '[@cairn/recovery]'

/** A malformed monitor option or policy field. `field` names it (e.g. `policy.maxAttempts`). */
export class RecoveryConfigError extends InvalidInputError {
  constructor(field: string, message: string) {
    super(`${PKG} ${field}: ${message}`)
    ;(this as { field: string | undefined }).field = field
  }
}

/**
 * The session names no job, or a job the monitor's registry does not know. It cannot change
 * by retrying, so the monitor gives up on the session at once.
 */
export class UnknownRecoveryJobError extends InvalidInputError {
  readonly sessionId: string
  readonly job: string | undefined
  constructor(sessionId: string, job: string | undefined, known: readonly string[]) {
    super(
      job === undefined
        ? `${PKG} session "${sessionId}" has no job, so there is nothing to resume it with; start sessions with \`job\` to make them recoverable`
        : `${PKG} session "${sessionId}" runs job "${job}", which this monitor's \`jobs\` does not define` +
            (known.length > 0 ? ` (it knows ${known.map((k) => `"${k}"`).join(', ')})` : ' (it defines none)'),
    )
    ;(this as { field: string | undefined }).field = 'jobs'
    this.sessionId = sessionId
    this.job = job
  }
}

/** A recovery attempt made no progress for `attemptTimeoutMs`; its lease was handed back. */
export class AttemptTimeoutError extends TimeoutError {
  readonly sessionId: string
  readonly attempt: number
  constructor(sessionId: string, attempt: number, timeoutMs: number) {
    super(`${PKG} recovery attempt ${attempt} of session "${sessionId}" (no progress)`, timeoutMs)
    this.sessionId = sessionId
    this.attempt = attempt
  }
}

/** The head of a session listed as `corrupt`: it cannot be resumed until someone repairs or deletes it. */
export function corruptHeadError(sessionId: string, problem: string | undefined, cause?: unknown): CheckpointCorruptError {
  return new CheckpointCorruptError(
    `${PKG} head of session "${sessionId}"`,
    `${problem ?? 'the store lists it as corrupt'}; quarantined, not retried`,
    ...(cause !== undefined ? [{ cause }] : []),
  )
}

/** Why a failed attempt ended, as the monitor sees it. */
export type FailureClass =
  /** Someone else drives the session now, or it finished or vanished: not a failure. */
  | { kind: 'skip'; reason: SkipReason }
  /** Retrying cannot help (unknown job, resume mismatch, corrupt head, bad job definition). */
  | { kind: 'permanent'; corrupt: boolean }
  /** May pass on a later attempt (a store hiccup, a timeout, a crashed executor). */
  | { kind: 'retryable' }

/** Why an attempt was skipped. */
export type SkipReason = 'already-running' | 'already-terminal' | 'not-running' | 'not-found' | 'lease-lost'

/**
 * Sorts an attempt's error: `AlreadyRunningError` (another monitor or worker has the lease),
 * `AlreadyTerminalError`, `NotFoundError`, `LeaseLostError` and `RevisionConflictError`
 * (another driver committed first: it took the session over) are skips; `UnknownRecoveryJobError`,
 * `ResumeMismatchError`, `CheckpointCorruptError` and other `InvalidInputError`s are permanent;
 * anything else is retryable.
 */
export function classifyFailure(err: unknown): FailureClass {
  if (!(err instanceof CairnError)) return { kind: 'retryable' }
  switch (err.code) {
    case 'ALREADY_RUNNING':
      return { kind: 'skip', reason: 'already-running' }
    case 'ALREADY_TERMINAL':
      return { kind: 'skip', reason: 'already-terminal' }
    case 'NOT_FOUND':
      return { kind: 'skip', reason: 'not-found' }
    case 'LEASE_LOST':
    case 'REVISION_CONFLICT':
      // Another driver took the session over (its lease lapsed under ours, or we were fenced
      // off); it drives it now, and if it dies too the session is detected again.
      return { kind: 'skip', reason: 'lease-lost' }
    case 'RESUME_MISMATCH':
      return { kind: 'permanent', corrupt: false }
    case 'CHECKPOINT_CORRUPT':
      return { kind: 'permanent', corrupt: true }
    case 'INVALID_INPUT':
      // The store's own consistency complaints (field "store") may pass; a bad job does not.
      return (err as InvalidInputError).field === 'store' ? { kind: 'retryable' } : { kind: 'permanent', corrupt: false }
    default:
      return { kind: 'retryable' }
  }
}
