import {
  AlreadyRunningError,
  LeaseLostError,
  NotFoundError,
  RevisionConflictError,
  assertSessionId,
  channels,
  corruptListing,
  decodeHead,
  decodeTrial,
  encodeHead,
  encodeTrial,
  headToListing,
  matchesFilter,
  openEnvelope,
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
import {
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
} from '@cairn/core/store-kit'
import { invalidInput } from './errors.js'
import { openDatabase, type BatchOperation, type OpenDatabase } from './database.js'
import { KeyedMutex } from './keyed-mutex.js'
import { trialKey, trialRange } from './keys.js'
import { decodeListingRecord, encodeListingRecord, listingOf, listingRecordOf, type ListingRecord } from './listing-record.js'
import { resolveOptions, type LevelStoreOptions, type ResolvedLevelStoreOptions } from './options.js'
import { SessionCache, type CachedSession } from './session-cache.js'
import { WarmStartEntries } from './warm-start.js'

/** How many bytes `readTrials` asks LevelDB for per round trip (classic-level's `highWaterMarkBytes`). */
const READ_CHUNK_BYTES = 4 << 20

/** Warm-start operations run one at a time, under this key of their own mutex. */
const WARM_LOCK = 'warm-start'

/**
 * A checkpoint and warm-start store on LevelDB (through `level`, i.e. `classic-level` on
 * Node.js). Durable, embedded, one process per database. Create it with
 * {@link createLevelStore}.
 *
 * The database opens on first use, or when {@link LevelStore.open} is awaited (do that to
 * fail fast when the location is locked by another process).
 */
export class LevelStore implements CheckpointStore, WarmStartStore {
  readonly capabilities: StoreCapabilities = { durable: true, multiProcess: false, multiMachine: false }
  /** The database directory. */
  readonly location: string
  private readonly options: ResolvedLevelStoreOptions
  private readonly sessions = new KeyedMutex()
  private readonly warmLock = new KeyedMutex()
  private readonly cache = new SessionCache()
  private opening: Promise<OpenDatabase> | null = null
  private database: OpenDatabase | null = null
  private warmEntries: WarmStartEntries | null = null
  private closed = false

  constructor(options: LevelStoreOptions) {
    this.options = resolveOptions(options)
    this.location = this.options.location
  }

  /**
   * Opens the database now (idempotent; every other method opens it on demand). Rejects with
   * `LevelLockedError` when another process holds it; a later call tries again.
   */
  async open(): Promise<void> {
    await this.ready()
  }

  async create(head: CheckpointHead): Promise<void> {
    checkNewHead(head)
    const id = head.sessionId
    const d = await this.ready()
    await this.sessions.run(id, async () => {
      const [text, headBytes] = await Promise.all([d.listings.get(id), d.heads.get(id)])
      if (text !== undefined || headBytes !== undefined) throw new RevisionConflictError(id, 0, undefined)
      const stored = { ...head, lease: null }
      const record = listingRecordOf(stored, head.lease, null)
      await this.write(d, id, { record, headIntact: true }, [
        { type: 'put', sublevel: d.heads, key: id, value: encodeHead(stored) },
        { type: 'put', sublevel: d.listings, key: id, value: encodeListingRecord(record) },
      ])
    })
  }

  async commit(sessionId: string, request: CommitRequest): Promise<CommitResult> {
    checkCommitRequest(sessionId, request)
    const d = await this.ready()
    return this.sessions.run(sessionId, async () => {
      // The stored head must be intact: a corrupt one is left for inspection, never overwritten.
      const record = await this.recordWithIntactHead(d, sessionId)
      if (record.revision !== request.expectedRevision)
        throw new RevisionConflictError(sessionId, request.expectedRevision, record.revision)
      if (!record.lease || record.lease.fencingToken !== request.fencingToken)
        throw new LeaseLostError(
          sessionId,
          `fencing token ${request.fencingToken} is stale (current ${record.lease?.fencingToken ?? 'none'})`,
        )
      if (!Array.isArray(request.trials)) throw invalidInput('must be an array of trial records', 'trials')
      if (request.head.sessionId !== sessionId)
        throw invalidInput(`must be "${sessionId}", got ${JSON.stringify(request.head.sessionId)}`, 'head.sessionId')
      const first = record.attempts
      request.trials.forEach((t, i) => {
        if (t.trialIdx !== first + i) throw invalidInput(`trial ${t.trialIdx} out of order (expected ${first + i})`, 'trials')
      })
      if (request.head.progress.attempts !== first + request.trials.length)
        throw invalidInput('head.progress.attempts must count the committed trials', 'head.progress.attempts')

      const revision = request.expectedRevision + 1
      const head: CheckpointHead = { ...request.head, revision, lease: null }
      const control = record.control
      const next = listingRecordOf(head, record.lease, head.status === 'running' ? control : null)
      await this.write(d, sessionId, { record: next, headIntact: true }, [
        ...request.trials.map((t) => ({
          type: 'put' as const,
          sublevel: d.trials,
          key: trialKey(sessionId, t.trialIdx),
          value: encodeTrial(t),
        })),
        { type: 'put', sublevel: d.heads, key: sessionId, value: encodeHead(head) },
        { type: 'put', sublevel: d.listings, key: sessionId, value: encodeListingRecord(next) },
      ])
      return { revision, control }
    })
  }

  async load(sessionId: string): Promise<CheckpointHead> {
    assertSessionId(sessionId)
    const d = await this.ready()
    return this.sessions.run(sessionId, async () => {
      const headBytes = await d.heads.get(sessionId)
      if (headBytes === undefined) throw new NotFoundError(`session "${sessionId}"`)
      const record = await this.record(d, sessionId, headBytes)
      let head: CheckpointHead
      try {
        head = decodeHead(headBytes, headWhat(sessionId))
      } catch (err) {
        await this.markCorrupt(d, sessionId, record, err)
        throw err
      }
      this.cache.set(sessionId, { record, headIntact: true })
      return { ...head, lease: record.lease ? { ...record.lease } : null }
    })
  }

  async readTrials(sessionId: string, options: ReadTrialsOptions = {}): Promise<TrialRecord[]> {
    checkReadTrialsOptions(sessionId, options)
    const from = options.from ?? 0
    const d = await this.ready()
    return this.sessions.run(sessionId, async () => {
      const record = await this.record(d, sessionId)
      // Only what the current head accounts for.
      const end = Math.min(record.attempts, options.limit === undefined ? Infinity : from + options.limit)
      if (from >= end) return []
      // Values only (no key decoding), fetched from LevelDB in large chunks: 10,000 trials in a few round trips.
      const values = await d.trials.values({ ...trialRange(sessionId, from, end), highWaterMarkBytes: READ_CHUNK_BYTES }).all()
      return values.map((bytes, i) => decodeTrial(bytes, `trial ${from + i} of session "${sessionId}"`))
    })
  }

  async list(filter: ListFilter = {}): Promise<ListPage> {
    checkListFilter(filter)
    const d = await this.ready()
    const limit = filter.limit ?? Infinity
    const items: SessionListing[] = []
    let more = false
    const range = filter.cursor !== undefined ? { gt: filter.cursor } : {}
    for await (const [id, text] of d.listings.iterator(range)) {
      const listing = await this.listingFor(d, id, text)
      if (!matchesFilter(listing, filter)) continue
      if (items.length === limit) {
        more = true
        break
      }
      items.push(listing)
    }
    if (!more) return { items }
    return { items, cursor: (items[items.length - 1] as SessionListing).sessionId }
  }

  async delete(sessionId: string): Promise<void> {
    assertSessionId(sessionId)
    const d = await this.ready()
    await this.sessions.run(sessionId, async () => {
      const trialKeys = await d.trials.keys(trialRange(sessionId)).all()
      await this.write(d, sessionId, null, [
        { type: 'del', sublevel: d.heads, key: sessionId },
        { type: 'del', sublevel: d.listings, key: sessionId },
        ...trialKeys.map((key) => ({ type: 'del' as const, sublevel: d.trials, key })),
      ])
    })
  }

  async acquireLease(sessionId: string, owner: string, ttlMs: number): Promise<Lease> {
    assertSessionId(sessionId)
    checkOwner(owner)
    checkLeaseTtl(ttlMs)
    const d = await this.ready()
    return this.sessions.run(sessionId, async () => {
      const record = await this.record(d, sessionId)
      const now = Date.now()
      const held = record.lease
      if (held && held.owner !== owner && held.expiresAt > now) throw new AlreadyRunningError(sessionId, held.owner)
      const lease: Lease = { owner, fencingToken: (held?.fencingToken ?? 0) + 1, expiresAt: now + ttlMs }
      await this.putRecord(d, sessionId, { ...record, lease })
      return { ...lease }
    })
  }

  async renewLease(sessionId: string, lease: Lease, ttlMs: number): Promise<Lease> {
    assertSessionId(sessionId)
    checkLease(lease)
    checkLeaseTtl(ttlMs)
    const d = await this.ready()
    return this.sessions.run(sessionId, async () => {
      const record = await this.record(d, sessionId)
      const held = record.lease
      if (!held || held.fencingToken !== lease?.fencingToken || held.owner !== lease.owner)
        throw new LeaseLostError(sessionId, `token ${lease?.fencingToken} was superseded by ${held?.fencingToken ?? 'none'}`)
      const renewed: Lease = { owner: held.owner, fencingToken: held.fencingToken, expiresAt: Date.now() + ttlMs }
      await this.putRecord(d, sessionId, { ...record, lease: renewed })
      return { ...renewed }
    })
  }

  async releaseLease(sessionId: string, lease: Lease): Promise<void> {
    assertSessionId(sessionId)
    checkLease(lease)
    const d = await this.ready()
    await this.sessions.run(sessionId, async () => {
      const record = await this.record(d, sessionId).catch((err: unknown) => {
        if (err instanceof NotFoundError) return undefined
        throw err
      })
      const held = record?.lease
      if (!record || !held || held.fencingToken !== lease?.fencingToken || held.owner !== lease.owner) return
      await this.putRecord(d, sessionId, { ...record, lease: { ...held, expiresAt: 0 } })
    })
  }

  async requestControl(sessionId: string, request: ControlRequest): Promise<void> {
    assertSessionId(sessionId)
    checkControlRequest(request)
    const d = await this.ready()
    await this.sessions.run(sessionId, async () => {
      const record = await this.record(d, sessionId)
      if (record.status !== 'running' || record.control === 'cancel' || record.control === request) return
      await this.putRecord(d, sessionId, { ...record, control: request })
    })
  }

  /** Waits for operations in flight, then closes the database. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await Promise.all([this.sessions.idle(), this.warmLock.idle()])
    const opening = this.opening
    if (!opening) return
    const d = await opening.catch(() => null)
    if (d) await d.db.close()
    this.cache.clear()
  }

  async saveOverwrite(key: string, runId: string, entry: WarmStartEntryInput): Promise<void> {
    const w = await this.warm()
    await this.warmLock.run(WARM_LOCK, () => w.save(key, runId, entry))
  }

  async lookup(key: string, options: LookupOptions = {}): Promise<WarmStartEntry | null> {
    checkLookup(key, options)
    const w = await this.warm()
    return this.warmLock.run(WARM_LOCK, () => w.lookup(key, options))
  }

  async lookupLatest(key: string): Promise<WarmStartEntry | null> {
    checkLookup(key)
    const w = await this.warm()
    return this.warmLock.run(WARM_LOCK, () => w.lookupLatest(key))
  }

  async evict(options: EvictOptions): Promise<EvictionReport> {
    checkEvictOptions(options)
    const w = await this.warm()
    return this.warmLock.run(WARM_LOCK, () => w.evict(options))
  }

  /**
   * Test hook: overwrites a session's stored head bytes (to simulate corruption), as
   * `MemoryStore#unsafeSetHeadBytes` does. Never use it on data you care about.
   */
  async unsafeSetHeadBytes(sessionId: string, bytes: Uint8Array): Promise<void> {
    assertSessionId(sessionId)
    const d = await this.ready()
    await this.sessions.run(sessionId, async () => {
      this.cache.delete(sessionId)
      await d.heads.put(sessionId, bytes, { sync: this.options.sync })
    })
  }

  /** Test hook: overwrites a stored warm-start entry's bytes. */
  async unsafeSetWarmStartBytes(key: string, runId: string, bytes: Uint8Array): Promise<void> {
    const w = await this.warm()
    await this.warmLock.run(WARM_LOCK, () => w.putRaw(key, runId, bytes))
  }

  private async ready(): Promise<OpenDatabase> {
    if (this.closed) throw invalidInput(`the store at "${this.location}" is closed`)
    if (this.database) return this.database
    if (!this.opening) {
      const opening = openDatabase(this.location)
      this.opening = opening
      opening.then(
        (d) => {
          this.database = d
        },
        () => {
          // Let a later call try again (the other process may have let go).
          if (this.opening === opening) this.opening = null
        },
      )
    }
    const d = await this.opening
    if (this.closed) throw invalidInput(`the store at "${this.location}" is closed`)
    return d
  }

  private async warm(): Promise<WarmStartEntries> {
    const d = await this.ready()
    return (this.warmEntries ??= new WarmStartEntries(d.warm, this.options.sync))
  }

  /**
   * A session's listing record: from the cache, else from the `listing` sublevel.
   * `NotFoundError` when the session does not exist. A missing or unreadable record is rebuilt
   * from the head (`headBytes` when the caller has read them already).
   */
  private async record(d: OpenDatabase, sessionId: string, headBytes?: Uint8Array): Promise<ListingRecord> {
    const cached = this.cache.get(sessionId)
    if (cached) return cached.record
    const text = await d.listings.get(sessionId)
    if (text !== undefined) {
      try {
        const record = decodeListingRecord(text, `listing record of session "${sessionId}"`)
        this.cache.set(sessionId, { record, headIntact: false })
        return record
      } catch (err) {
        publishCorrupt(sessionId, err)
      }
    }
    const bytes = headBytes ?? (await d.heads.get(sessionId))
    if (bytes === undefined) throw new NotFoundError(`session "${sessionId}"`)
    // Rebuild the record from the head. The lease and control flag it held are gone: the
    // session shows no lease, so a driver still holding one gets LeaseLostError on its next
    // commit and must acquire again.
    const record = listingRecordOf(decodeHead(bytes, headWhat(sessionId)), null, null)
    await this.putRecord(d, sessionId, record)
    return record
  }

  /**
   * The listing record of a session whose stored head is known intact: written or checked by
   * this process, else read and its envelope (magic, length, checksum) checked now.
   */
  private async recordWithIntactHead(d: OpenDatabase, sessionId: string): Promise<ListingRecord> {
    const cached = this.cache.get(sessionId)
    if (cached?.headIntact) return cached.record
    const bytes = await d.heads.get(sessionId)
    if (bytes === undefined) throw new NotFoundError(`session "${sessionId}"`)
    const record = await this.record(d, sessionId, bytes)
    try {
      openEnvelope('head', bytes, headWhat(sessionId))
    } catch (err) {
      await this.markCorrupt(d, sessionId, record, err)
      throw err
    }
    this.cache.set(sessionId, { record, headIntact: true })
    return record
  }

  /** Flags a session whose head failed to decode, so `list` reports it as `corrupt`. */
  private async markCorrupt(d: OpenDatabase, sessionId: string, record: ListingRecord, err: unknown): Promise<void> {
    publishCorrupt(sessionId, err)
    const problem = err instanceof Error ? err.message : String(err)
    if (record.problem === problem) return
    await this.putRecord(d, sessionId, { ...record, problem }, false).catch(() => {})
  }

  /** Writes a session's listing record alone (lease and control changes). */
  private async putRecord(d: OpenDatabase, sessionId: string, record: ListingRecord, headIntact?: boolean): Promise<void> {
    const intact = headIntact ?? this.cache.get(sessionId)?.headIntact ?? false
    await this.write(d, sessionId, { record, headIntact: intact }, [
      { type: 'put', sublevel: d.listings, key: sessionId, value: encodeListingRecord(record) },
    ])
  }

  /**
   * Writes one atomic batch for a session, then records what it now holds (`null`: nothing).
   * A failed write forgets the session, so the next operation reads it back from disk.
   */
  private async write(d: OpenDatabase, sessionId: string, after: CachedSession | null, ops: BatchOperation[]): Promise<void> {
    this.cache.delete(sessionId)
    await d.db.batch(ops, { sync: this.options.sync })
    if (after) this.cache.set(sessionId, after)
  }

  /** The listing of one `listing` entry; an unreadable record falls back to decoding the head. */
  private async listingFor(d: OpenDatabase, id: string, text: string): Promise<SessionListing> {
    try {
      return listingOf(id, decodeListingRecord(text, `listing record of session "${id}"`))
    } catch (recordErr) {
      publishCorrupt(id, recordErr)
      try {
        const bytes = await d.heads.get(id)
        if (bytes === undefined) return corruptListing(id, recordErr)
        return headToListing({ ...decodeHead(bytes, headWhat(id)), lease: null })
      } catch (headErr) {
        return corruptListing(id, headErr)
      }
    }
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
 * One process per database (LevelDB's own lock); use `@cairn/store-fs` or
 * `@cairn/store-dynamodb` to share sessions between processes.
 */
export function createLevelStore(options: LevelStoreOptions): LevelStore {
  return new LevelStore(options)
}

function headWhat(sessionId: string): string {
  return `head of session "${sessionId}"`
}

function publishCorrupt(sessionId: string, error: unknown): void {
  if (channels.storeCorrupt.hasSubscribers) channels.storeCorrupt.publish({ sessionId, error })
}
