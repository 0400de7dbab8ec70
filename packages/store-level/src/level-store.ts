import { StoreIoError } from '@cairn/core'
import {
  assertSessionId,
  checkCommitRequest,
  checkControlRequest,
  checkEvictOptions,
  checkLease,
  checkLeaseTtl,
  checkListFilter,
  checkLookup,
  checkNewHead,
  checkOwner,
  checkReadTrialsOptions,
  checkReplaceDamagedHeadRequest,
} from '@cairn/core/store-kit'
import type {
  CheckpointHead,
  CheckpointStore,
  CommitRequest,
  CommitResult,
  ControlRequest,
  EvictOptions,
  EvictionReport,
  Lease,
  ListFilter,
  ListPage,
  LookupOptions,
  ReadTrialsOptions,
  ReplaceDamagedHeadRequest,
  ReplaceDamagedHeadResult,
  SalvagedSession,
  StoreCapabilities,
  StoredTrialProgress,
  TrialRecord,
  WarmStartEntry,
  WarmStartEntryInput,
  WarmStartStore,
} from '@cairn/core'
import { LevelLockedError, PKG } from './errors.js'
import { HolderGoneError } from './holder-client.js'
import type { HolderInfo } from './holder-info.js'
import { registerLocalAccess } from './local-access.js'
import type { LocalLevelStore } from './local-store.js'
import { resolveOptions, type LevelStoreOptions, type ResolvedLevelStoreOptions } from './options.js'
import { closedError, establish, type Held, type Local, type Remote } from './establish.js'
import { checkSaveTrialProgress, checkTrialProgressArgs } from '@cairn/core/store-kit'
import { toBase64, type Op, type OpValues, type YieldAnswer } from './wire.js'
import { LEVEL_CAPABILITIES } from './capabilities.js'

/** How many times in a row a read is retried when the holder goes away mid-request (it closed, or handed over). */
const MAX_RECONNECTS = 5

/**
 * A checkpoint and warm-start store on LevelDB (through `level`, i.e. `classic-level` on
 * Node.js). Durable, embedded; one process at a time has the database open, and other
 * processes can read through it. Create it with {@link createLevelStore}.
 *
 * The process that opens the database (on first use, or when {@link LevelStore.open} is
 * awaited) holds it, and, unless `serve: false`, answers other processes' reads and pause or
 * cancel requests on a local socket. A store created with `shareReads: true` whose database is
 * held by another process reads through that process (`readsThrough` names it); its writes are
 * refused with `LevelLockedError`. What it reads is verified: an existing database before
 * LevelDB opens it, a session's head against its listing record and trial log, every trial
 * record against the head; damage gives `CheckpointCorruptError` naming it, and nothing is
 * written over it.
 */
export class LevelStore implements CheckpointStore, WarmStartStore {
  readonly specificationVersion = 'v1'
  readonly capabilities: StoreCapabilities = LEVEL_CAPABILITIES
  /** The database directory. */
  readonly location: string
  private readonly options: ResolvedLevelStoreOptions
  private held: Held | null = null
  private establishing: Promise<Held> | null = null
  private handingOver: Promise<void> | null = null
  /** The last holder said it handed the database over: wait for the next one to serve rather than opening it. */
  private nextHolder = false
  /** This store created a session or took a lease: it keeps the database until it closes (see `handOver`). */
  private pinned = false
  private closed = false

  constructor(options: LevelStoreOptions) {
    this.options = resolveOptions(options)
    this.location = this.options.location
    registerLocalAccess(this, () => this.write('write', false, async (s) => s))
  }

  /**
   * The process this store reads through (its pid and command line), when another process
   * holds the database and this store was created with `shareReads: true`; null when this
   * process holds it, or the store is not open.
   */
  get readsThrough(): HolderInfo | null {
    const held = this.held
    return held?.kind === 'remote' && !held.client.closed ? { ...held.client.holder } : null
  }

