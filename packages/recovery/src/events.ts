import type { SessionListing, SessionResult, SessionStatus } from '@cairn/core'
import type { SkipReason } from './errors.js'

/** Fields every recovery event carries. */
export interface RecoveryEventBase {
  /** The lease owner name of the monitor that emitted it. */
  monitor: string
  /** Epoch milliseconds, on the monitor's clock. */
  at: number
}

/** A session needs recovery: `running` with an expired lease, or its head does not decode (`corrupt`). */
export interface RecoveryDetectedEvent extends RecoveryEventBase {
  type: 'detected'
  sessionId: string
  reason: 'lease-expired' | 'corrupt'
  listing: SessionListing
}

/** Listing the store failed or timed out, or a hook or listener threw; the monitor carries on. */
export interface RecoveryPollErrorEvent extends RecoveryEventBase {
  type: 'poll_error'
  /** `list`: the poll itself; `hook`: `onRecovery`/`onFailure`; `listener`: an event listener. */
  phase: 'list' | 'hook' | 'listener'
  error: unknown
}

/** This monitor took the session's lease and its driver is running. */
export interface RecoveryStartedEvent extends RecoveryEventBase {
  type: 'started'
  sessionId: string
  attempt: number
  job?: string
}

/** The recovered session's driver stopped cleanly; `result.status` says how the session ended (or `paused`). */
export interface RecoveryCompletedEvent extends RecoveryEventBase {
  type: 'completed'
  sessionId: string
  attempt: number
  result: SessionResult
  /** From the start of the attempt. */
  durationMs: number
}

/** An attempt failed. `willRetry` is false when the monitor gives up (an `exhausted` event follows). */
export interface RecoveryFailedEvent extends RecoveryEventBase {
  type: 'failed'
  sessionId: string
  attempt: number
  error: unknown
  /** False for failures retrying cannot change (unknown job, resume mismatch, corrupt head). */
  retryable: boolean
  willRetry: boolean
  /** When the next attempt may start (epoch ms), when `willRetry`. */
  nextAttemptAt: number | null
}

/**
 * A damaged head (listed `corrupt`, or found so by an attempt) was rebuilt from the trial log
 * (see `rebuildHead` in core); the damaged bytes were kept aside, never overwritten. A
 * `running` rebuilt session is resumed like any orphan from the next poll on; a `paused` one
 * (no trial budget known) waits for a person.
 */
export interface RecoveryRebuiltEvent extends RecoveryEventBase {
  type: 'rebuilt'
  sessionId: string
  /** Why the head could not be read. */
  problem: string
  /** Trial records kept: the whole trial log. */
  trials: number
  /** The rebuilt head's status. */
  status: SessionStatus
  /** What the damaged head held that could not be recovered, and what stands in for it. */
  lost: string[]
  /** Where the store kept the damaged bytes. */
  keptAs: string
}

/**
 * The monitor gave up on a session and quarantined it: it is not tried again until its
 * listing changes (another process made progress, repaired or deleted it) or `retry(id)`.
 */
export interface RecoveryExhaustedEvent extends RecoveryEventBase {
  type: 'exhausted'
  sessionId: string
  /** Attempts made, by every monitor sharing the store (0 for a head listed as corrupt, which is never attempted). */
  attempts: number
  reason: 'max-attempts' | 'permanent' | 'corrupt'
  /** The last error this monitor saw; undefined when other monitors made the attempts (their events carry them). */
  error: unknown
}

/**
 * An attempt found nothing to do, or lost the session to another driver: `already-running`
 * (another monitor or worker holds the lease), `lease-lost` (another driver took it over while
 * this one drove it), `already-terminal`, `not-running` (paused), `not-found` (deleted).
 */
export interface RecoverySkippedEvent extends RecoveryEventBase {
  type: 'skipped'
  sessionId: string
  attempt: number
  reason: SkipReason
  error?: unknown
}

/** Everything a `RecoveryMonitor` reports. */
export type RecoveryEvent =
  | RecoveryDetectedEvent
  | RecoveryPollErrorEvent
  | RecoveryStartedEvent
  | RecoveryCompletedEvent
  | RecoveryFailedEvent
  | RecoveryExhaustedEvent
  | RecoverySkippedEvent
  | RecoveryRebuiltEvent

/** The `type` of a recovery event. */
export type RecoveryEventType = RecoveryEvent['type']

/** The event of a given type. */
export type RecoveryEventOf<T extends RecoveryEventType> = Extract<RecoveryEvent, { type: T }>
