import type { RecoveryEvent, RecoveryEventOf, RecoveryEventType } from './events.js'

type Listener = (event: RecoveryEvent) => void

/**
 * Delivers events to listeners and async iterators. A listener that throws is reported to
 * `onListenerError` and never stops delivery; iterators buffer until read and end on `close()`.
 */
export class EventHub {
  private readonly listeners = new Map<RecoveryEventType | '*', Set<Listener>>()
  private readonly iterators = new Set<{ push(e: RecoveryEvent): void; end(): void }>()

  constructor(private readonly onListenerError: (error: unknown) => void) {}

  on<T extends RecoveryEventType | '*'>(
    type: T,
    listener: (event: T extends RecoveryEventType ? RecoveryEventOf<T> : RecoveryEvent) => void,
  ): () => void {
    let set = this.listeners.get(type)
    if (!set) this.listeners.set(type, (set = new Set()))
    const l = listener as Listener
    set.add(l)
    return () => {
      set.delete(l)
    }
  }

  emit(event: RecoveryEvent): void {
    for (const key of [event.type, '*'] as const) {
      for (const listener of [...(this.listeners.get(key) ?? [])]) {
        try {
          listener(event)
        } catch (err) {
          if (event.type !== 'poll_error') this.onListenerError(err)
        }
      }
    }
    for (const it of this.iterators) it.push(event)
  }

  /** An async iterable of events from now until `close()` (or the consumer breaks out). */
  subscribe(): AsyncIterable<RecoveryEvent> {
    const buffer: RecoveryEvent[] = []
    let ended = false
    let wake: (() => void) | undefined
    const sink = {
      push: (e: RecoveryEvent): void => {
        buffer.push(e)
        wake?.()
      },
      end: (): void => {
        ended = true
        wake?.()
      },
    }
    this.iterators.add(sink)
    const iterators = this.iterators
    return {
      [Symbol.asyncIterator](): AsyncIterator<RecoveryEvent> {
        return {
          async next(): Promise<IteratorResult<RecoveryEvent>> {
            for (;;) {
              const e = buffer.shift()
              if (e) return { value: e, done: false }
              if (ended) return { value: undefined, done: true }
              await new Promise<void>((resolve) => (wake = resolve))
              wake = undefined
            }
          },
          async return(): Promise<IteratorResult<RecoveryEvent>> {
            ended = true
            buffer.length = 0
            iterators.delete(sink)
            return { value: undefined, done: true }
          },
        }
      },
    }
  }

  /** Ends every open iterator (they drain what they buffered first). */
  close(): void {
    for (const it of this.iterators) it.end()
    this.iterators.clear()
  }
}
