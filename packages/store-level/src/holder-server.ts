import { createServer, type Server, type Socket } from 'node:net'
import { MAX_TRIAL_PROGRESS_BYTES } from '@cairn/core'
import { HolderGoneError } from './holder-client.js'
import type { HolderInfo } from './holder-info.js'
import { lineSplitter } from './lines.js'
import { bindPath, removeOnExit, removeSocket } from './holder-socket.js'
import {
  encodeError,
  encodeValue,
  OPS,
  PROTOCOL_VERSION,
  type Hello,
  type Notice,
  type Op,
  type Request,
  type WireError,
  type YieldAnswer,
} from './wire.js'

/** What the holder answers: the reads and control requests of its store, and `yield`. */
export type Served = {
  [K in Exclude<Op, 'yield'>]: (...args: never[]) => Promise<unknown>
} & {
  /** Asked by a process that wants to write: hand the database over (closing it first), or refuse. */
  yield(): Promise<YieldAnswer>
}

/**
 * The longest request line taken (a session id and a few options, or a trial's progress: at
 * most `MAX_TRIAL_PROGRESS_BYTES` in base64): a longer one closes the connection.
 */
const MAX_REQUEST_BYTES = Math.ceil((MAX_TRIAL_PROGRESS_BYTES * 4) / 3) + (1 << 20)

/**
 * The holder's side of the socket: it answers each request by calling the same store object its
 * own process uses, so nothing is copied or cached, and it does nothing at all until someone
 * connects. Neither the server nor its connections keep the process alive.
 */
export class HolderServer {
  private readonly connections = new Set<Socket>()
  private listening = true

  private constructor(
    private readonly server: Server,
    /** Where it listens. */
    readonly path: string,
  ) {}

  /**
   * Listens at `path` (see `bindPath`: owner-only, replacing a stale socket) and serves `served`,
   * greeting each connection with `info`: who holds the database, and its real path.
   */
  static async start(path: string, served: Served, info: HolderInfo & { location: string }): Promise<HolderServer> {
    const hello = `${JSON.stringify({ hello: { v: PROTOCOL_VERSION, ...info } } satisfies Hello)}\n`
    let holder: HolderServer | null = null
    const server = createServer((socket) => (holder ? holder.accept(socket, served, hello) : socket.destroy()))
    server.on('error', () => undefined)
    await bindPath(path, (at) => listen(server, at)).catch(async (err: unknown) => {
      server.close()
      throw err
    })
    server.unref()
    removeOnExit(path)
    holder = new HolderServer(server, path)
    return holder
  }

  /** Stops taking connections and removes the socket; connections open now stay until `disconnect`. */
  async stopListening(): Promise<void> {
    if (!this.listening) return
    this.listening = false
    this.server.close()
    await removeSocket(this.path)
  }

  /**
   * Closes every connection but `except`; with `handover`, each is told first that the database
   * is changing hands, so its store waits for the next holder instead of opening the database.
   */
  disconnect(options: { handover?: boolean; except?: Socket } = {}): void {
    const notice = `${JSON.stringify({ notice: 'handover' } satisfies Notice)}\n`
    for (const socket of this.connections) {
      if (socket === options.except) continue
      if (options.handover) socket.end(notice)
      else socket.destroy()
    }
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    await this.stopListening()
    this.disconnect()
  }

  private accept(socket: Socket, served: Served, hello: string): void {
    if (!this.listening) return void socket.destroy()
    this.connections.add(socket)
    socket.unref()
    socket.setEncoding('utf8')
    socket.on('error', () => undefined)
    socket.on('close', () => this.connections.delete(socket))
    socket.write(hello)
    const lines = lineSplitter((line) => {
      void this.answer(socket, served, line)
      return undefined
    })
    socket.on('data', (chunk: string) => {
      lines.push(chunk)
      if (lines.pendingLength() > MAX_REQUEST_BYTES) socket.destroy()
    })
  }

  private async answer(socket: Socket, served: Served, line: string): Promise<void> {
    const request = parseRequest(line)
    if (!request) return void socket.destroy()
    const { id, op, args } = request
    let reply: string
    let handedOver = false
    try {
      const value = op === 'yield' ? await served.yield() : await (served[op] as (...a: unknown[]) => Promise<unknown>)(...args)
      handedOver = op === 'yield' && (value as YieldAnswer).yielded
      reply = JSON.stringify({ id, value: encodeValue(op, value) })
    } catch (err) {
      // The database is being handed over: the reader finds the next holder and asks again.
      if (err instanceof HolderGoneError) return void socket.destroy()
      reply = errorReply(id, err)
    }
    if (!socket.destroyed) socket.write(`${reply}\n`)
    if (handedOver) this.disconnect({ handover: true, except: socket })
  }
}

/** An error answer; never throws (a field JSON cannot write leaves the message alone), so a request cannot take the holder down. */
function errorReply(id: number, err: unknown): string {
  try {
    return JSON.stringify({ id, error: encodeError(err) })
  } catch {
    const message = err instanceof Error ? err.message : String(err)
    return JSON.stringify({ id, error: { name: err instanceof Error ? err.name : 'Error', message, fields: {} } satisfies WireError })
  }
}

function parseRequest(line: string): Request | null {
  try {
    const r = JSON.parse(line) as Partial<Request> | null
    if (!r || !Number.isSafeInteger(r.id) || typeof r.op !== 'string' || !OPS.has(r.op) || !Array.isArray(r.args)) return null
    return r as Request
  } catch {
    return null
  }
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(path, () => {
      server.off('error', reject)
      resolve()
    })
  })
}
