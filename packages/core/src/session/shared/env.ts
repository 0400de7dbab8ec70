/**
 * Where shared evaluation reads the time and waits: the clock that judges whether a claim or
 * the coordinator's lease lapsed (it must agree with the store's), and the sleep between polls.
 * Tests replace both (`joinSessionWith` in `@cairn/core/testing`).
 */
export interface SharedEnv {
  /** Epoch milliseconds, comparable with the `expiresAt` of the store's claims and leases. */
  now(): number
  /** Resolves after `ms`, or at once when `signal` aborts. Never rejects. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

/** `Date.now()` and `setTimeout`. */
export const systemEnv: SharedEnv = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve()
      const done = (): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      signal?.addEventListener('abort', done, { once: true })
    }),
}
