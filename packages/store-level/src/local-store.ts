import { AlreadyRunningError, CheckpointCorruptError, LeaseLostError, NotFoundError, RevisionConflictError, channels } from '@cairn/core'
import type { StoredTrialProgress } from '@cairn/core'
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
  corruptListing,
  decodeHead,
  encodeHead,
  encodeTrial,
  headToListing,
  matchesFilter,
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
  SessionListing,
  StoreCapabilities,
  TrialRecord,
  WarmStartEntry,
  WarmStartEntryInput,
  WarmStartStore,
} from '@cairn/core'
import { invalidInput, levelError, PKG } from './errors.js'
import { openDatabase, type BatchOperation, type OpenDatabase } from './database.js'
import { registerFaultAccess } from './fault-access.js'
import { KeyedMutex } from './keyed-mutex.js'
import {
  damagedKey,
  damagedRange,
  progressChunkKey,
  progressChunkRange,
  progressKey,
  progressSessionRange,
  progressTrialRange,
  trialKey,
  trialRange,
} from './keys.js'
import { decodeListingRecord, disagreement, encodeListingRecord, listingOf, listingRecordOf, type ListingRecord } from './listing-record.js'
import type { ResolvedLevelStoreOptions } from './options.js'
import { checkSaveTrialProgress, checkTrialProgressArgs } from '@cairn/core/store-kit'
import { assembleProgress, decodeProgressManifest, progressLayout, type ProgressManifest } from './progress-record.js'
import { damageOf, headProblem, salvaged, vouchedTrials } from './salvage.js'
import { SessionCache, type CachedSession } from './session-cache.js'
import { firstTrialFrom, readTrialLog } from './trial-log.js'
import { WarmStartEntries } from './warm-start.js'
import { LEVEL_CAPABILITIES } from './capabilities.js'

/** The key of the mutex every warm-start operation holds: they run one at a time per store. */
export const WARM_LOCK = 'warm-start'

/**
 * The store working on a database this process has open: every method of `LevelStore`, on
 * LevelDB (through `level`, i.e. `classic-level` on Node.js). `LevelStore` holds one of these
 * while its process holds the database, and serves other processes from it.
 *
 * The database opens on first use, or when {@link LocalLevelStore.open} is awaited. What it
 * reads is verified: an existing database before LevelDB opens it, a session's head against
 * its listing record and trial log, every trial record against the head; damage gives
 * `CheckpointCorruptError` naming it, and nothing is written over it.
 */
export class LocalLevelStore implements CheckpointStore, WarmStartStore {
  readonly specificationVersion = 'v1'
  readonly capabilities: StoreCapabilities = LEVEL_CAPABILITIES
  /** The database directory. */
  readonly location: string
  private readonly options: ResolvedLevelStoreOptions
  private readonly sessions = new KeyedMutex()
  private readonly warmLock = new KeyedMutex()
  private readonly cache = new SessionCache()
  /**
   * The token and chunk count of each trial's latest progress save, as this store wrote or read
   * it (the database is open in this process alone, so it stays true), per session: a save then
   * reads nothing before its batch.
   */
  private readonly progressSeen = new Map<string, Map<number, { token: number; chunks: number }>>()
  private opening: Promise<OpenDatabase> | null = null
  private database: OpenDatabase | null = null
  private warmEntries: WarmStartEntries | null = null
  private closed = false

  constructor(options: ResolvedLevelStoreOptions) {
    this.options = options
    this.location = this.options.location
    registerFaultAccess(this, {
      trials: async () => (await this.ready()).trials,
      sync: this.options.sync,
      exclusive: (sessionId, fn) => this.sessions.run(sessionId, fn),
    })
  }

