/**
 * One queue per key: `run(key, fn)` starts `fn` after every earlier `run` with the same key
 * has settled. Keys are independent. Used to make read-check-write steps on one session
 * atomic within the process (LevelDB itself admits no other process).
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>()

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key)
    let release!: () => void
    const done = new Promise<void>((resolve) => (release = resolve))
    const tail = previous ? previous.then(() => done) : done
    this.tails.set(key, tail)
    try {
      if (previous) await previous
      return await fn()
    } finally {
      release()
      if (this.tails.get(key) === tail) this.tails.delete(key)
    }
  }

  /** Resolves when every queued operation has settled. */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all(this.tails.values())
  }
}
