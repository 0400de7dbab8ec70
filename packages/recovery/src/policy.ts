import { defineOptions, optionKinds as k, type OptionsSchema } from '@cairn/core'
import { PKG, RecoveryConfigError } from './errors.js'
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

/** The keys a policy takes, and their checks (unknown keys refused). */
const PolicySchema: OptionsSchema<RecoveryPolicy> = defineOptions<RecoveryPolicy>(
  `${PKG} policy`,
  {
    enabled: k.optional(k.boolean()),
    maxAttempts: k.optional(k.integer(1)),
    backoffMs: k.optional(k.durationMs({ zero: true })),
    maxBackoffMs: k.optional(k.durationMs({ zero: true })),
    jitter: k.optional(k.number(0, 1)),
    pollIntervalMs: k.optional(k.durationMs()),
    pollTimeoutMs: k.optional(k.durationMs()),
    maxConcurrent: k.optional(k.integer(1)),
    attemptTimeoutMs: k.optional(k.durationMs({ infinity: true })),
    rebuildCorruptHeads: k.optional(k.boolean()),
    onRecovery: k.optional(k.fn()),
    onFailure: k.optional(k.fn()),
  },
  { error: (message, field) => new RecoveryConfigError(field ?? 'policy', message) },
)

/**
 * Applies the defaults and checks every field. Throws `RecoveryConfigError` (an
 * `InvalidInputError`) naming the first malformed one, or `UnknownOptionError` for a key a
 * policy does not have. Durations that arm a timer are at most 2^31 − 1 ms (setTimeout's
 * limit); more is refused, not clamped.
 */
export function resolvePolicy(policy: RecoveryPolicy | undefined): ResolvedRecoveryPolicy {
  if (policy === undefined) return { ...DEFAULT_RECOVERY_POLICY }
  PolicySchema.check(policy, 'policy')
  const p = policy
  const d = DEFAULT_RECOVERY_POLICY
  const resolved: ResolvedRecoveryPolicy = {
    enabled: p.enabled ?? d.enabled,
    maxAttempts: p.maxAttempts ?? d.maxAttempts,
    backoffMs: p.backoffMs ?? d.backoffMs,
    maxBackoffMs: p.maxBackoffMs ?? d.maxBackoffMs,
    jitter: p.jitter ?? d.jitter,
    pollIntervalMs: p.pollIntervalMs ?? d.pollIntervalMs,
    pollTimeoutMs: p.pollTimeoutMs ?? d.pollTimeoutMs,
    maxConcurrent: p.maxConcurrent ?? d.maxConcurrent,
    attemptTimeoutMs: p.attemptTimeoutMs ?? d.attemptTimeoutMs,
    rebuildCorruptHeads: p.rebuildCorruptHeads ?? d.rebuildCorruptHeads,
  }
  if (resolved.maxBackoffMs < resolved.backoffMs)
    throw new RecoveryConfigError(
      'policy.maxBackoffMs',
      `must be at least policy.backoffMs (${resolved.backoffMs}), got ${resolved.maxBackoffMs}`,
    )
  if (p.onRecovery !== undefined) resolved.onRecovery = p.onRecovery
  if (p.onFailure !== undefined) resolved.onFailure = p.onFailure
  return resolved
}