  /**
   * Opens the database now, or, with `shareReads`, connects to the process holding it
   * (idempotent; every other method does so on demand). Rejects with `LevelLockedError` when
   * another process holds it (and this store does not share reads, or the holder does not
   * serve), `InvalidInputError` when the location is a file or a directory holding something
   * else, `CheckpointCorruptError` when the database fails verification (then LevelDB never
   * opens it and nothing is written), and `StoreIoError` on an I/O failure. A later call tries again.
   */
  async open(): Promise<void> {
    this.assertOpen()
    await this.resolve()
  }

  async create(head: CheckpointHead): Promise<void> {
    checkNewHead(head)
    await this.write(`create session "${head.sessionId}"`, true, (s) => s.create(head))
  }

  async commit(sessionId: string, request: CommitRequest): Promise<CommitResult> {
    const held = this.held
    // The per-trial path: a store driving a session holds the database until it closes.
    if (held?.kind === 'local' && this.pinned && !this.closed) return held.run((s) => s.commit(sessionId, request))
    checkCommitRequest(sessionId, request)
    return this.write(`commit to session "${sessionId}"`, true, (s) => s.commit(sessionId, request))
  }

  async load(sessionId: string): Promise<CheckpointHead> {
    assertSessionId(sessionId)
    return this.read('load', [sessionId], (s) => s.load(sessionId))
  }

  async readTrials(sessionId: string, options: ReadTrialsOptions = {}): Promise<TrialRecord[]> {
    checkReadTrialsOptions(sessionId, options)
    return this.read('readTrials', [sessionId, options], (s) => s.readTrials(sessionId, options))
  }

  async list(filter: ListFilter = {}): Promise<ListPage> {
    checkListFilter(filter)
    return this.read('list', [filter], (s) => s.list(filter))
  }

  async delete(sessionId: string): Promise<void> {
    assertSessionId(sessionId)
    await this.write(`delete session "${sessionId}"`, false, (s) => s.delete(sessionId))
  }

  async acquireLease(sessionId: string, owner: string, ttlMs: number): Promise<Lease> {
    assertSessionId(sessionId)
    checkOwner(owner)
    checkLeaseTtl(ttlMs)
    return this.write(`take the lease of session "${sessionId}"`, true, (s) => s.acquireLease(sessionId, owner, ttlMs))
  }

  async renewLease(sessionId: string, lease: Lease, ttlMs: number): Promise<Lease> {
    assertSessionId(sessionId)
    checkLease(lease)
    checkLeaseTtl(ttlMs)
    return this.write(`renew the lease of session "${sessionId}"`, true, (s) => s.renewLease(sessionId, lease, ttlMs))
  }

  async releaseLease(sessionId: string, lease: Lease): Promise<void> {
    assertSessionId(sessionId)
    checkLease(lease)
    await this.write(`release the lease of session "${sessionId}"`, false, (s) => s.releaseLease(sessionId, lease))
  }

  /** A pause or cancel request; answered by the holder when another process holds the database. */
  async requestControl(sessionId: string, request: ControlRequest): Promise<void> {
    assertSessionId(sessionId)
    checkControlRequest(request)
    await this.read('requestControl', [sessionId, request], (s) => s.requestControl(sessionId, request))
  }

  /**
   * What can be vouched for about a session whose head does not decode: its listing record
   * (written in the same batches as the heads: status, job, revision, trial count, lease) and
   * its trial records, when they are exactly as many as the record counts and all decode.
   */
  async salvage(sessionId: string): Promise<SalvagedSession | null> {
    assertSessionId(sessionId)
    return this.read('salvage', [sessionId], (s) => s.salvage(sessionId))
  }

  /**
   * Puts a rebuilt head in place of a damaged one in one batch, which also keeps the damaged
   * bytes in the `damaged` sublevel (key `<sessionId>:<revision>`) and rewrites the listing record.
   */
  async replaceDamagedHead(sessionId: string, request: ReplaceDamagedHeadRequest): Promise<ReplaceDamagedHeadResult> {
    checkReplaceDamagedHeadRequest(sessionId, request)
    return this.write(`replace the damaged head of session "${sessionId}"`, true, (s) => s.replaceDamagedHead(sessionId, request))
  }

