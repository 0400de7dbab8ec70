import { randomUUID } from 'node:crypto'
import { open, readdir, rename, rm, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import {
  AlreadyRunningError,
  CheckpointCorruptError,
  InvalidInputError,
  LeaseLostError,
  NotFoundError,
  RevisionConflictError,
  assertSessionId,
  channels,
  checkPaging,
  corruptListing,
  encodeTrial,
  matchesFilter,
  pageListings,
} from '@cairn/core'
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
  SessionListing,
  StoreCapabilities,
  TrialRecord,
  WarmStartEntry,
  WarmStartEntryInput,
  WarmStartStore,
} from '@cairn/core'
import { decodeHeadFile, encodeHeadFile, readListingBlock, type StoredListing } from './head-file.js'
import { ensureDir, fsyncDir, isMissing, readIfExists, writeFileAtomic } from './io.js'
import { Layout, PKG } from './layout.js'
import { decodeLeaseFile, encodeLeaseFile, type LeaseState } from './lease-file.js'
import { withLock, type LockOptions } from './lock.js'
import { readTrialRange, writeTrials } from './trial-log.js'
import { FsWarmStart } from './warm-start.js'

/** Options of `createFsStore`. */
export interface FsStoreOptions {
  /** The store's root directory; created when missing. Several processes on one machine may share it. */
  dir: string
  /**
   * fsync every file and directory a write touches (default `true`). With `false`, writes are
   * still atomic and survive a process crash, but not a power loss or kernel panic.
   */
  durable?: boolean
  /**
   * A lock whose holder cannot be proven dead (another host or pid namespace, or not Linux)
   * is broken once its file has not been touched for this long; holders touch it every
   * third of it. Default 10,000 ms.
   */
  lockStaleMs?: number
  /** How long an operation waits for a session's lock before failing with `TimeoutError`. Default 30,000 ms. */
  lockTimeoutMs?: number
}

/** A filesystem store: both a `CheckpointStore` and a `WarmStartStore`. */
export interface FsStore extends CheckpointStore, WarmStartStore {
  /** The absolute root directory. */
  readonly dir: string
}

/** How many sessions `list` reads at once. */
const LIST_CONCURRENCY = 16

class FsStoreImpl implements FsStore {
  readonly capabilities: StoreCapabilities = { durable: true, multiProcess: true, multiMachine: false }
  readonly dir: string
  private readonly layout: Layout
  private readonly durable: boolean
  private readonly lockOptions: Omit<LockOptions, 'what'>
  private readonly warm: FsWarmStart
  private closed = false
  private ready: Promise<void> | undefined

  constructor(options: FsStoreOptions) {
    this.dir = resolve(options.dir)
    this.layout = new Layout(this.dir)
    this.durable = options.durable ?? true
    this.lockOptions = { staleMs: options.lockStaleMs ?? 10_000, timeoutMs: options.lockTimeoutMs ?? 30_000 }
    this.warm = new FsWarmStart({ layout: this.layout, durable: this.durable, lock: this.lockOptions, assertOpen: () => this.assertOpen() })
  }

  async create(head: CheckpointHead): Promise<void> {
    this.assertOpen()
    assertSessionId(head.sessionId)
    if (head.revision !== 0) throw new InvalidInputError('a new session must have revision 0', 'head.revision')
    const id = head.sessionId
    const bytes = checkedHeadFile({ ...head, lease: null })
    await this.prepare()
    await this.locked(id, async () => {
      if (await exists(this.layout.head(id))) throw new RevisionConflictError(id, 0, undefined)
      // Leftovers of a create that crashed before its head was written are overwritten.
      await ensureDir(this.layout.sessionDir(id), this.durable)
      await writeFileAtomic(this.layout.lease(id), encodeLeaseFile({ lease: head.lease ? { ...head.lease } : null, control: null }), this.durable)
      await Promise.all([truncateFile(this.layout.trialLog(id)), truncateFile(this.layout.trialIndex(id))])
      // The head is the commit point of creation: until it exists, the session does not.
      await writeFileAtomic(this.layout.head(id), bytes, this.durable)
    })
  }

