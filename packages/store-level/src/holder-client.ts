import { createConnection, type Socket } from 'node:net'
import { TimeoutError } from '@cairn/core'
import { PKG } from './errors.js'
import type { HolderInfo } from './holder-info.js'
import { lineSplitter } from './lines.js'
import { decodeError, decodeValue, PROTOCOL_VERSION, type Hello, type Op, type OpValues, type WireError } from './wire.js'

/** The connection to the holder closed before it answered: the caller finds the database's new state and tries again. */
export class HolderGoneError extends Error {
  constructor() {
    super(`${PKG} the process holding the database closed the connection`)
    this.name = 'HolderGoneError'
  }
}

interface Pending {
  op: Op
  resolve(value: unknown): void
  reject(err: unknown): void
  timer: NodeJS.Timeout
}

/**
 * A connection to the process holding a database (see `HolderServer`): requests go out as JSON
 * lines and are matched to their answers by id. The connection keeps this process alive only
 * while a request waits for its answer.
 */
export class HolderClient {
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private readonly lines = lineSplitter((line) => this.settle(line))
  /** The holder said it hands the database over to a writer: wait for the next holder rather than opening it. */
  handedOver = false
  /** The connection is closed; every request from now on fails with `HolderGoneError`. */
  closed = false

  private constructor(
    private readonly socket: Socket,
    /** Who holds the database. */
    readonly holder: HolderInfo,
    private readonly location: string,
    private readonly timeoutMs: number,
  ) {
    socket.on('data', (chunk: string) => this.receive(chunk))
    socket.on('close', () => this.onClose())
    socket.unref()
  }

  /**
   * Connects to the holder listening at `path` and waits for its greeting. Null when nobody
   * listens there (no socket, or one a killed holder left), or the holder speaks another
   * version of the protocol or holds another directory than `real` (the real path of
   * `location`). `TimeoutError` when it connects but does not greet in `timeoutMs`.
   */
  static connect(path: string, real: string, location: string, timeoutMs: number): Promise<HolderClient | null> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(path)
      socket.setEncoding('utf8')
      let greeting = ''
      const done = (result: HolderClient | null | Error): void => {
        clearTimeout(timer)
        socket.off('data', onData)
        socket.off('error', onError)
        socket.off('close', onError)
        if (result instanceof Error || result === null) {
          socket.destroy()
          if (result instanceof Error) reject(result)
          else resolve(null)
        } else resolve(result)
      }
      const timer = setTimeout(() => done(holderTimeout(location, 'greet this process', timeoutMs)), timeoutMs)
      const onError = (): void => done(null)
      const onData = (chunk: string): void => {
        greeting += chunk
        const end = greeting.indexOf('\n')
        if (end < 0) return
        const hello = parseHello(greeting.slice(0, end), real)
        if (!hello) return void done(null)
        socket.on('error', () => undefined)
        const client = new HolderClient(socket, hello, location, timeoutMs)
        done(client)
        const rest = greeting.slice(end + 1)
        if (rest) client.receive(rest)
      }
      socket.on('data', onData)
      socket.on('error', onError)
      socket.on('close', onError)
    })
  }

  /** Sends a request and resolves with the holder's answer (rejects with the error it sent back). */
  request<O extends Op>(op: O, args: unknown[]): Promise<OpValues[O]> {
    if (this.closed) return Promise.reject(new HolderGoneError())
    const id = this.nextId++
    return new Promise<OpValues[O]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        this.release()
        reject(holderTimeout(this.location, `answer ${op}`, this.timeoutMs, this.holder))
      }, this.timeoutMs)
      this.pending.set(id, { op, resolve: resolve as (v: unknown) => void, reject, timer })
      this.socket.ref()
      this.socket.write(`${JSON.stringify({ id, op, args })}\n`)
    })
  }

  /** Closes the connection (requests waiting fail with `HolderGoneError`). */
  close(): void {
    this.socket.destroy()
    this.onClose()
  }

  private receive(chunk: string): void {
    this.lines.push(chunk)
  }

  /** Settles the request a line answers; false when the line is garbage (the connection is then closed). */
  private settle(line: string): boolean {
    let message: { id?: number; value?: unknown; error?: WireError; notice?: string }
    try {
      message = JSON.parse(line) as typeof message
    } catch {
      this.close()
      return false
    }
    if (message.notice === 'handover') {
      this.handedOver = true
      return true
    }
    const waiting = message.id === undefined ? undefined : this.pending.get(message.id)
    if (!waiting) return true
    this.pending.delete(message.id as number)
    clearTimeout(waiting.timer)
    this.release()
    if (message.error) waiting.reject(decodeError(message.error))
    else
      try {
        waiting.resolve(decodeValue(waiting.op, message.value))
      } catch (err) {
        waiting.reject(err)
      }
    return true
  }

  /** Lets the process exit once nothing waits for an answer. */
  private release(): void {
    if (this.pending.size === 0) this.socket.unref()
  }

  private onClose(): void {
    if (this.closed) return
    this.closed = true
    for (const waiting of this.pending.values()) {
      clearTimeout(waiting.timer)
      waiting.reject(new HolderGoneError())
    }
    this.pending.clear()
  }
}

function parseHello(line: string, real: string): HolderInfo | null {
  try {
    const h = (JSON.parse(line) as Partial<Hello>).hello
    if (!h || h.v !== PROTOCOL_VERSION || h.location !== real || !Number.isSafeInteger(h.pid) || typeof h.command !== 'string') return null
    return { pid: h.pid as number, command: h.command }
  } catch {
    return null
  }
}

function holderTimeout(location: string, what: string, timeoutMs: number, holder?: HolderInfo): TimeoutError {
  const who = holder ? `process ${holder.pid} (${holder.command}), which holds` : 'the process holding'
  return new TimeoutError(
    `${PKG} waiting for ${who} the LevelDB database at "${location}" to ${what} (it answers when its event loop runs: ` +
      'it may be stopped, e.g. with Ctrl-Z, or busy in a long synchronous objective; holderTimeoutMs sets the wait)',
    timeoutMs,
  )
}
