import { randomUUID } from 'node:crypto'
import { ftruncateSync, readFileSync, statSync } from 'node:fs'
import { readdir, rename, rm } from 'node:fs/promises'
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
  corruptListing,
  decodeHead,
  defineOptions,
  optionKinds,
  type OptionsSchema,
  decodeTrial,
  encodeHead,
  encodeTrial,
  matchesFilter,
  pageListings,
} from '@cairn/core'
import {
  checkCommitRequest,
  checkControlRequest,
  checkLease,
  checkLeaseTtl,
  checkListFilter,
  checkNewHead,
  checkOwner,
  checkReadTrialsOptions,
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
  SessionListing,
  StoreCapabilities,
  TrialRecord,
  WarmStartEntry,
  WarmStartEntryInput,
  WarmStartStore,
} from '@cairn/core'
import {
  closeQuietly,
  datasync,
  ensureDir,
  fsyncDir,
  isMissing,
  openIfExists,
  sizeOf,
  unlinkSyncIfExists,
  writeAt,
  writeFileAtomic,
} from './io.js'
import {
  attemptsOf,
  encodeRecord,
  findTail,
  readJournalTrials,
  recordLength,
  type RecordHeader,
  type Tail,
  type TailMode,
} from './journal.js'
import { Layout, PKG } from './layout.js'
import { OpenFiles } from './open-files.js'
import { decodeLeaseFile, encodeLeaseFile, type LeaseState } from './lease-file.js'
import { encodeListing, type StoredListing } from './listing.js'
import { withLock, type LockOptions } from './lock.js'
import { appendTrials, readTrialRange } from './trial-log.js'
import { FsWarmStart } from './warm-start.js'

/** Options of `createFsStore`. */
export interface FsStoreOptions {
  /** The store's root directory; created when missing. Several processes on one machine may share it. */
  dir: string
  /**
   * Flush what a write touches before it resolves (default `true`): a commit fdatasyncs the
   * journal it appended to; a replaced or created file is fsynced, and so is its directory.
   * With `false`, writes are still atomic and survive a process crash, but not a power loss
   * or kernel panic.
   */
  durable?: boolean
  /**
   * A lock whose holder cannot be proven dead (another host or pid namespace, or not Linux)
   * is broken once its file has not been touched for this long; holders touch it every
   * third of it. Default 10,000 ms.
   */
  lockStaleMs?: number
  /**
   * How long an operation waits for a session's lock before failing with `TimeoutError`. Default
   * 30,000 ms. Like `lockStaleMs`, at most 2^31 − 1 ms (setTimeout's limit); more is refused.
   */
  lockTimeoutMs?: number
  /**
   * How large a session's journal may grow (default 1 MiB, and at least eight records) before
   * the commit that would pass it folds the journal's trials into the trial log and starts a
   * new journal. Bounds the disk space old heads take and the bytes a resume scans.
   */
  journalBytes?: number
}

/** A filesystem store: both a `CheckpointStore` and a `WarmStartStore`. */
export interface FsStore extends CheckpointStore, WarmStartStore {
  /** The absolute root directory. */
  readonly dir: string
}

/** A commit's bytes, encoded before its lock is taken. */
interface Encoded {
  head: Uint8Array
  listing: Buffer
  trials: Uint8Array[]
}

/** How many sessions `list` reads at once. */
const LIST_CONCURRENCY = 16
/** Default `journalBytes`. */
const DEFAULT_JOURNAL_BYTES = 1024 * 1024
/** A journal is restarted only once it could hold this many records of the size being committed. */
const JOURNAL_RECORDS_MIN = 8

class FsStoreImpl implements FsStore {
  readonly capabilities: StoreCapabilities = { durable: true, multiProcess: true, multiMachine: false }
  readonly dir: string
  private readonly layout: Layout
  private readonly durable: boolean
  private readonly journalBytes: number
  private readonly lockOptions: Omit<LockOptions, 'what'>
  private readonly warm: FsWarmStart
  private readonly files = new OpenFiles()
  private closed = false
  private ready: Promise<void> | undefined

  constructor(options: FsStoreOptions) {
    this.dir = resolve(options.dir)
    this.layout = new Layout(this.dir)
    this.durable = options.durable ?? true
    this.journalBytes = options.journalBytes ?? DEFAULT_JOURNAL_BYTES
    this.lockOptions = { staleMs: options.lockStaleMs ?? 10_000, timeoutMs: options.lockTimeoutMs ?? 30_000 }
    this.warm = new FsWarmStart({ layout: this.layout, durable: this.durable, lock: this.lockOptions, assertOpen: () => this.assertOpen() })
  }

