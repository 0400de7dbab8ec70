import { RecoveryConfigError } from './errors.js'
import type { RecoveryCompletedEvent, RecoveryExhaustedEvent } from './events.js'

/**
 * How a `RecoveryMonitor` behaves. Every field is optional; `resolvePolicy` fills in the
 * defaults listed here. Recovery is off unless `enabled` is `true`.
 */
export interface RecoveryPolicy {
  /** Nothing is polled or recovered unless this is `true`. Default `false`. */
  enabled?: boolean
  /**
   * Attempts on one session before the monitors give up on it (`exhausted`), counted in the
   * store (so every monitor sharing it counts the same attempts) since the session last
   * committed a trial. Skips (another monitor holds the lease) do not count. Default 3.
   */
  maxAttempts?: number
  /** Delay before the second attempt; it doubles with every further failure. Default 5,000 ms. */
  backoffMs?: number
  /** Ceiling of the doubled delay. Default 60,000 ms. */
  maxBackoffMs?: number
  /**
   * Fraction of each delay that is random, so monitors that failed together do not retry
   * together: the delay is drawn from `[d·(1 − jitter), d]`. Between 0 and 1; default 0.5.
   */
  jitter?: number
  /** Time between the end of one poll of the store and the start of the next. Default 5,000 ms. */
  pollIntervalMs?: number
  /** A poll (one `list` of the store, paged) that takes longer fails with `poll_error`. Default 30,000 ms. */
  pollTimeoutMs?: number
  /** Sessions this monitor takes over and drives at once. Default 4. */
  maxConcurrent?: number
  /**
   * An attempt that shows no progress for this long is abandoned (`failed`, retryable): taking
   * the session over must finish within it, and then every trial must commit within it of the
   * previous one. Its lease is handed back and its slot freed. Set it above your longest
   * trial; `Infinity` disables it. Default 600,000 ms (10 minutes).
   */
  attemptTimeoutMs?: number
  /**
   * Rebuild a damaged head (listed `corrupt`, or found so by an attempt) from the session's
   * trial log when the store can vouch for it (stores with `salvage`), instead of only
   * quarantining it. The damaged bytes are kept aside; a `rebuilt` event says what was lost.
   * Default `true`.
   */
  rebuildCorruptHeads?: boolean
  /**
   * Called when a recovered session's driver stops cleanly (the `completed` event; the session
   * itself may have ended completed, failed, cancelled or paused).
   */
  onRecovery?: (event: RecoveryCompletedEvent) => void | Promise<void>
  /**
   * Called when the monitor gives up on a session (the `exhausted` event): attempts used up,
   * a failure retrying cannot change, or a corrupt head. Every failed attempt is also a
   * `failed` event. A hook that throws or rejects is reported as `poll_error` (phase `hook`).
   */
  onFailure?: (event: RecoveryExhaustedEvent) => void | Promise<void>
}

/** A policy with every default applied. */
export interface ResolvedRecoveryPolicy {
  enabled: boolean
  maxAttempts: number
  backoffMs: number
  maxBackoffMs: number
  jitter: number
  pollIntervalMs: number
  pollTimeoutMs: number
  maxConcurrent: number
  attemptTimeoutMs: number
  rebuildCorruptHeads: boolean
  onRecovery?: RecoveryPolicy['onRecovery']
  onFailure?: RecoveryPolicy['onFailure']
}

/** The defaults of every numeric and boolean policy field. */
export const DEFAULT_RECOVERY_POLICY: Readonly<Omit<ResolvedRecoveryPolicy, 'onRecovery' | 'onFailure'>> = Object.freeze({
  enabled: false,
  maxAttempts: 3,
  backoffMs: 5_000,
  maxBackoffMs: 60_000,
  jitter: 0.5,
  pollIntervalMs: 5_000,
  pollTimeoutMs: 30_000,
  maxConcurrent: 4,
  attemptTimeoutMs: 600_000,
  rebuildCorruptHeads: true,
})

/**
 * Applies the defaults and checks every field. Throws `RecoveryConfigError` (an
 * `InvalidInputError`) naming the first malformed one.
 */
