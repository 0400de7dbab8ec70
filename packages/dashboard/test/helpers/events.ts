import type { SessionStreamEvent } from '../../src/index.js'

/** One server-sent event as received. */
export interface ReceivedEvent {
  id: string | undefined
  retry: number | undefined
  event: SessionStreamEvent
}

/**
 * Follows `GET /api/sessions/:id/events` with fetch and parses the stream as a browser's
 * EventSource does (fields `data`, `id`, `retry`; comment lines skipped).
 */
export class EventStream {
  private readonly abort = new AbortController()
  private buffer = ''
  private readonly queue: ReceivedEvent[] = []
  private waiting: Array<{ resolve: (e: ReceivedEvent) => void; reject: (err: Error) => void }> = []
  private ended: Error | null = null
  status = 0
  /** Resolves once the server ended the stream. */
  readonly finished: Promise<void>
  private finish!: () => void

  private constructor() {
    this.finished = new Promise((r) => (this.finish = r))
  }

  /** Opens the stream; resolves once the response headers arrived (check `status`). */
  static async open(url: string, headers: Record<string, string> = {}): Promise<EventStream> {
    const s = new EventStream()
    const res = await fetch(url, { headers, signal: s.abort.signal })
    s.status = res.status
    if (res.status !== 200 || !res.body) {
      s.ended = new Error(`stream refused: ${res.status} ${await res.text()}`)
      s.finish()
      return s
    }
    void s.pump(res.body.getReader())
    return s
  }

  /** The next event (rejects when the stream ends first, or after `timeoutMs` as a safety net). */
  next(timeoutMs = 30_000): Promise<ReceivedEvent> {
    const queued = this.queue.shift()
    if (queued) return Promise.resolve(queued)
    if (this.ended) return Promise.reject(this.ended)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no event within the safety timeout')), timeoutMs)
      this.waiting.push({
        resolve: (e) => (clearTimeout(timer), resolve(e)),
        reject: (err) => (clearTimeout(timer), reject(err)),
      })
    })
  }

  /** Events until one satisfies `done` (included), in order. */
  async until(done: (e: ReceivedEvent) => boolean): Promise<ReceivedEvent[]> {
    const seen: ReceivedEvent[] = []
    for (;;) {
      const e = await this.next()
      seen.push(e)
      if (done(e)) return seen
    }
  }

  /** Disconnects, as a closed browser tab does. */
  close(): void {
    this.abort.abort()
  }

  private async pump(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder()
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        this.buffer += decoder.decode(value, { stream: true })
        let cut = this.buffer.indexOf('\n\n')
        while (cut >= 0) {
          this.dispatch(this.buffer.slice(0, cut))
          this.buffer = this.buffer.slice(cut + 2)
          cut = this.buffer.indexOf('\n\n')
        }
      }
      this.end(new Error('the server ended the stream'))
    } catch (err) {
      this.end(err as Error)
    }
  }

  private dispatch(block: string): void {
    const data: string[] = []
    let id: string | undefined
    let retry: number | undefined
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue
      const at = line.indexOf(':')
      const field = at < 0 ? line : line.slice(0, at)
      const value = at < 0 ? '' : line.slice(at + 1).replace(/^ /, '')
      if (field === 'data') data.push(value)
      else if (field === 'id') id = value
      else if (field === 'retry') retry = Number(value)
    }
    if (data.length === 0) return
    const received: ReceivedEvent = { id, retry, event: JSON.parse(data.join('\n')) as SessionStreamEvent }
    const w = this.waiting.shift()
    if (w) w.resolve(received)
    else this.queue.push(received)
  }

  private end(err: Error): void {
    this.ended = err
    for (const w of this.waiting.splice(0)) w.reject(err)
    this.finish()
  }
}
