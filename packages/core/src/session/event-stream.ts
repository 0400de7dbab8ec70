/** A multi-subscriber event fan-out: each `subscribe()` gets events from then until `close()`. */
export class EventStream<T> {
  private readonly subscribers = new Set<Subscriber<T>>()
  private closed = false

  /** True while someone subscribes: an event nobody would receive need not be built. */
  get listened(): boolean {
    return this.subscribers.size > 0
  }

  emit(event: T): void {
    for (const s of this.subscribers) s.push(event)
  }

  close(): void {
    this.closed = true
    for (const s of this.subscribers) s.end()
    this.subscribers.clear()
  }

  /** A fresh async iterable; ends when the stream closes or the consumer breaks out. */
  subscribe(): AsyncIterable<T> {
    const sub = new Subscriber<T>(() => this.subscribers.delete(sub))
    if (this.closed) sub.end()
    else this.subscribers.add(sub)
    return sub
  }
}

class Subscriber<T> implements AsyncIterable<T> {
  private readonly queue: T[] = []
  private waiting: ((r: IteratorResult<T>) => void) | undefined
  private ended = false

  constructor(private readonly detach: () => void) {}

  push(event: T): void {
    if (this.ended) return
    if (this.waiting) {
      const w = this.waiting
      this.waiting = undefined
      w({ value: event, done: false })
    } else this.queue.push(event)
  }

  end(): void {
    this.ended = true
    if (this.waiting) {
      const w = this.waiting
      this.waiting = undefined
      w({ value: undefined, done: true })
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        const item = this.queue.shift()
        if (item !== undefined) return Promise.resolve({ value: item, done: false })
        if (this.ended) return Promise.resolve({ value: undefined, done: true })
        return new Promise((resolve) => (this.waiting = resolve))
      },
      return: () => {
        this.ended = true
        this.queue.length = 0
        this.detach()
        return Promise.resolve({ value: undefined, done: true })
      },
    }
  }
}