export function resolvePolicy(policy: RecoveryPolicy | undefined): ResolvedRecoveryPolicy {
  if (policy === undefined) return { ...DEFAULT_RECOVERY_POLICY }
  if (policy === null || typeof policy !== 'object') throw new RecoveryConfigError('policy', 'must be an object')
  const p = policy
  if (p.enabled !== undefined && typeof p.enabled !== 'boolean')
    throw new RecoveryConfigError('policy.enabled', `must be a boolean, got ${String(p.enabled)}`)
  const resolved: ResolvedRecoveryPolicy = {
    enabled: p.enabled ?? DEFAULT_RECOVERY_POLICY.enabled,
    maxAttempts: integer(p.maxAttempts, 'maxAttempts', DEFAULT_RECOVERY_POLICY.maxAttempts, 1),
    backoffMs: ms(p.backoffMs, 'backoffMs', DEFAULT_RECOVERY_POLICY.backoffMs, true),
    maxBackoffMs: ms(p.maxBackoffMs, 'maxBackoffMs', DEFAULT_RECOVERY_POLICY.maxBackoffMs, true),
    jitter: fraction(p.jitter, 'jitter', DEFAULT_RECOVERY_POLICY.jitter),
    pollIntervalMs: ms(p.pollIntervalMs, 'pollIntervalMs', DEFAULT_RECOVERY_POLICY.pollIntervalMs, false),
    pollTimeoutMs: ms(p.pollTimeoutMs, 'pollTimeoutMs', DEFAULT_RECOVERY_POLICY.pollTimeoutMs, false),
    maxConcurrent: integer(p.maxConcurrent, 'maxConcurrent', DEFAULT_RECOVERY_POLICY.maxConcurrent, 1),
    attemptTimeoutMs: timeout(p.attemptTimeoutMs, 'attemptTimeoutMs', DEFAULT_RECOVERY_POLICY.attemptTimeoutMs),
    rebuildCorruptHeads: p.rebuildCorruptHeads ?? DEFAULT_RECOVERY_POLICY.rebuildCorruptHeads,
  }
  if (typeof resolved.rebuildCorruptHeads !== 'boolean')
    throw new RecoveryConfigError('policy.rebuildCorruptHeads', `must be a boolean, got ${String(p.rebuildCorruptHeads)}`)
  if (resolved.maxBackoffMs < resolved.backoffMs)
    throw new RecoveryConfigError(
      'policy.maxBackoffMs',
      `must be at least policy.backoffMs (${resolved.backoffMs}), got ${resolved.maxBackoffMs}`,
    )
  if (p.onRecovery !== undefined) {
    if (typeof p.onRecovery !== 'function') throw new RecoveryConfigError('policy.onRecovery', 'must be a function')
    resolved.onRecovery = p.onRecovery
  }
  if (p.onFailure !== undefined) {
    if (typeof p.onFailure !== 'function') throw new RecoveryConfigError('policy.onFailure', 'must be a function')
    resolved.onFailure = p.onFailure
  }
  return resolved
}

function integer(value: unknown, field: string, fallback: number, min: number): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || (value as number) < min)
    throw new RecoveryConfigError(`policy.${field}`, `must be an integer of at least ${min}, got ${String(value)}`)
  return value as number
}

function ms(value: unknown, field: string, fallback: number, zeroOk: boolean): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!zeroOk && value === 0))
    throw new RecoveryConfigError(
      `policy.${field}`,
      `must be a ${zeroOk ? 'non-negative' : 'positive'} finite number of milliseconds, got ${String(value)}`,
    )
  return value
}

function timeout(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || Number.isNaN(value) || !(value > 0))
    throw new RecoveryConfigError(`policy.${field}`, `must be a positive number of milliseconds (or Infinity), got ${String(value)}`)
  return value
}

function fraction(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !(value >= 0 && value <= 1))
    throw new RecoveryConfigError(`policy.${field}`, `must be a number between 0 and 1, got ${String(value)}`)
  return value
}