  /**
   * Saves a running trial's progress in one atomic batch (chunks of at most 1 MiB, the trial's
   * manifest, the previous save's chunks deleted); answered by the holder when another process
   * holds the database, like `requestControl`.
   */
  async saveTrialProgress(sessionId: string, trialIdx: number, token: number, bytes: Uint8Array): Promise<void> {
    checkSaveTrialProgress(sessionId, trialIdx, token, bytes)
    // The base64 copy is made only when the request goes to the holder.
    await this.read(
      'saveTrialProgress',
      () => [sessionId, trialIdx, token, toBase64(bytes)],
      (s) => s.saveTrialProgress(sessionId, trialIdx, token, bytes),
    )
  }

  /** The trial's latest progress, checked against its checksum; read through the holder when another process holds the database. */
  async loadTrialProgress(sessionId: string, trialIdx: number): Promise<StoredTrialProgress | null> {
    checkTrialProgressArgs(sessionId, trialIdx)
    return this.read('loadTrialProgress', [sessionId, trialIdx], (s) => s.loadTrialProgress(sessionId, trialIdx))
  }

  /** Removes every save of the trial (one batch); answered by the holder when another process holds the database. */
  async deleteTrialProgress(sessionId: string, trialIdx: number): Promise<void> {
    checkTrialProgressArgs(sessionId, trialIdx)
    await this.read('deleteTrialProgress', [sessionId, trialIdx], (s) => s.deleteTrialProgress(sessionId, trialIdx))
  }

  async saveOverwrite(key: string, runId: string, entry: WarmStartEntryInput): Promise<void> {
    await this.write('save a warm-start entry', false, (s) => s.saveOverwrite(key, runId, entry))
  }

  /** The best warm-start entry of `key`. A write too: it records the entry's access time. */
  async lookup(key: string, options: LookupOptions = {}): Promise<WarmStartEntry | null> {
    checkLookup(key, options)
    return this.write('look up warm-start entries', false, (s) => s.lookup(key, options))
  }

  async lookupLatest(key: string): Promise<WarmStartEntry | null> {
    checkLookup(key)
    return this.write('look up warm-start entries', false, (s) => s.lookupLatest(key))
  }

  async evict(options: EvictOptions): Promise<EvictionReport> {
    checkEvictOptions(options)
    return this.write('evict warm-start entries', false, (s) => s.evict(options))
  }