  async create(head: CheckpointHead): Promise<void> {
    this.assertOpen()
    checkNewHead(head)
    const id = head.sessionId
    const stored = { ...head, lease: null }
    const record = encodeRecord({
      offset: 0,
      generation: 0,
      revision: 0,
      firstTrial: 0,
      base: 0,
      logBytes: 0,
      trials: [],
      listing: encodeListing(stored),
      head: checkedHead(stored),
    })
    await this.prepare()
    await this.locked(id, async () => {
      if (pathExists(this.layout.journal(id))) throw new RevisionConflictError(id, 0, undefined)
      this.files.forget(id)
      // Leftovers of a create that crashed before its journal was in place are replaced.
      await ensureDir(this.layout.sessionDir(id), this.durable)
      await writeFileAtomic(
        this.layout.lease(id),
        encodeLeaseFile({ lease: head.lease ? { ...head.lease } : null, control: null }),
        this.durable,
      )
      unlinkSyncIfExists(this.layout.trialLog(id))
      unlinkSyncIfExists(this.layout.trialIndex(id))
      // The journal is the commit point of creation: until it exists, the session does not.
      await writeFileAtomic(this.layout.journal(id), record, this.durable)
    })
  }

  async commit(sessionId: string, request: CommitRequest): Promise<CommitResult> {
    this.assertOpen()
    checkCommitRequest(sessionId, request)
    // Encoding is CPU work: done before taking the lock, its failure reported in the usual order.
    const revision = request.expectedRevision + 1
    let encoded: Encoded | undefined
    let encodeError: unknown
    try {
      const stored = { ...request.head, revision, lease: null }
      encoded = { head: checkedHead(stored), listing: encodeListing(stored), trials: request.trials.map(encodeTrial) }
    } catch (err) {
      encodeError = err
    }
    return this.locked(sessionId, () => this.commitLocked(sessionId, request, revision, encoded, encodeError))
  }

  /** The commit proper, inside the session's lock. */
  private async commitLocked(
    sessionId: string,
    request: CommitRequest,
    revision: number,
    encoded: Encoded | undefined,
    encodeError: unknown,
  ): Promise<CommitResult> {
    // Kept open since the previous commit when it is still the same file (see open-files.ts).
    const journal = this.files.journal(sessionId, this.layout.journal(sessionId))
    if (!journal) throw this.notFound(sessionId)
    const { fd, size } = journal
    const tail = await this.readTail(fd, size, sessionId, 'full')
    const current = tail.header
    if (current.revision !== request.expectedRevision)
      throw new RevisionConflictError(sessionId, request.expectedRevision, current.revision)
    const state = this.files.lease(sessionId, this.layout.lease(sessionId), (bytes) => decodeLeaseFile(bytes, this.leaseWhat(sessionId)))
    if (!state) throw new CheckpointCorruptError(this.leaseWhat(sessionId), 'the file is missing')
    if (!state.lease || state.lease.fencingToken !== request.fencingToken)
      throw new LeaseLostError(sessionId, `fencing token ${request.fencingToken} is stale (current ${state.lease?.fencingToken ?? 'none'})`)
    const expectedIdx = attemptsOf(current)
    request.trials.forEach((t, i) => {
      if (t.trialIdx !== expectedIdx + i)
        throw new InvalidInputError(`trial ${t.trialIdx} out of order (expected ${expectedIdx + i})`, 'trials')
    })
    if (request.head.progress.attempts !== expectedIdx + request.trials.length)
      throw new InvalidInputError('head.progress.attempts must count the committed trials', 'head.progress.attempts')
    if (request.head.sessionId !== sessionId)
      throw new InvalidInputError(`is "${request.head.sessionId}", committing to "${sessionId}"`, 'head.sessionId')
    if (!encoded) throw encodeError
    // A torn append left by a crash (bytes after the last intact record): dropped before appending.
    if (tail.end < size) ftruncateSync(fd, tail.end)
    const length = recordLength(encoded.trials, encoded.listing, encoded.head)
    if (tail.end + length > Math.max(this.journalBytes, JOURNAL_RECORDS_MIN * length)) {
      this.files.forgetJournal(sessionId)
      await this.restartJournal(sessionId, current, revision, encoded)
    } else {
      const record = encodeRecord({
        offset: tail.end,
        generation: current.generation,
        revision,
        firstTrial: expectedIdx,
        base: current.base,
        logBytes: current.logBytes,
        ...encoded,
      })
      try {
        await writeAt(fd, record, tail.end)
        // The one flush of a commit: the record (and the file's new size) reach the disk.
        if (this.durable) await datasync(fd)
      } catch (err) {
        // Not acknowledged, so not visible either (best effort: a torn tail is ignored anyway).
        try {
          ftruncateSync(fd, tail.end)
        } catch {
          // the next commit truncates it
        }
        this.files.forgetJournal(sessionId)
        throw err
      }
    }
    const control = state.control
    if (request.head.status !== 'running' && control !== null) await this.writeLease(sessionId, { lease: state.lease, control: null })
    return { revision, control }
  }

