import { setTimeout as sleep } from 'node:timers/promises'
import { invalidInput, LevelLockedError } from './errors.js'
import { HolderClient, HolderGoneError } from './holder-client.js'
import { thisProcess } from './holder-info.js'
import { HolderServer } from './holder-server.js'
import { socketPathFor, untrustedReason } from './holder-socket.js'
import { LocalLevelStore } from './local-store.js'
import type { ResolvedLevelStoreOptions } from './options.js'
import { fromBase64, type YieldAnswer } from './wire.js'

/**
 * How long a store keeps trying when LevelDB reports the database locked but nobody answers
 * on its socket: the holder may be between taking the lock and listening (or between closing
 * its socket and releasing the lock). A holder that does not serve is then reported.
 */
const LOCK_WAIT_MS = 5_000
/** After a holder handed the database over, how long to wait for the next one to serve before opening it. */
const NEXT_HOLDER_WAIT_MS = 3_000
const MAX_RETRY_DELAY_MS = 100

/** The database open in this process: the store working on it, and the server answering other processes. */
export class Local {
  readonly kind = 'local'
  server: HolderServer | null = null
  private inFlight = 0
  private drained: (() => void) | null = null
  private closing: 'close' | 'handover' | null = null

  constructor(readonly store: LocalLevelStore) {}

  /** Runs an operation of this process on the store, counted so that `close` waits for it. */
  async run<T>(fn: (store: LocalLevelStore) => Promise<T>): Promise<T> {
    if (this.closing === 'handover') throw new HolderGoneError()
    return this.counted(fn)
  }

  /**
   * Runs an operation another process asked for. Once closing has begun it is not started:
   * `HolderGoneError` makes the server drop the connection, and the reader asks the next holder.
   */
  async serve<T>(fn: (store: LocalLevelStore) => Promise<T>): Promise<T> {
    if (this.closing !== null) throw new HolderGoneError()
    return this.counted(fn)
  }

  private async counted<T>(fn: (store: LocalLevelStore) => Promise<T>): Promise<T> {
    this.inFlight++
    try {
      return await fn(this.store)
    } finally {
      if (--this.inFlight === 0 && this.drained) this.drained()
    }
  }

  /**
   * Stops serving (connections stay open when handing over: the server answers the writer,
   * then tells the others), waits for the operations in flight, then closes and seals the database.
   */
  async close(reason: 'close' | 'handover' = 'close'): Promise<void> {
    this.closing = reason
    await this.server?.stopListening()
    while (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve))
    this.drained = null
    if (reason === 'close') this.server?.disconnect()
    await this.store.close()
  }
}

/** The database held by another process, read through it. */
export interface Remote {
  kind: 'remote'
  client: HolderClient
}

/** How a store has its database. */
export type Held = Local | Remote

/** What `establish` is asked for. */
export interface EstablishRequest {
  /**
   * `read`: read through a holder when there is one, else open the database. `write`: open the
   * database, asking a holder to hand it over first (one that refuses gives `LevelLockedError`).
   */
  mode: 'read' | 'write'
  /** The write that made a reading store ask for the database, for the error when refused. */
  refused?: string
  /** The previous holder handed the database over: give the next one time to serve before opening it. */
  nextHolder: boolean
  /** The store's answer when a process asks it to hand the database over. */
  onYield(local: Local): Promise<YieldAnswer>
}

/**
 * Finds how to reach the database at `options.location`: through the process serving it, or
 * by opening it here (and serving it, unless `serve: false`). LevelDB's own lock decides who
 * holds it; this only finds the holder, so at worst a call fails, never two processes write.
 */
export async function establish(options: ResolvedLevelStoreOptions, request: EstablishRequest): Promise<Held> {
  const started = Date.now()
  let delay = 5
  let waitForNext = request.nextHolder
  const pause = async (): Promise<void> => {
    await sleep(delay)
    delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS)
  }
  for (;;) {
    const client = await connect(options)
    if (client && request.mode === 'read') return { kind: 'remote', client }
    if (client) {
      const answer = await client.request('yield', []).catch((err: unknown) => {
        client.close()
        if (err instanceof HolderGoneError) return null
        throw err
      })
      client.close()
      if (answer && !answer.yielded)
        throw new LevelLockedError(options.location, undefined, {
          holder: client.holder,
          ...(request.refused !== undefined ? { refused: request.refused } : {}),
        })
      waitForNext = false
    } else if (waitForNext && Date.now() - started < NEXT_HOLDER_WAIT_MS) {
      await pause()
      continue
    }
    const local = await openHere(options, request)
    if (local) return local
    if (Date.now() - started >= LOCK_WAIT_MS) throw new LevelLockedError(options.location)
    await pause()
  }
}

/** A connection to the process serving the database, or null when none does. */
async function connect(options: ResolvedLevelStoreOptions): Promise<HolderClient | null> {
  const socket = await socketPathFor(options.location)
  if (socket === null || (await untrustedReason(socket.path, false)) !== null) return null
  return HolderClient.connect(socket.path, socket.real, options.location, options.holderTimeoutMs)
}

/** Opens the database here and serves it; null when another process holds it. */
async function openHere(options: ResolvedLevelStoreOptions, request: EstablishRequest): Promise<Local | null> {
  const store = new LocalLevelStore(options)
  try {
    await store.open()
  } catch (err) {
    await store.close().catch(() => undefined)
    if (err instanceof LevelLockedError) return null
    throw err
  }
  const local = new Local(store)
  if (options.serve) local.server = await serve(options.location, local, request)
  return local
}

/**
 * Serves the database to other processes. Best effort: a socket that cannot be made (a
 * directory not this user's, a path that cannot be bound) leaves the store working unserved,
 * as if `serve: false`.
 */
async function serve(location: string, local: Local, request: EstablishRequest): Promise<HolderServer | null> {
  const socket = await socketPathFor(location)
  if (socket === null || (await untrustedReason(socket.path, true)) !== null) return null
  const served = {
    load: (id: string) => local.serve((s) => s.load(id)),
    readTrials: (id: string, options: object | undefined) => local.serve((s) => s.readTrials(id, options ?? {})),
    list: (filter: object | undefined) => local.serve((s) => s.list(filter ?? {})),
    requestControl: (id: string, control: 'pause' | 'cancel') => local.serve((s) => s.requestControl(id, control)),
    salvage: (id: string) => local.serve((s) => s.salvage(id)),
    saveTrialProgress: (id: string, trialIdx: number, token: number, bytes: unknown) =>
      local.serve((s) => s.saveTrialProgress(id, trialIdx, token, fromBase64(bytes) as Uint8Array)),
    loadTrialProgress: (id: string, trialIdx: number) => local.serve((s) => s.loadTrialProgress(id, trialIdx)),
    deleteTrialProgress: (id: string, trialIdx: number) => local.serve((s) => s.deleteTrialProgress(id, trialIdx)),
    yield: () => request.onYield(local),
  }
  return HolderServer.start(socket.path, served, { ...thisProcess(), location: socket.real }).catch(() => null)
}

/** The error of a call on a closed store. */
export function closedError(location: string): Error {
  return invalidInput(`the store at "${location}" is closed`)
}