  async commit(sessionId: string, request: CommitRequest): Promise<CommitResult> {
    this.assertOpen()
    assertSessionId(sessionId)
    return this.locked(sessionId, async () => {
      const current = await this.readHead(sessionId)
      if (current.revision !== request.expectedRevision)
        throw new RevisionConflictError(sessionId, request.expectedRevision, current.revision)
      const state = await this.readLease(sessionId)
      if (!state.lease || state.lease.fencingToken !== request.fencingToken)
        throw new LeaseLostError(sessionId, `fencing token ${request.fencingToken} is stale (current ${state.lease?.fencingToken ?? 'none'})`)
      const expectedIdx = current.progress.attempts
      request.trials.forEach((t, i) => {
        if (t.trialIdx !== expectedIdx + i)
          throw new InvalidInputError(`trial ${t.trialIdx} out of order (expected ${expectedIdx + i})`, 'trials')
      })
      if (request.head.progress.attempts !== expectedIdx + request.trials.length)
        throw new InvalidInputError('head.progress.attempts must count the committed trials', 'head.progress.attempts')
      if (request.head.sessionId !== sessionId)
        throw new InvalidInputError(`is "${request.head.sessionId}", committing to "${sessionId}"`, 'head.sessionId')
      const revision = request.expectedRevision + 1
      const headBytes = checkedHeadFile({ ...request.head, revision, lease: null })
      const records = request.trials.map(encodeTrial)
      const l = this.layout
      // 1. the trials, past the current head (invisible until step 2) — 2. the head, atomically.
      await writeTrials(l.trialLog(sessionId), l.trialIndex(sessionId), expectedIdx, records, this.durable, this.trialWhat(sessionId, expectedIdx))
      await writeFileAtomic(l.head(sessionId), headBytes, this.durable)
      const control = state.control
      if (request.head.status !== 'running' && control !== null) await this.writeLease(sessionId, { lease: state.lease, control: null })
      return { revision, control }
    })
  }

  async load(sessionId: string): Promise<CheckpointHead> {
    this.assertOpen()
    assertSessionId(sessionId)
    const head = await this.readHead(sessionId)
    const { lease } = await this.unlessDeleted(sessionId, () => this.readLease(sessionId))
    return { ...head, lease }
  }

