/** Where the monitor reads the time. Injectable so tests can control it. */
export interface Clock {
  /** Epoch milliseconds, comparable with the `leaseExpiresAt` stores report. */
  now(): number
}

/** An opaque handle returned by `Timers.setTimeout`. */
export type TimerHandle = unknown

/** How the monitor schedules polls and attempt timeouts. Injectable so tests can control it. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
}

/** `Date.now()`. */
export const systemClock: Clock = { now: () => Date.now() }

/** The global `setTimeout` / `clearTimeout`. */
export const systemTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
}

/** Resolves after `ms` on `timers`, or at once when `signal` aborts. Never rejects. */
export function sleep(timers: Timers, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const done = (): void => {
      timers.clearTimeout(handle)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const handle = timers.setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}