  async load(sessionId: string): Promise<CheckpointHead> {
    this.assertOpen()
    assertSessionId(sessionId)
    const head = await this.readHead(sessionId)
    const { lease } = await this.unlessDeleted(sessionId, async () => this.readLease(sessionId))
    return { ...head, lease }
  }

  async readTrials(sessionId: string, options: ReadTrialsOptions = {}): Promise<TrialRecord[]> {
    this.assertOpen()
    checkReadTrialsOptions(sessionId, options)
    const from = options.from ?? 0
    const limit = options.limit
    // One open journal for the whole read: a journal restarted meanwhile does not change what this one says.
    return this.withJournal(sessionId, 'r', async (fd, size) => {
      const { header } = await this.readTail(fd, size, sessionId, 'full')
      const end = Math.min(attemptsOf(header), limit === undefined ? Infinity : from + limit)
      const out: TrialRecord[] = []
      if (from >= end) return out
      if (from < header.base) {
        const log = this.layout.trialLog(sessionId)
        const folded = await this.unlessDeleted(sessionId, () =>
          readTrialRange(log, this.layout.trialIndex(sessionId), from, Math.min(end, header.base), (i) =>
            this.trialWhat(sessionId, i, log),
          ),
        )
        for (const t of folded) out.push(t)
      }
      const lo = Math.max(from, header.base)
      const journal = this.layout.journal(sessionId)
      const name = (i: number) => this.trialWhat(sessionId, i, journal)
      const bytes = await readJournalTrials(fd, header, lo, end, name)
      bytes.forEach((b, k) => {
        const i = lo + k
        const trial = decodeTrial(b, name(i))
        if (trial.trialIdx !== i) throw new CheckpointCorruptError(name(i), `record says trial ${trial.trialIdx}`)
        out.push(trial)
      })
      return out
    })
  }

  async list(filter: ListFilter = {}): Promise<ListPage> {
    this.assertOpen()
    checkListFilter(filter)
    const after = filter.cursor
    const ids = (await listDir(this.layout.sessions)).filter((n) => isSessionId(n) && (after === undefined || n > after)).sort()
    const wanted = filter.limit === undefined ? Infinity : filter.limit + 1
    const found: SessionListing[] = []
    for (let i = 0; i < ids.length && found.length < wanted; i += LIST_CONCURRENCY) {
      const batch = await Promise.all(ids.slice(i, i + LIST_CONCURRENCY).map((id) => this.listing(id)))
      for (const l of batch) if (l && matchesFilter(l, filter) && found.length < wanted) found.push(l)
      // Each listing is a few small synchronous reads: let other work in between batches.
      await new Promise<void>((r) => setImmediate(r))
    }
    return pageListings(found, filter)
  }

  async delete(sessionId: string): Promise<void> {
    this.assertOpen()
    assertSessionId(sessionId)
    let moved: string | undefined
    await this.locked(sessionId, async () => {
      this.files.forget(sessionId)
      if (!pathExists(this.layout.sessionDir(sessionId))) return
      await ensureDir(this.layout.trash, this.durable)
      moved = join(this.layout.trash, `${sessionId}.${randomUUID()}`)
      // One rename removes journal, lease and trials together; the bytes are freed after.
      await rename(this.layout.sessionDir(sessionId), moved)
      if (this.durable) await fsyncDir(this.layout.sessions)
    })
    if (moved) await rm(moved, { recursive: true, force: true, maxRetries: 3 }).catch(() => {})
  }

