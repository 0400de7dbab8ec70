import * as diagnostics from 'node:diagnostics_channel'

/**
 * Telemetry goes out on `node:diagnostics_channel`, so OpenTelemetry or a logger can
 * subscribe (`diagnostics_channel.subscribe('cairn:session:trial', fn)`) without Cairn
 * depending on either.
 */
export const channels = {
  sessionStart: diagnostics.channel('cairn:session:start'),
  sessionTrial: diagnostics.channel('cairn:session:trial'),
  sessionCheckpoint: diagnostics.channel('cairn:session:checkpoint'),
  sessionPause: diagnostics.channel('cairn:session:pause'),
  sessionResume: diagnostics.channel('cairn:session:resume'),
  sessionCancel: diagnostics.channel('cairn:session:cancel'),
  sessionStop: diagnostics.channel('cairn:session:stop'),
  sessionException: diagnostics.channel('cairn:session:exception'),
  storeCorrupt: diagnostics.channel('cairn:store:corrupt'),
  /**
   * A store dropped the last write of a session because it was cut short by a crash or damaged
   * afterwards (a torn append): `{ sessionId, message, ... }`, the rest as the store documents.
   */
  storeDropped: diagnostics.channel('cairn:store:dropped'),
} as const

/** Channel names, for subscribers. */
export const CHANNEL_NAMES = Object.fromEntries(Object.entries(channels).map(([k, c]) => [k, c.name])) as {
  [K in keyof typeof channels]: string
}

/** Publishes only when someone listens (no cost otherwise). */
export function publish(channel: diagnostics.Channel, message: object): void {
  if (channel.hasSubscribers) channel.publish(message)
}