  async readTrials(sessionId: string, options: ReadTrialsOptions = {}): Promise<TrialRecord[]> {
    this.assertOpen()
    assertSessionId(sessionId)
    const from = options.from ?? 0
    const limit = options.limit
    if (!Number.isSafeInteger(from) || from < 0) throw new InvalidInputError(`must be a non-negative integer, got ${from}`, 'from')
    if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0))
      throw new InvalidInputError(`must be a non-negative integer, got ${limit}`, 'limit')
    const block = await readListingBlock(this.layout.head(sessionId), this.headWhat(sessionId))
    if (!block) throw this.notFound(sessionId)
    const end = Math.min(block.attempts, limit === undefined ? Infinity : from + limit)
    return this.unlessDeleted(sessionId, () =>
      readTrialRange(this.layout.trialLog(sessionId), this.layout.trialIndex(sessionId), from, end, (i) => this.trialWhat(sessionId, i)),
    )
  }

  async list(filter: ListFilter = {}): Promise<ListPage> {
    this.assertOpen()
    checkPaging(filter)
    const after = filter.cursor
    const ids = (await listDir(this.layout.sessions)).filter((n) => isSessionId(n) && (after === undefined || n > after)).sort()
    const wanted = filter.limit === undefined ? Infinity : filter.limit + 1
    const found: SessionListing[] = []
    for (let i = 0; i < ids.length && found.length < wanted; i += LIST_CONCURRENCY) {
      const batch = await Promise.all(ids.slice(i, i + LIST_CONCURRENCY).map((id) => this.listing(id)))
      for (const l of batch) if (l && matchesFilter(l, filter) && found.length < wanted) found.push(l)
    }
    return pageListings(found, filter)
  }

  async delete(sessionId: string): Promise<void> {
    this.assertOpen()
    assertSessionId(sessionId)
    let moved: string | undefined
    await this.locked(sessionId, async () => {
      if (!(await exists(this.layout.sessionDir(sessionId)))) return
      await ensureDir(this.layout.trash, this.durable)
      moved = join(this.layout.trash, `${sessionId}.${randomUUID()}`)
      // One rename removes head, lease and trials together; the bytes are freed after.
      await rename(this.layout.sessionDir(sessionId), moved)
      if (this.durable) await fsyncDir(this.layout.sessions)
    })
    if (moved) await rm(moved, { recursive: true, force: true, maxRetries: 3 }).catch(() => {})
  }

  async acquireLease(sessionId: string, owner: string, ttlMs: number): Promise<Lease> {
    this.assertOpen()
    assertSessionId(sessionId)
    return this.locked(sessionId, async () => {
      await this.mustExist(sessionId)
      checkTtl(ttlMs)
      const state = await this.readLease(sessionId)
      const now = Date.now()
      const held = state.lease
      if (held && held.owner !== owner && held.expiresAt > now) throw new AlreadyRunningError(sessionId, held.owner)
      const lease = { owner, fencingToken: (held?.fencingToken ?? 0) + 1, expiresAt: now + ttlMs }
      await this.writeLease(sessionId, { lease, control: state.control })
      return { ...lease }
    })
  }

  async renewLease(sessionId: string, lease: Lease, ttlMs: number): Promise<Lease> {
    this.assertOpen()
    assertSessionId(sessionId)
    return this.locked(sessionId, async () => {
      await this.mustExist(sessionId)
      checkTtl(ttlMs)
      const state = await this.readLease(sessionId)
      const held = state.lease
      if (!held || held.fencingToken !== lease.fencingToken || held.owner !== lease.owner)
        throw new LeaseLostError(sessionId, `token ${lease.fencingToken} was superseded by ${held?.fencingToken ?? 'none'}`)
      const renewed = { ...held, expiresAt: Date.now() + ttlMs }
      await this.writeLease(sessionId, { lease: renewed, control: state.control })
      return { ...renewed }
    })
  }

  async releaseLease(sessionId: string, lease: Lease): Promise<void> {
    this.assertOpen()
    assertSessionId(sessionId)
    await this.locked(sessionId, async () => {
      if (!(await exists(this.layout.head(sessionId)))) return
      const state = await this.readLease(sessionId)
      const held = state.lease
      if (held && held.fencingToken === lease.fencingToken && held.owner === lease.owner)
        await this.writeLease(sessionId, { lease: { ...held, expiresAt: 0 }, control: state.control })
    })
  }

  async requestControl(sessionId: string, request: ControlRequest): Promise<void> {
    this.assertOpen()
    assertSessionId(sessionId)
    await this.locked(sessionId, async () => {
      const block = await readListingBlock(this.layout.head(sessionId), this.headWhat(sessionId))
      if (!block) throw this.notFound(sessionId)
      if (request !== 'pause' && request !== 'cancel') throw new InvalidInputError(`unknown control ${JSON.stringify(request)}`, 'request')
      if (block.status !== 'running') return
      const state = await this.readLease(sessionId)
      if (state.control === 'cancel' || state.control === request) return
      await this.writeLease(sessionId, { lease: state.lease, control: request })
    })
  }

  async close(): Promise<void> {
    this.closed = true
  }

  saveOverwrite(key: string, runId: string, entry: WarmStartEntryInput): Promise<void> {
    return this.warm.saveOverwrite(key, runId, entry)
  }

  lookup(key: string, options?: LookupOptions): Promise<WarmStartEntry | null> {
    return this.warm.lookup(key, options)
  }

  lookupLatest(key: string): Promise<WarmStartEntry | null> {
    return this.warm.lookupLatest(key)
  }

  evict(options: EvictOptions): Promise<EvictionReport> {
    return this.warm.evict(options)
  }

  /** The listing of one session; undefined when it vanished; `corrupt` (and reported) when unreadable. */
  private async listing(id: string): Promise<SessionListing | undefined> {
    try {
      const block = await readListingBlock(this.layout.head(id), this.headWhat(id))
      if (!block) return undefined
      if (block.sessionId !== id) throw new CheckpointCorruptError(this.headWhat(id), `it holds session "${block.sessionId}"`)
      const state = await this.unlessDeleted(id, () => this.readLease(id))
      return toListing(block, state.lease)
    } catch (err) {
      if (err instanceof NotFoundError) return undefined // deleted in between
      if (channels.storeCorrupt.hasSubscribers) channels.storeCorrupt.publish({ sessionId: id, error: err })
      return corruptListing(id, err)
    }
  }

  /**
   * Runs a lock-free read of files beside the head; if one is missing because the session
   * was deleted meanwhile (the directory vanishes in one rename), that is `NotFoundError`.
   */
  private async unlessDeleted<T>(id: string, read: () => Promise<T>): Promise<T> {
    try {
      return await read()
    } catch (err) {
      if (err instanceof CheckpointCorruptError && !(await exists(this.layout.head(id)))) throw this.notFound(id)
      throw err
    }
  }

  private async readHead(id: string): Promise<CheckpointHead> {
    const bytes = await readIfExists(this.layout.head(id))
    if (!bytes) throw this.notFound(id)
    const head = decodeHeadFile(bytes, this.headWhat(id))
    if (head.sessionId !== id) throw new CheckpointCorruptError(this.headWhat(id), `it holds session "${head.sessionId}"`)
    return head
  }

  private async readLease(id: string): Promise<LeaseState> {
    const what = `${PKG} lease of session "${id}" (${this.layout.lease(id)})`
    const bytes = await readIfExists(this.layout.lease(id))
    if (!bytes) throw new CheckpointCorruptError(what, 'the file is missing')
    return decodeLeaseFile(bytes, what)
  }

  private writeLease(id: string, state: LeaseState): Promise<void> {
    return writeFileAtomic(this.layout.lease(id), encodeLeaseFile(state), this.durable)
  }

  private async mustExist(id: string): Promise<void> {
    if (!(await exists(this.layout.head(id)))) throw this.notFound(id)
  }

  private locked<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return withLock(this.layout.sessionLock(id), { ...this.lockOptions, what: `session "${id}"` }, fn)
  }

  /** Creates the top-level directories once. */
  private prepare(): Promise<void> {
    this.ready ??= ensureDir(this.layout.sessions, this.durable).catch((err: unknown) => {
      this.ready = undefined
      throw err
    })
    return this.ready
  }

  private notFound(id: string): NotFoundError {
    return new NotFoundError(`${PKG} session "${id}" (in ${this.dir})`)
  }

  private headWhat(id: string): string {
    return `${PKG} head of session "${id}" (${this.layout.head(id)})`
  }

  private trialWhat(id: string, i: number): string {
    return `${PKG} trial ${i} of session "${id}" (${this.layout.trialLog(id)})`
  }

  private assertOpen(): void {
    if (this.closed) throw new InvalidInputError(`${PKG} this store (${this.dir}) is closed`)
  }
}

