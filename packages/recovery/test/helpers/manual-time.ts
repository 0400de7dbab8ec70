import type { Clock, TimerHandle, Timers } from '../../src/index.js'

/** Lets pending promise chains (and quick I/O) run. */
export async function flush(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

/** Polls `condition` in real time until it holds; fails after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/**
 * A clock and timers that move only when told. `advance(ms)` fires due timers in order and
 * lets the work they start run between them.
 */
export class ManualTime implements Clock, Timers {
  private current: number
  private seq = 0
  private readonly pending = new Map<number, { at: number; seq: number; callback: () => void }>()

  constructor(start = 1_000_000) {
    this.current = start
  }

  now(): number {
    return this.current
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = ++this.seq
    this.pending.set(id, { at: this.current + Math.max(0, ms), seq: id, callback })
    return id
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending.delete(handle as number)
  }

  /** Timers not yet fired. */
  get size(): number {
    return this.pending.size
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms
    await flush()
    for (;;) {
      const next = [...this.pending.entries()].filter(([, t]) => t.at <= target).sort(([, a], [, b]) => a.at - b.at || a.seq - b.seq)[0]
      if (!next) break
      const [id, t] = next
      this.pending.delete(id)
      this.current = Math.max(this.current, t.at)
      t.callback()
      await flush()
    }
    this.current = target
    await flush()
  }
}
