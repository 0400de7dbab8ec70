import type { SharedEnv } from './env.js'

/**
 * The wait between two polls of a worker, which a change the store tells of (`watchSession`)
 * ends early: `poke()` ends the wait in progress, or makes the next one return at once when it
 * comes while none is (the change may have landed after the read that the poll just made).
 */
export class PollWait {
  private poked = false
  private waking: AbortController | null = null

  constructor(private readonly env: SharedEnv) {}

  /** Ends the wait in progress now, or the next one at once. */
  poke(): void {
    this.poked = true
    this.waking?.abort()
  }

  /** Resolves after `ms`, or sooner when poked (since the last wait ended) or when `signal` aborts. */
  async wait(ms: number, signal: AbortSignal): Promise<void> {
    if (this.poked || signal.aborted) {
      this.poked = false
      return
    }
    const waking = new AbortController()
    this.waking = waking
    try {
      await this.env.sleep(ms, AbortSignal.any([signal, waking.signal]))
    } finally {
      this.waking = null
      this.poked = false
    }
  }
}