  async acquireLease(sessionId: string, owner: string, ttlMs: number): Promise<Lease> {
    this.assertOpen()
    assertSessionId(sessionId)
    checkOwner(owner)
    checkLeaseTtl(ttlMs)
    return this.locked(sessionId, async () => {
      this.mustExist(sessionId)
      const state = this.readLease(sessionId)
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
    checkLease(lease)
    checkLeaseTtl(ttlMs)
    return this.locked(sessionId, async () => {
      this.mustExist(sessionId)
      const state = this.readLease(sessionId)
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
    checkLease(lease)
    await this.locked(sessionId, async () => {
      if (!pathExists(this.layout.journal(sessionId))) return
      const state = this.readLease(sessionId)
      const held = state.lease
      if (held && held.fencingToken === lease.fencingToken && held.owner === lease.owner)
        await this.writeLease(sessionId, { lease: { ...held, expiresAt: 0 }, control: state.control })
    })
  }

  async requestControl(sessionId: string, request: ControlRequest): Promise<void> {
    this.assertOpen()
    assertSessionId(sessionId)
    checkControlRequest(request)
    await this.locked(sessionId, async () => {
      const { listing } = await this.withJournal(sessionId, 'r', (fd, size) => this.readTail(fd, size, sessionId, 'listing'))
      if (listing.status !== 'running') return
      const state = this.readLease(sessionId)
      if (state.control === 'cancel' || state.control === request) return
      await this.writeLease(sessionId, { lease: state.lease, control: request })
    })
  }

  async close(): Promise<void> {
    this.closed = true
    this.files.closeAll()
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

  /**
   * Folds the journal into the trial log and starts a new one whose first record is this
   * commit, so a journal never outgrows `journalBytes` (or a few records) and old heads do not
   * pile up. The trials go to `trials.log`/`trials.idx` past what the current journal says they
   * hold (invisible until the new journal says otherwise) and are fsynced; then the new journal
   * replaces the old one atomically. A crash at any instant leaves the old journal (and unread
   * bytes past the trial log's valid end) or the new one. Rare: bounded work, not per commit.
   */
  private async restartJournal(id: string, current: RecordHeader, revision: number, encoded: Encoded): Promise<void> {
    const l = this.layout
    const attempts = attemptsOf(current)
    const carried = await this.withJournal(id, 'r', (fd) =>
      readJournalTrials(fd, current, current.base, attempts, (i) => this.trialWhat(id, i, l.journal(id))),
    )
    const records = [...carried, ...encoded.trials]
    let logBytes = current.logBytes
    if (records.length > 0) {
      const folded = await appendTrials(l.trialLog(id), l.trialIndex(id), current.base, current.logBytes, records, this.durable)
      logBytes = folded.end
      // New files' entries reach the disk before a journal can refer to them.
      if (folded.created && this.durable) await fsyncDir(l.sessionDir(id))
    }
    const base = attempts + encoded.trials.length
    const record = encodeRecord({
      offset: 0,
      generation: current.generation + 1,
      revision,
      firstTrial: base,
      base,
      logBytes,
      trials: [],
      listing: encoded.listing,
      head: encoded.head,
    })
    await writeFileAtomic(l.journal(id), record, this.durable)
  }

  /** The listing of one session; undefined when it vanished; `corrupt` (and reported) when unreadable. */
  private async listing(id: string): Promise<SessionListing | undefined> {
    try {
      const fd = openIfExists(this.layout.journal(id), 'r')
      if (fd === undefined) return undefined
      let tail: Tail
      try {
        tail = await this.readTail(fd, sizeOf(fd), id, 'listing')
      } finally {
        closeQuietly(fd)
      }
      const state = await this.unlessDeleted(id, async () => this.readLease(id))
      return toListing(tail.listing, state.lease)
    } catch (err) {
      if (err instanceof NotFoundError) return undefined // deleted in between
      if (channels.storeCorrupt.hasSubscribers) channels.storeCorrupt.publish({ sessionId: id, error: err })
      return corruptListing(id, err)
    }
  }

  /**
   * Runs a lock-free read of files beside the journal; if one is missing because the session
   * was deleted meanwhile (the directory vanishes in one rename), that is `NotFoundError`.
   */
  private async unlessDeleted<T>(id: string, read: () => Promise<T>): Promise<T> {
    try {
      return await read()
    } catch (err) {
      if (err instanceof CheckpointCorruptError && !pathExists(this.layout.journal(id))) throw this.notFound(id)
      throw err
    }
  }

  /** Opens the session's journal for `fn`; `NotFoundError` when the session does not exist. */
  private async withJournal<T>(id: string, flags: 'r' | 'r+', fn: (fd: number, size: number) => Promise<T>): Promise<T> {
    const fd = openIfExists(this.layout.journal(id), flags)
    if (fd === undefined) throw this.notFound(id)
    try {
      return await fn(fd, sizeOf(fd))
    } finally {
      closeQuietly(fd)
    }
  }

  /** The current head record of a session's open journal. */
  private async readTail(fd: number, size: number, id: string, mode: TailMode): Promise<Tail> {
    const tail = await findTail(fd, size, mode, this.headWhat(id))
    if (tail.listing.sessionId !== id) throw new CheckpointCorruptError(this.headWhat(id), `it holds session "${tail.listing.sessionId}"`)
    return tail
  }

  private async readHead(id: string): Promise<CheckpointHead> {
    const tail = await this.withJournal(id, 'r', (fd, size) => this.readTail(fd, size, id, 'full'))
    const head = decodeHead(tail.head!, this.headWhat(id))
    if (head.sessionId !== id) throw new CheckpointCorruptError(this.headWhat(id), `it holds session "${head.sessionId}"`)
    return head
  }

  private readLease(id: string): LeaseState {
    const what = this.leaseWhat(id)
    const bytes = readSmallFile(this.layout.lease(id))
    if (!bytes) throw new CheckpointCorruptError(what, 'the file is missing')
    return decodeLeaseFile(bytes, what)
  }

  private writeLease(id: string, state: LeaseState): Promise<void> {
    this.files.forgetLease(id)
    return writeFileAtomic(this.layout.lease(id), encodeLeaseFile(state), this.durable)
  }

  private leaseWhat(id: string): string {
    return `${PKG} lease of session "${id}" (${this.layout.lease(id)})`
  }

  private mustExist(id: string): void {
    if (!pathExists(this.layout.journal(id))) throw this.notFound(id)
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
    return `${PKG} head of session "${id}" (${this.layout.journal(id)})`
  }

  private trialWhat(id: string, i: number, file: string): string {
    return `${PKG} trial ${i} of session "${id}" (${file})`
  }

  private assertOpen(): void {
    if (this.closed) throw new InvalidInputError(`${PKG} this store (${this.dir}) is closed`)
  }
}

/**
 * A store in a directory on the local filesystem, for one or several processes on one machine.
 *
 * A commit appends one checksummed record — its trials and the new head — to the session's
 * journal and fdatasyncs it: one flush per trial, and a crash at any instant leaves the session
 * before or after the trial (a torn last record is ignored, then truncated by the next commit).
 * Other files are replaced atomically (temporary file, fsync, rename, directory fsync).
 * Compare-and-set and leases hold across processes through a per-session lock file that a
 * SIGKILLed holder cannot wedge.
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
  FsStoreOptionsSchema.check(options)
  return new FsStoreImpl(options)
}

const FsStoreOptionsSchema: OptionsSchema<FsStoreOptions> = defineOptions<FsStoreOptions>(
  `${PKG} createFsStore`,
  {
    dir: optionKinds.string(),
    durable: optionKinds.optional(optionKinds.boolean()),
    lockStaleMs: optionKinds.optional(optionKinds.durationMs()),
    lockTimeoutMs: optionKinds.optional(optionKinds.durationMs()),
    journalBytes: optionKinds.optional(optionKinds.integer(1)),
  },
  { error: (message, field) => new InvalidInputError(`${PKG} ${message}`, field) },
)

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

/**
 * Encodes a head to store. `encodeHead` validates the very JSON it seals against the schema
 * `decodeHead` checks (and the current format needs no migration), so a stored head always
 * loads; a head that does not pass is refused with `InvalidInputError` before anything is written.
 */
function checkedHead(head: CheckpointHead): Uint8Array {
  try {
    return encodeHead(head)
  } catch (err) {
    if (err instanceof InvalidInputError) throw err
    throw new InvalidInputError(`${PKG} cannot be stored: ${err instanceof Error ? err.message : String(err)}`, 'head')
  }
}

function isSessionId(name: string): boolean {
  try {
    assertSessionId(name)
    return true
  } catch {
    return false
  }
}

/** Whether `path` exists (a synchronous stat: microseconds, and on the commit path). */
function pathExists(path: string): boolean {
  try {
    statSync(path)
    return true
  } catch (err) {
    if (isMissing(err)) return false
    throw err
  }
}

/** A small file's bytes (read synchronously), or undefined when it does not exist. */
function readSmallFile(path: string): Uint8Array | undefined {
  try {
    return readFileSync(path)
  } catch (err) {
    if (isMissing(err)) return undefined
    throw err
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir)
  } catch (err) {
    if (isMissing(err)) return []
    throw err
  }
}