  /**
   * Opens the database now (idempotent; every other method opens it on demand). Rejects with
   * `LevelLockedError` when another process holds it, `InvalidInputError` when the location
   * is a file or a directory holding something else, `CheckpointCorruptError` when the
   * database fails verification (then LevelDB never opens it and nothing is written), and
   * `StoreIoError` on an I/O failure. A later call tries again.
   */
  async open(): Promise<void> {
    await this.guard(undefined, () => this.ready())
  }

  async create(head: CheckpointHead): Promise<void> {
    checkNewHead(head)
    const id = head.sessionId
    await this.guard(id, async () => {
      const d = await this.ready()
      await this.sessions.run(id, async () => {
        const [text, headBytes, orphan] = await Promise.all([d.listings.get(id), d.heads.get(id), firstTrialFrom(d.trials, id, 0)])
        if (text !== undefined || headBytes !== undefined) throw new RevisionConflictError(id, 0, undefined)
        // Trial records without a head: what is left of a session whose head was lost. A new
        // session would write over them; they stay for inspection until `delete` removes them.
        if (orphan !== null)
          throw new CheckpointCorruptError(
            this.what(`session "${id}"`),
            `its head is missing but trial records remain (from trial ${orphan}); a new session of this id would ` +
              'write over them. Nothing was changed: delete the session to drop them, or choose another id',
          )
        const stored = { ...head, lease: null }
        const record = listingRecordOf(stored, head.lease, null)
        await this.write(d, id, { record, verified: true }, [
          { type: 'put', sublevel: d.heads, key: id, value: encodeHead(stored) },
          { type: 'put', sublevel: d.listings, key: id, value: encodeListingRecord(record) },
        ])
      })
    })
  }

