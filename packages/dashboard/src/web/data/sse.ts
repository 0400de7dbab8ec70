/** One server-sent event: its `event` name (default `message`) and its `data` lines joined. */
export interface ServerSentEvent {
  event: string
  data: string
}

/**
 * Parses the `text/event-stream` format incrementally: feed it chunks of text as they arrive,
 * it calls `onEvent` for each complete event (comments — the server's keep-alives — skipped).
 * `retry:` fields are passed to `onRetry`.
 */
export class EventStreamParser {
  private buffer = ''
  private data: string[] = []
  private event = ''

  constructor(
    private readonly onEvent: (e: ServerSentEvent) => void,
    private readonly onRetry: (ms: number) => void = () => {},
  ) {}

  push(chunk: string): void {
    this.buffer += chunk
    let nl = this.buffer.search(/\r\n|\r|\n/)
    // A chunk ending in \r may be cut inside a \r\n: wait for the next character.
    while (nl >= 0 && !(nl === this.buffer.length - 1 && this.buffer[nl] === '\r')) {
      const line = this.buffer.slice(0, nl)
      const width = this.buffer.startsWith('\r\n', nl) ? 2 : 1
      this.buffer = this.buffer.slice(nl + width)
      this.line(line)
      nl = this.buffer.search(/\r\n|\r|\n/)
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0) this.onEvent({ event: this.event || 'message', data: this.data.join('\n') })
      this.data = []
      this.event = ''
      return
    }
    if (line.startsWith(':')) return
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    let value = colon < 0 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'data') this.data.push(value)
    else if (field === 'event') this.event = value
    else if (field === 'retry' && /^\d+$/.test(value)) this.onRetry(Number(value))
  }
}
