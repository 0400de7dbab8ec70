import { createMemoryStore, type CheckpointStore } from '@cairn/core'
import {
  RecoveryMonitor,
  type JobRegistry,
  type RecoveryEvent,
  type RecoveryEventOf,
  type RecoveryEventType,
  type RecoveryExecutor,
  type RecoveryPolicy,
} from '../../src/index.js'
import { testJobs } from '../fixtures/job.js'
import { ManualTime, until } from './manual-time.js'

export interface Harness {
  time: ManualTime
  store: CheckpointStore
  monitor: RecoveryMonitor
  events: RecoveryEvent[]
  of<T extends RecoveryEventType>(type: T, sessionId?: string): Array<RecoveryEventOf<T>>
  /** Advances manual time, then waits (in real time) for the poll it started to finish. */
  step(ms: number): Promise<void>
  /** True when the monitor neither polls nor drives anything. */
  idle(): boolean
}

const monitors = new Set<RecoveryMonitor>()

/**
 * A monitor on manual time (starting an hour before the real now: leases the stores stamp with
 * the real clock read as live, released ones — listed with no expiry — as orphaned) with
 * `pollIntervalMs` 1,000, `backoffMs` 1,000 and no jitter unless overridden.
 */
export function harness(
  o: {
    store?: CheckpointStore
    policy?: RecoveryPolicy
    jobs?: JobRegistry
    executor?: RecoveryExecutor
    random?: () => number
    owner?: string
    time?: ManualTime
    sessions?: string[]
  } = {},
): Harness {
  const time = o.time ?? new ManualTime(Date.now() - 3_600_000)
  const store = o.store ?? createMemoryStore()
  const events: RecoveryEvent[] = []
  const monitor = new RecoveryMonitor({
    store,
    jobs: o.jobs ?? testJobs(0),
    policy: { enabled: true, pollIntervalMs: 1_000, backoffMs: 1_000, maxBackoffMs: 8_000, jitter: 0, ...o.policy },
    clock: time,
    timers: time,
    owner: o.owner ?? 'monitor-a',
    leaseTtlMs: 2_000,
    ...(o.executor ? { executor: o.executor } : {}),
    ...(o.random ? { random: o.random } : {}),
    ...(o.sessions ? { sessions: o.sessions } : {}),
  })
  monitors.add(monitor)
  monitor.on('*', (e) => events.push(e))
  return {
    time,
    store,
    monitor,
    events,
    step: async (ms) => {
      await time.advance(ms)
      await until(() => !monitor.status().polling, 'the poll to finish')
    },
    idle: () => !monitor.status().polling && monitor.status().inFlight.length === 0,
    of: (type, sessionId) =>
      events.filter((e) => e.type === type && (sessionId === undefined || (e as { sessionId?: string }).sessionId === sessionId)) as never,
  }
}

/** Stops every monitor `harness` made (afterEach). */
export async function stopMonitors(): Promise<void> {
  await Promise.all([...monitors].map((m) => m.stop()))
  monitors.clear()
}