/**
 * A store in a directory on the local filesystem, for one or several processes on one machine.
 *
 * Every write goes to a temporary file that is fsynced, renamed over its target, and whose
 * directory is fsynced; a commit appends its trials to the session's log and then replaces the
 * head, so a crash at any instant leaves the session before or after the trial. Compare-and-set
 * and leases hold across processes through a per-session lock file that a SIGKILLed holder
 * cannot wedge.
 *
 * @example
 * ```ts
 * import { startSession } from '@cairn/core'
 * import { createFsStore } from '@cairn/store-fs'
 *
 * const store = createFsStore({ dir: './.cairn' })
 * const handle = await startSession({ store, optimizer, objective, sessionId: 'fit-1', maxTrials: 100 })
 * ```
 */
export function createFsStore(options: FsStoreOptions): FsStore {
  if (typeof options?.dir !== 'string' || options.dir.length === 0) throw new InvalidInputError(`${PKG} must be a non-empty path`, 'dir')
  if (options.durable !== undefined && typeof options.durable !== 'boolean') throw new InvalidInputError(`${PKG} must be a boolean`, 'durable')
  for (const field of ['lockStaleMs', 'lockTimeoutMs'] as const) {
    const v = options[field]
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new InvalidInputError(`${PKG} must be a positive number of ms, got ${v}`, field)
  }
  return new FsStoreImpl(options)
}

function toListing(block: StoredListing, lease: Lease | null): SessionListing {
  return {
    sessionId: block.sessionId,
    ...(block.name !== undefined ? { name: block.name } : {}),
    status: block.status,
    optimizer: block.optimizer,
    ...(block.job !== undefined ? { job: block.job } : {}),
    bestScore: block.bestScore,
    completed: block.completed,
    updatedAt: block.updatedAt,
    leaseExpiresAt: lease && lease.expiresAt > 0 ? lease.expiresAt : null,
  }
}

/** Encodes a head file and checks the head decodes again, so a commit never stores a head no one can load. */
function checkedHeadFile(head: CheckpointHead): Uint8Array {
  const bytes = encodeHeadFile(head)
  try {
    decodeHeadFile(bytes, 'the new head')
  } catch (err) {
    throw new InvalidInputError(`${PKG} cannot be stored: ${err instanceof Error ? err.message : String(err)}`, 'head')
  }
  return bytes
}

function checkTtl(ttlMs: number): void {
  if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) throw new InvalidInputError(`must be a positive number of ms, got ${ttlMs}`, 'ttlMs')
}

function isSessionId(name: string): boolean {
  try {
    assertSessionId(name)
    return true
  } catch {
    return false
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch (err) {
    if (isMissing(err)) return false
    throw err
  }
}

async function truncateFile(path: string): Promise<void> {
  await (await open(path, 'w')).close()
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir)
  } catch (err) {
    if (isMissing(err)) return []
    throw err
  }
}