  /**
   * Closes the store: when it holds the database, stops serving other processes (they find
   * the next holder, or open the database themselves), waits for operations in flight, then
   * closes the database and seals it (the sizes of its files are recorded, so the next open can
   * tell a log cut short from a clean end); when it reads through another process, closes the
   * connection. Idempotent; any call after it rejects.
   */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.establishing?.catch(() => undefined)
    await this.handingOver
    const held = this.held
    this.held = null
    if (held?.kind === 'remote') held.client.close()
    if (held?.kind === 'local') await held.close()
  }

  /** The database as held now, or from now on: opened here, or (with `shareReads`) read through its holder. */
  private resolve(mode: 'read' | 'write' = 'read', refused?: string): Promise<Held> {
    if (this.held) return Promise.resolve(this.held)
    if (this.closed) return Promise.reject(closedError(this.location))
    this.establishing ??= this.establish(mode, refused).finally(() => {
      this.establishing = null
    })
    return this.establishing
  }

  private async establish(mode: 'read' | 'write', refused: string | undefined): Promise<Held> {
    await this.handingOver
    const nextHolder = this.nextHolder
    this.nextHolder = false
    const held = await establish(this.options, {
      mode: this.options.shareReads ? mode : 'write',
      ...(refused !== undefined ? { refused } : {}),
      nextHolder,
      onYield: (local) => this.handOver(local),
    })
    if (this.closed) {
      await (held.kind === 'remote' ? held.client.close() : held.close())
      throw closedError(this.location)
    }
    this.held = held
    return held
  }

  /**
   * Runs a read here, or asks the holder; a holder that goes away is found again (or the
   * database opened here). `args` may be a function, called only when the request is sent.
   */
  private async read<O extends Exclude<Op, 'yield'>>(
    op: O,
    args: unknown[] | (() => unknown[]),
    here: (store: LocalLevelStore) => Promise<OpValues[O]>,
  ): Promise<OpValues[O]> {
    for (let attempt = 1; ; attempt++) {
      this.assertOpen()
      const held = await this.resolve()
      try {
        return held.kind === 'local' ? await held.run(here) : await held.client.request(op, typeof args === 'function' ? args() : args)
      } catch (err) {
        this.retryAfter(err, held, attempt)
      }
    }
  }

  /**
   * Runs a write here. A store reading through another process first asks that process to
   * hand the database over; one that drives a session refuses: `LevelLockedError` naming it and `what`.
   */
  private async write<T>(what: string, pins: boolean, fn: (store: LocalLevelStore) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      this.assertOpen()
      const held = await this.resolve('write', what)
      try {
        if (held.kind === 'remote') {
          // Several readers may pass the database around; after a few rounds, give up.
          if (attempt > MAX_RECONNECTS) throw new LevelLockedError(this.location, undefined, { holder: held.client.holder, refused: what })
          await this.takeOver(held, what)
          continue
        }
        if (pins) this.pinned = true
        return await held.run(fn)
      } catch (err) {
        this.retryAfter(err, held, attempt)
      }
    }
  }

  /** Rethrows `err` unless the holder went away (closed, or handed the database over): then the caller tries again. */
  private retryAfter(err: unknown, held: Held, attempt: number): void {
    if (!(err instanceof HolderGoneError)) throw err
    if (held.kind === 'remote') {
      held.client.close()
      if (held.client.handedOver) this.nextHolder = true
    }
    if (this.held === held) this.held = null
    this.assertOpen()
    if (attempt >= MAX_RECONNECTS)
      throw new StoreIoError(
        `${PKG} the LevelDB database at "${this.location}"`,
        `the process holding it went away ${MAX_RECONNECTS} times in a row while answering; try again`,
        { cause: err },
      )
  }

  /** Asks the holder for the database; when it agrees, opens it here. */
  private async takeOver(remote: Remote, what: string): Promise<void> {
    const answer = await remote.client.request('yield', [])
    if (!answer.yielded) throw new LevelLockedError(this.location, undefined, { holder: remote.client.holder, refused: what })
    remote.client.close()
    if (this.held === remote) this.held = null
    this.nextHolder = false
    await this.resolve('write', what)
  }

  /**
   * Asked by another process that wants to write: a `shareReads` store that has not created a
   * session nor taken a lease stops serving, waits for its operations in flight, closes the
   * database and says yes; its next call reads through the new holder. Any other store says no.
   */
  private async handOver(local: Local): Promise<YieldAnswer> {
    if (this.handingOver) {
      // Already handing it over to another writer: this one asks the next holder.
      await this.handingOver
      return { yielded: true }
    }
    if (!this.options.shareReads || this.pinned || this.closed || this.held !== local) return { yielded: false }
    this.held = null
    this.nextHolder = true
    const closing = local.close('handover')
    this.handingOver = closing.then(
      () => undefined,
      () => undefined,
    )
    try {
      await closing
    } finally {
      this.handingOver = null
    }
    return { yielded: true }
  }

  private assertOpen(): void {
    if (this.closed) throw closedError(this.location)
  }
}

/**
 * A checkpoint and warm-start store on LevelDB at `options.location`.
 *
 * ```ts
 * const store = createLevelStore({ location: './.cairn' })
 * await store.open() // optional: fail fast if another process holds the database
 * ```
 *
 * One process at a time has a LevelDB database open. It answers other processes' reads and
 * pause/cancel requests: a store created with `shareReads: true` reads through it (`cairn ls`
 * and `show` do) instead of failing. Use `@cairn/store-fs` or `@cairn/store-dynamodb` for
 * several writing processes.
 */
export function createLevelStore(options: LevelStoreOptions): LevelStore {
  return new LevelStore(options)
}
