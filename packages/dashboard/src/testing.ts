/**
 * `@cairn/dashboard/testing`: hooks for tests that look inside a running dashboard server —
 * how many sessions it watches and how many event streams each has.
 *
 * ```ts
 * import { subscriberCount, watcherCount } from '@cairn/dashboard/testing'
 * ```
 *
 * @packageDocumentation
 */
import { InvalidInputError } from '@cairn/core'
import { HUB, type DashboardServer } from './server/create-server.js'
import type { SseHub } from './server/sse-hub.js'

function hubOf(server: DashboardServer): SseHub {
  const hub = (server as Partial<Record<typeof HUB, SseHub>>)[HUB]
  if (!hub) throw new InvalidInputError('must be a server returned by createDashboardServer', 'server')
  return hub
}

/** Sessions the server reads the head of now (those with at least one open event stream). */
export function watcherCount(server: DashboardServer): number {
  return hubOf(server).watcherCount
}

/** Open event streams of one session. */
export function subscriberCount(server: DashboardServer, sessionId: string): number {
  return hubOf(server).subscriberCount(sessionId)
}
