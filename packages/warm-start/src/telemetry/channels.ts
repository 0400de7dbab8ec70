import diagnostics from 'node:diagnostics_channel'
import type { EvictionReport } from '@cairn/core'

/** What a warm-start store call was doing when it failed. */
export type WarmStartOperation = 'checkpoint' | 'finalize' | 'load' | 'evict'

/**
 * A warm-start store call failed and the failure was absorbed: `checkpoint` and `finalize`
 * resolved to `false`, a load to `null`, an automatic eviction was skipped.
 */
export interface WarmStartErrorEvent {
  operation: WarmStartOperation
  /** The session's key and run id (absent for an eviction, which spans every key). */
  key?: string
  runId?: string
  error: unknown
}

/** An automatic eviction (see `withWarmStartBudget`) ran. */
export interface WarmStartEvictEvent extends EvictionReport {
  /** Reading of the budget's clock when it started. */
  at: number
}

/**
 * Warm-start telemetry on `node:diagnostics_channel`: `cairn:warm-start:error` (a store
 * failure a session or budget absorbed; message `WarmStartErrorEvent`) and
 * `cairn:warm-start:evict` (an automatic eviction ran; message `WarmStartEvictEvent`).
 *
 * @example
 * import diagnostics from 'node:diagnostics_channel'
 * diagnostics.subscribe('cairn:warm-start:error', (e) => log.warn(e))
 */
export const warmStartChannels = {
  error: diagnostics.channel('cairn:warm-start:error'),
  evict: diagnostics.channel('cairn:warm-start:evict'),
} as const

/** The channel names. */
export const WARM_START_CHANNEL_NAMES = Object.freeze({
  error: warmStartChannels.error.name as string,
  evict: warmStartChannels.evict.name as string,
})

/** Publishes when someone listens. */
export function publishWarmStart(channel: diagnostics.Channel, message: WarmStartErrorEvent | WarmStartEvictEvent): void {
  if (channel.hasSubscribers) channel.publish(message)
}