  async commit(sessionId: string, request: CommitRequest): Promise<CommitResult> {
    checkCommitRequest(sessionId, request)
    return this.guard(sessionId, async () => {
      const d = await this.ready()
      return this.sessions.run(sessionId, async () => {
        // The stored session must be intact: a damaged one is left for inspection, never written over.
        const record = await this.verifiedRecord(d, sessionId)
        if (record.problem !== undefined)
          throw new CheckpointCorruptError(
            this.what(`session "${sessionId}"`),
            `it was found damaged, so nothing is written over it (${record.problem}); delete it to drop it`,
          )
        if (record.revision !== request.expectedRevision)
          throw new RevisionConflictError(sessionId, request.expectedRevision, record.revision)
        if (!record.lease || record.lease.fencingToken !== request.fencingToken)
          throw new LeaseLostError(
            sessionId,
            `fencing token ${request.fencingToken} is stale (current ${record.lease?.fencingToken ?? 'none'})`,
          )
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
        await this.write(d, sessionId, { record: next, verified: true }, [
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
    })
  }

  async load(sessionId: string): Promise<CheckpointHead> {
    assertSessionId(sessionId)
    return this.guard(sessionId, async () => {
      const d = await this.ready()
      return this.sessions.run(sessionId, async () => {
        const { record, head } = await this.readSession(d, sessionId)
        return { ...head, lease: record.lease ? { ...record.lease } : null }
      })
    })
  }

  async readTrials(sessionId: string, options: ReadTrialsOptions = {}): Promise<TrialRecord[]> {
    checkReadTrialsOptions(sessionId, options)
    const from = options.from ?? 0
    return this.guard(sessionId, async () => {
      const d = await this.ready()
      return this.sessions.run(sessionId, async () => {
        const attempts = await this.trialCount(d, sessionId)
        // Only what the current head accounts for.
        const end = Math.min(attempts, options.limit === undefined ? Infinity : from + options.limit)
        if (from >= end) return []
        try {
          return await readTrialLog(d.trials, sessionId, from, end, attempts, this.what(`the trial log of session "${sessionId}"`))
        } catch (err) {
          if (err instanceof CheckpointCorruptError) await this.flag(d, sessionId, err)
          throw err
        }
      })
    })
  }

  async list(filter: ListFilter = {}): Promise<ListPage> {
    checkListFilter(filter)
    return this.guard(undefined, async () => {
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
    })
  }

  async delete(sessionId: string): Promise<void> {
    assertSessionId(sessionId)
    await this.guard(sessionId, async () => {
      const d = await this.ready()
      await this.sessions.run(sessionId, async () => {
        const trialKeys = await d.trials.keys(trialRange(sessionId)).all()
        const damagedKeys = await d.damaged.keys(damagedRange(sessionId)).all()
        this.progressSeen.delete(sessionId)
        const progressKeys = await d.progress.keys(progressSessionRange(sessionId)).all()
        await this.write(d, sessionId, null, [
          { type: 'del', sublevel: d.heads, key: sessionId },
          { type: 'del', sublevel: d.listings, key: sessionId },
          ...trialKeys.map((key) => ({ type: 'del' as const, sublevel: d.trials, key })),
          ...damagedKeys.map((key) => ({ type: 'del' as const, sublevel: d.damaged, key })),
          ...progressKeys.map((key) => ({ type: 'del' as const, sublevel: d.progress, key })),
        ])
      })
    })
  }

  async acquireLease(sessionId: string, owner: string, ttlMs: number): Promise<Lease> {
    assertSessionId(sessionId)
    checkOwner(owner)
    checkLeaseTtl(ttlMs)
    return this.guard(sessionId, async () => {
      const d = await this.ready()
      return this.sessions.run(sessionId, async () => {
        const record = await this.record(d, sessionId)
        const now = Date.now()
        const held = record.lease
        if (held && held.owner !== owner && held.expiresAt > now)
          throw new AlreadyRunningError(sessionId, held.owner, undefined, { leaseExpiresAt: held.expiresAt })
        const lease: Lease = { owner, fencingToken: (held?.fencingToken ?? 0) + 1, expiresAt: now + ttlMs }
        await this.putRecord(d, sessionId, { ...record, lease })
        return { ...lease }
      })
    })
  }

  async renewLease(sessionId: string, lease: Lease, ttlMs: number): Promise<Lease> {
    assertSessionId(sessionId)
    checkLease(lease)
    checkLeaseTtl(ttlMs)
    return this.guard(sessionId, async () => {
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
    })
  }

  async releaseLease(sessionId: string, lease: Lease): Promise<void> {
    assertSessionId(sessionId)
    checkLease(lease)
    await this.guard(sessionId, async () => {
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
    })
  }

  async requestControl(sessionId: string, request: ControlRequest): Promise<void> {
    assertSessionId(sessionId)
    checkControlRequest(request)
    await this.guard(sessionId, async () => {
      const d = await this.ready()
      await this.sessions.run(sessionId, async () => {
        const record = await this.record(d, sessionId)
        if (record.status !== 'running' || record.control === 'cancel' || record.control === request) return
        await this.putRecord(d, sessionId, { ...record, control: request })
      })
    })
  }

  /**
   * What can be vouched for about a session whose head does not decode: its listing record
   * (written in the same batches as the heads: status, job, revision, trial count, lease) and
   * its trial records, when they are exactly as many as the record counts and all decode.
   */
  async salvage(sessionId: string): Promise<SalvagedSession | null> {
    assertSessionId(sessionId)
    return this.guard(sessionId, async () => {
      const d = await this.ready()
      return this.sessions.run(sessionId, async () => {
        const headBytes = await d.heads.get(sessionId)
        if (headBytes === undefined) throw this.notFound(sessionId)
        const problem = headProblem(headBytes, sessionId)
        if (problem === null) return null
        const record = await this.record(d, sessionId, headBytes).catch(() => null)
        return salvaged(d, sessionId, headBytes, problem, record)
      })
    })
  }

  /**
   * Puts a rebuilt head in place of a damaged one in one batch, which also keeps the damaged
   * bytes in the `damaged` sublevel (key `<sessionId>:<revision>`) and rewrites the listing record.
   */
  async replaceDamagedHead(sessionId: string, request: ReplaceDamagedHeadRequest): Promise<ReplaceDamagedHeadResult> {
    checkReplaceDamagedHeadRequest(sessionId, request)
    return this.guard(sessionId, async () => {
      const d = await this.ready()
      return this.sessions.run(sessionId, async () => {
        const headBytes = await d.heads.get(sessionId)
        if (headBytes === undefined) throw this.notFound(sessionId)
        const record = await this.record(d, sessionId, headBytes).catch(() => null)
        if (headProblem(headBytes, sessionId) === null || damageOf(headBytes) !== request.damage)
          throw new RevisionConflictError(sessionId, record?.revision ?? 0, undefined)
        if (!record)
          throw invalidInput('the listing record, which counts the trials, is unreadable: the trial log cannot be vouched for', 'trials')
        if (!record.lease || record.lease.fencingToken !== request.fencingToken)
          throw new LeaseLostError(
            sessionId,
            `fencing token ${request.fencingToken} is stale (current ${record.lease?.fencingToken ?? 'none'})`,
          )
        const trials = await vouchedTrials(d, sessionId, record.attempts)
        if (typeof trials === 'string') throw invalidInput(`the trial log cannot be vouched for: ${trials}`, 'trials')
        if (request.head.progress?.attempts !== trials.length)
          throw invalidInput(`must be ${trials.length}, the number of trials in the log`, 'head.progress.attempts')
        const revision = record.revision + 1
        const head: CheckpointHead = { ...request.head, revision, lease: null }
        const next = listingRecordOf(head, record.lease, head.status === 'running' ? record.control : null)
        let kept = damagedKey(sessionId, record.revision)
        if ((await d.damaged.get(kept)) !== undefined) kept += `:${Date.now()}`
        await this.write(d, sessionId, { record: next, verified: true }, [
          { type: 'put', sublevel: d.damaged, key: kept, value: headBytes },
          { type: 'put', sublevel: d.heads, key: sessionId, value: encodeHead(head) },
          { type: 'put', sublevel: d.listings, key: sessionId, value: encodeListingRecord(next) },
        ])
        return { revision, keptAs: `${this.location} (sublevel "damaged", key "${kept}")` }
      })
    })
  }

  /**
   * Waits for operations in flight, then closes the database and seals it: the sizes of its
   * files are recorded, so the next open can tell a log cut short from a clean end. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await Promise.all([this.sessions.idle(), this.warmLock.idle()])
    const opening = this.opening
    if (!opening) return
    const d = await opening.catch(() => null)
    this.cache.clear()
    if (d) await this.guard(undefined, () => d.close())
  }

  /**
   * One atomic batch: the trial's manifest (carrying the bytes up to 1 MiB: then a save is one
   * key), the save's chunks of 1 MiB beyond that, and the deletion of the previous save's
   * chunks. Refused (`LeaseLostError`, nothing written) when the manifest names a higher token.
   * A manifest that does not decode is written over: the save that cannot be read is replaced by
   * one that can (its chunks, then unknown, are found by a key range).
   */
  async saveTrialProgress(sessionId: string, trialIdx: number, token: number, bytes: Uint8Array): Promise<void> {
    checkSaveTrialProgress(sessionId, trialIdx, token, bytes)
    await this.guard(sessionId, async () => {
      const d = await this.ready()
      await this.sessions.run(sessionId, async () => {
        await this.record(d, sessionId)
        const seen = this.progressSeen.get(sessionId)
        const stored =
          seen?.get(trialIdx) ??
          (await this.progressManifest(d, sessionId, trialIdx).catch((err: unknown) => {
            if (err instanceof CheckpointCorruptError) return 'damaged' as const
            throw err
          }))
        if (stored !== null && stored !== 'damaged' && token < stored.token)
          throw new LeaseLostError(
            sessionId,
            `trial ${trialIdx}'s progress was saved with token ${stored.token}; a save with token ${token} is refused`,
          )
        const { manifest, chunks } = progressLayout(token, bytes)
        const keys = chunks.map((_, n) => progressChunkKey(sessionId, trialIdx, token, n))
        const kept = new Set(keys)
        const previous =
          stored === 'damaged'
            ? (await d.progress.keys(progressTrialRange(sessionId, trialIdx)).all()).filter((k) => k !== progressKey(sessionId, trialIdx))
            : Array.from({ length: stored?.chunks ?? 0 }, (_, n) => progressChunkKey(sessionId, trialIdx, stored?.token ?? 0, n))
        const stale = previous.filter((k) => !kept.has(k))
        // The usual save (up to 1 MiB, replacing one as small) is one key: a single put, which
        // LevelDB applies as atomically as a batch and the `level` package writes with less work.
        const write =
          chunks.length === 0 && stale.length === 0
            ? d.progress.put(progressKey(sessionId, trialIdx), manifest, { sync: this.options.sync })
            : d.db.batch(
                [
                  ...chunks.map((value, n) => ({ type: 'put' as const, sublevel: d.progress, key: keys[n] as string, value })),
                  { type: 'put', sublevel: d.progress, key: progressKey(sessionId, trialIdx), value: manifest },
                  ...stale.map((key) => ({ type: 'del' as const, sublevel: d.progress, key })),
                ],
                { sync: this.options.sync },
              )
        await write.catch((err: unknown) => {
          seen?.delete(trialIdx)
          throw err
        })
        this.rememberProgress(sessionId, trialIdx, { token, chunks: chunks.length })
      })
    })
  }

  async loadTrialProgress(sessionId: string, trialIdx: number): Promise<StoredTrialProgress | null> {
    checkTrialProgressArgs(sessionId, trialIdx)
    return this.guard(sessionId, async () => {
      const d = await this.ready()
      return this.sessions.run(sessionId, async () => {
        await this.record(d, sessionId)
        const manifest = await this.progressManifest(d, sessionId, trialIdx)
        if (!manifest) return null
        this.rememberProgress(sessionId, trialIdx, { token: manifest.token, chunks: manifest.chunks })
        const what = this.progressWhat(sessionId, trialIdx)
        if (manifest.inline) return { token: manifest.token, bytes: assembleProgress(manifest, [], what) }
        const entries = await d.progress.iterator(progressChunkRange(sessionId, trialIdx, manifest.token)).all()
        entries.forEach(([key], n) => {
          if (key !== progressChunkKey(sessionId, trialIdx, manifest.token, n))
            throw new CheckpointCorruptError(what, `chunk ${n} is missing (found ${key} in its place)`)
        })
        return {
          token: manifest.token,
          bytes: assembleProgress(
            manifest,
            entries.map(([, value]) => value),
            what,
          ),
        }
      })
    })
  }

  async deleteTrialProgress(sessionId: string, trialIdx: number): Promise<void> {
    checkTrialProgressArgs(sessionId, trialIdx)
    await this.guard(sessionId, async () => {
      const d = await this.ready()
      await this.sessions.run(sessionId, async () => {
        await this.record(d, sessionId)
        this.progressSeen.get(sessionId)?.delete(trialIdx)
        const keys = await d.progress.keys(progressTrialRange(sessionId, trialIdx)).all()
        if (keys.length > 0)
          await d.db.batch(
            keys.map((key) => ({ type: 'del' as const, sublevel: d.progress, key })),
            { sync: this.options.sync },
          )
      })
    })
  }

  private rememberProgress(sessionId: string, trialIdx: number, saved: { token: number; chunks: number }): void {
    let seen = this.progressSeen.get(sessionId)
    if (!seen) {
      if (this.progressSeen.size >= 1024) this.progressSeen.clear()
      this.progressSeen.set(sessionId, (seen = new Map()))
    }
    if (seen.size >= 4096) seen.clear()
    seen.set(trialIdx, saved)
  }

  /** The manifest of a trial's progress, or null when none is stored; `CheckpointCorruptError` when it does not decode. */
  private async progressManifest(d: OpenDatabase, sessionId: string, trialIdx: number): Promise<ProgressManifest | null> {
    const bytes = await d.progress.get(progressKey(sessionId, trialIdx))
    return bytes === undefined ? null : decodeProgressManifest(bytes, this.progressWhat(sessionId, trialIdx))
  }

  private progressWhat(sessionId: string, trialIdx: number): string {
    return this.what(`progress of trial ${trialIdx} of session "${sessionId}"`)
  }

  async saveOverwrite(key: string, runId: string, entry: WarmStartEntryInput): Promise<void> {
    await this.guard(WARM_WHAT, async () => {
      const w = await this.warm()
      await this.warmLock.run(WARM_LOCK, () => w.save(key, runId, entry))
    })
  }

  async lookup(key: string, options: LookupOptions = {}): Promise<WarmStartEntry | null> {
    checkLookup(key, options)
    return this.guard(WARM_WHAT, async () => {
      const w = await this.warm()
      return this.warmLock.run(WARM_LOCK, () => w.lookup(key, options))
    })
  }

  async lookupLatest(key: string): Promise<WarmStartEntry | null> {
    checkLookup(key)
    return this.guard(WARM_WHAT, async () => {
      const w = await this.warm()
      return this.warmLock.run(WARM_LOCK, () => w.lookupLatest(key))
    })
  }

  async evict(options: EvictOptions): Promise<EvictionReport> {
    checkEvictOptions(options)
    return this.guard(WARM_WHAT, async () => {
      const w = await this.warm()
      return this.warmLock.run(WARM_LOCK, () => w.evict(options))
    })
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
          // Let a later call try again (the other process may have let go, the files be restored).
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

  /** Runs an operation, giving a LevelDB failure as a CairnError naming the store and `subject`. */
  private async guard<T>(subject: string | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (err) {
      throw levelError(err, this.location, subject === undefined || subject === WARM_WHAT ? subject : `session "${subject}"`)
    }
  }

  /** `what` in the store: `[@cairn/store-level] session "x" in the LevelDB database at "…"`. */
  private what(subject: string): string {
    return `${PKG} ${subject} in the LevelDB database at "${this.location}"`
  }

  private notFound(sessionId: string): NotFoundError {
    return new NotFoundError(`session "${sessionId}" in the LevelDB store at "${this.location}"`)
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
        this.cache.set(sessionId, { record, verified: false })
        return record
      } catch (err) {
        publishCorrupt(sessionId, err)
      }
    }
    const bytes = headBytes ?? (await d.heads.get(sessionId))
    if (bytes === undefined) throw this.notFound(sessionId)
    // Rebuild the record from the head. The lease and control flag it held are gone: the
    // session shows no lease, so a driver still holding one gets LeaseLostError on its next
    // commit and must acquire again.
    const record = listingRecordOf(decodeHead(bytes, headWhat(sessionId)), null, null)
    await this.putRecord(d, sessionId, record)
    return record
  }

  /**
   * The session's listing record and its head, decoded, or the error decoding it threw (the
   * session is then flagged: `list` reports it `corrupt`). Throws `NotFoundError` without a head.
   */
  private async readHead(
    d: OpenDatabase,
    sessionId: string,
  ): Promise<{ record: ListingRecord } & ({ head: CheckpointHead } | { damage: unknown })> {
    const headBytes = await d.heads.get(sessionId)
    if (headBytes === undefined) throw this.notFound(sessionId)
    const record = await this.record(d, sessionId, headBytes)
    try {
      return { record, head: decodeHead(headBytes, headWhat(sessionId)) }
    } catch (err) {
      await this.flag(d, sessionId, err)
      return { record, damage: err }
    }
  }

  /**
   * The session's head, decoded, and its listing record, checked against each other and the
   * trial log (see `verify`). A head that does not decode flags the session and rethrows.
   */
  private async readSession(d: OpenDatabase, sessionId: string): Promise<{ record: ListingRecord; head: CheckpointHead }> {
    const read = await this.readHead(d, sessionId)
    if ('damage' in read) throw read.damage
    if (!this.cache.get(sessionId)?.verified) await this.verify(d, sessionId, read.record, read.head)
    return { record: this.cache.get(sessionId)?.record ?? read.record, head: read.head }
  }

  /** The listing record of a session verified in this process (written by it, or read and checked). */
  private async verifiedRecord(d: OpenDatabase, sessionId: string): Promise<ListingRecord> {
    const cached = this.cache.get(sessionId)
    if (cached?.verified) return cached.record
    return (await this.readSession(d, sessionId)).record
  }

  /**
   * How many trials the session's head counts. A head that does not decode falls back on its
   * listing record's count, so the trials stay readable for inspection.
   */
  private async trialCount(d: OpenDatabase, sessionId: string): Promise<number> {
    const cached = this.cache.get(sessionId)
    if (cached?.verified) return cached.record.attempts
    const read = await this.readHead(d, sessionId)
    if ('damage' in read) return read.record.attempts
    await this.verify(d, sessionId, read.record, read.head)
    return read.head.progress.attempts
  }

  /**
   * Checks a decoded head against the listing record written with it (same revision, trial
   * count and status: one batch writes both) and against the trial log (no record beyond the
   * head's count: the head would be older than its trials). Damage flags the session and throws
   * `CheckpointCorruptError`; otherwise the session counts as verified in this process.
   */
  private async verify(d: OpenDatabase, sessionId: string, record: ListingRecord, head: CheckpointHead): Promise<void> {
    const what = this.what(`session "${sessionId}"`)
    const differs = disagreement(record, head)
    if (differs !== null) throw await this.flag(d, sessionId, new CheckpointCorruptError(what, differs))
    const beyond = await firstTrialFrom(d.trials, sessionId, head.progress.attempts)
    if (beyond !== null)
      throw await this.flag(
        d,
        sessionId,
        new CheckpointCorruptError(
          what,
          `its head counts ${head.progress.attempts} trials but trial ${beyond} is stored: the head is older than its trial log`,
        ),
      )
    this.cache.set(sessionId, { record, verified: record.problem === undefined })
  }

  /**
   * Flags a damaged session in its listing record (`problem`), so `list` reports it `corrupt`
   * and commits refuse it, publishes the error on `cairn:store:corrupt`, and returns it.
   */
  private async flag(d: OpenDatabase, sessionId: string, err: unknown): Promise<unknown> {
    publishCorrupt(sessionId, err)
    const message = err instanceof Error ? err.message : String(err)
    const problem = message.startsWith(`${PKG} `) ? message.slice(PKG.length + 1) : message
    const record = this.cache.get(sessionId)?.record ?? (await this.record(d, sessionId).catch(() => undefined))
    if (record && record.problem === undefined) await this.putRecord(d, sessionId, { ...record, problem }, false).catch(() => {})
    return err
  }

  /** Writes a session's listing record alone (lease and control changes). */
  private async putRecord(d: OpenDatabase, sessionId: string, record: ListingRecord, verified?: boolean): Promise<void> {
    const known = verified ?? this.cache.get(sessionId)?.verified ?? false
    await this.write(d, sessionId, { record, verified: known && record.problem === undefined }, [
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

/** The subject of warm-start operations in error messages. */
const WARM_WHAT = 'warm-start entries'

function headWhat(sessionId: string): string {
  return `head of session "${sessionId}"`
}

function publishCorrupt(sessionId: string, error: unknown): void {
  if (channels.storeCorrupt.hasSubscribers) channels.storeCorrupt.publish({ sessionId, error })
}
