import * as diagnostics from 'node:diagnostics_channel'
import type { RecoveryEvent, RecoveryEventType } from './events.js'

/**
 * Recovery telemetry on `node:diagnostics_channel`, one channel per event type
 * (`cairn:recovery:detected`, `…:poll_error`, `…:started`, `…:completed`, `…:failed`,
 * `…:exhausted`, `…:skipped`, `…:rebuilt`). The message is the event object (session id, attempt, error …).
 *
 * @example
 * import diagnostics from 'node:diagnostics_channel'
 * diagnostics.subscribe('cairn:recovery:failed', (e) => log.warn(e))
 */
export const recoveryChannels = {
  detected: diagnostics.channel('cairn:recovery:detected'),
  poll_error: diagnostics.channel('cairn:recovery:poll_error'),
  started: diagnostics.channel('cairn:recovery:started'),
  completed: diagnostics.channel('cairn:recovery:completed'),
  failed: diagnostics.channel('cairn:recovery:failed'),
  exhausted: diagnostics.channel('cairn:recovery:exhausted'),
  skipped: diagnostics.channel('cairn:recovery:skipped'),
  rebuilt: diagnostics.channel('cairn:recovery:rebuilt'),
} as const satisfies Record<RecoveryEventType, diagnostics.Channel>

/** The channel names, by event type. */
export const RECOVERY_CHANNEL_NAMES = Object.freeze(
  Object.fromEntries(Object.entries(recoveryChannels).map(([type, channel]) => [type, channel.name])),
) as { readonly [T in RecoveryEventType]: string }

/** Publishes `event` on its channel when someone listens. */
export function publishRecoveryEvent(event: RecoveryEvent): void {
  const channel = recoveryChannels[event.type]
  if (channel.hasSubscribers) channel.publish(event)
}
