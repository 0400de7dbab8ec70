import { createHash, randomUUID } from 'node:crypto'
import { closeSync, ftruncateSync, lstatSync, openSync, readFileSync, statSync, writeSync, type Stats } from 'node:fs'
import { readdir, rename, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import {
  AlreadyRunningError,
  CheckpointCorruptError,
  InvalidInputError,
  LeaseLostError,
  NotFoundError,
  RevisionConflictError,
  channels,
  defineOptions,
  optionKinds,
  type OptionsSchema,
} from '@cairn/core'
import {
  assertSessionId,
  checkCommitRequest,
  checkControlRequest,
  checkLease,
  checkLeaseTtl,
  checkListFilter,
  checkNewHead,
  checkOwner,
  checkReadTrialsOptions,
  checkReplaceDamagedHeadRequest,
  corruptListing,
  decodeHead,
  decodeTrial,
  encodeHead,
  encodeTrial,
  matchesFilter,
  pageListings,
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
  StoredTrialProgress,
  ClaimTrialRequest,
  ClaimNextRequest,
  TrialClaim,
  TrialRecord,
  TrialResultReport,
  TrialSlot,
  SessionChange,
  WarmStartEntry,
  WarmStartEntryInput,
  WarmStartStore,
} from '@cairn/core'
import { beforeCommitWrite, beforeSlotWrite } from './hooks.js'
import {
  assertDirectoryPath,
  closeQuietly,
  copyFileAtomic,
  datasync,
  ensureDir,
  errorCode,
  fsyncDir,
  isMissing,
  kindOf,
  openIfExists,
  readAt,
  sizeOf,
  unlinkSyncIfExists,
  writeAt,
  writeFileAtomic,
} from './io.js'
import {
  PREAMBLE_BYTES,
  attemptsOf,
  encodeJournal,
  encodeRecord,
  findTail,
  floorSlot,
  readJournalTrials,
  startThenSize,
  recordLength,
  type RecordHeader,
  type Tail,
  type TailMode,
} from './journal.js'
import { Layout, PKG } from './layout.js'
import { OpenFiles } from './open-files.js'
import { decodeLeaseFile, encodeLeaseFile, type LeaseState } from './lease-file.js'
import { encodeListing, type StoredListing } from './listing.js'
import { walkJournal } from './salvage.js'
import { withLock, type LockContext, type LockOptions } from './lock.js'
import { appendTrials, readTrialRange } from './trial-log.js'
import { FsTrialProgress } from './trial-progress.js'
import { watchSession } from './session-watch.js'
import { FsTrialSlots } from './trial-slots.js'
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

/**
 * What `@cairn/store-fs` publishes on `cairn:store:dropped` (core's `channels.storeDropped`)
 * when a writer finds a torn last record in a session's journal — an append cut short by a
 * crash, or a last record damaged since — and drops it: the session goes on from the record
 * before. The bytes are kept in `keptAt`.
 */
export interface FsDroppedRecord {
  store: '@cairn/store-fs'
  sessionId: string
  /** The journal file. */
  journal: string
  /** Where the dropped bytes started in it, and how many there were. */
  offset: number
  bytes: number
  /** The revision the dropped record would have made, and the revision the session is at. */
  revision: number
  keptRevision: number
  /** Index of the first trial it held (the session's trial count); how many, when its header was intact. */
  firstTrial: number
  trialCount: number | null
  /** `cut-short`: fewer bytes than a record (an interrupted append); `damaged`: a whole record that fails its checksum. */
  cause: 'cut-short' | 'damaged'
  /** Where the bytes were set aside. */
  keptAt: string
  /** One line saying all of the above. */
  message: string
}

/** A filesystem store: both a `CheckpointStore` and a `WarmStartStore`. */
export interface FsStore extends CheckpointStore, WarmStartStore {
  /** The absolute root directory. */
  readonly dir: string
  salvage(sessionId: string): Promise<SalvagedSession | null>
  replaceDamagedHead(sessionId: string, request: ReplaceDamagedHeadRequest): Promise<ReplaceDamagedHeadResult>
  claimTrial(sessionId: string, request: ClaimTrialRequest): Promise<TrialClaim>
  renewTrialClaim(sessionId: string, claim: TrialClaim, ttlMs: number): Promise<TrialClaim>
  reportTrialResult(sessionId: string, claim: TrialClaim, report: TrialResultReport): Promise<void>
  readTrialSlots(sessionId: string, trialIdxs: readonly number[]): Promise<TrialSlot[]>
  watchSession(sessionId: string, change: SessionChange, onChange: () => void): () => void
  reportAndClaimTrial(sessionId: string, claim: TrialClaim, report: TrialResultReport, next: ClaimNextRequest): Promise<TrialClaim | null>
  saveTrialProgress(sessionId: string, trialIdx: number, token: number, bytes: Uint8Array): Promise<void>
  loadTrialProgress(sessionId: string, trialIdx: number): Promise<StoredTrialProgress | null>
  deleteTrialProgress(sessionId: string, trialIdx: number): Promise<void>
}

/** What a session whose head does not decode still holds (see `salvage`). */
interface Damaged {
  salvaged: SalvagedSession
  /** The journal's bytes, as read. */
  bytes: Buffer
  /** Its last record, when the journal's records could be told apart. */
  last: RecordHeader | null
  /** Where its first record starts (after the preamble of a format-2 journal). */
  dataStart: number
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
  readonly specificationVersion = 'v1'
  readonly capabilities: StoreCapabilities = {
    durable: true,
    multiProcess: true,
    multiMachine: false,
    sharedEvaluation: true,
    reportAndClaim: true,
    trialProgress: true,
  }
  readonly dir: string
  private readonly layout: Layout
  private readonly durable: boolean
  private readonly journalBytes: number
  private readonly lockOptions: Pick<LockOptions, 'staleMs' | 'timeoutMs'>
  private readonly warm: FsWarmStart
  private readonly slots: FsTrialSlots
  private readonly progress: FsTrialProgress
  private readonly files = new OpenFiles()
  private closed = false
  private ready: Promise<void> | undefined
  private sessionsSeen = false
  private readonly lockOptionsById = new Map<string, LockOptions>()

  constructor(options: FsStoreOptions) {
    this.dir = resolve(options.dir)
    this.layout = new Layout(this.dir)
    this.durable = options.durable ?? true
    this.journalBytes = options.journalBytes ?? DEFAULT_JOURNAL_BYTES
    this.lockOptions = { staleMs: options.lockStaleMs ?? 10_000, timeoutMs: options.lockTimeoutMs ?? 30_000 }
    this.warm = new FsWarmStart({ layout: this.layout, durable: this.durable, lock: this.lockOptions, assertOpen: () => this.assertOpen() })
    this.slots = new FsTrialSlots({
      layout: this.layout,
      lock: this.lockOptions,
      assertOpen: () => this.assertOpen(),
      assertStoreExists: (id) => this.assertStoreExists(id),
      mustExist: (id) => this.mustExist(id),
      missing: (id) => this.missing(id),
      beforeWrite: () => {
        const hook = beforeSlotWrite.get(this)
        beforeSlotWrite.delete(this)
        return hook?.()
      },
      committedTrials: (id) => this.withJournal(id, async (fd, size) => attemptsOf((await this.readTail(fd, size, id, 'listing')).header)),
    })
    this.progress = new FsTrialProgress({
      layout: this.layout,
      durable: this.durable,
      assertOpen: () => this.assertOpen(),
      assertStoreExists: (id) => this.assertStoreExists(id),
      mustExist: (id) => this.mustExist(id),
      missing: (id) => this.missing(id),
    })
  }

  async create(head: CheckpointHead): Promise<void> {
    this.assertOpen()
    checkNewHead(head)
    const id = head.sessionId
    const stored = { ...head, lease: null }
    const record = encodeRecord({
      offset: PREAMBLE_BYTES,
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
    await this.locked(id, async ({ staging }) => {
      const l = this.layout
      this.assertNotAFile(id)
      if (pathExists(l.journal(id))) throw new RevisionConflictError(id, 0, undefined)
      this.files.forget(id)
      // A trial log without a journal holds the trials of a session whose journal was lost:
      // never deleted, never mixed with a new session's.
      const orphans = [l.trialLog(id), l.trialIndex(id)].filter(pathExists)
      if (orphans.length > 0)
        throw new CheckpointCorruptError(
          `${PKG} session "${id}" (${l.sessionDir(id)})`,
          `its directory holds ${orphans.join(' and ')} but no journal: the trials of an earlier session whose journal was lost. ` +
            'Nothing was changed; move that directory away (or delete the session) to use this id again',
        )
      // Leftovers of a create that crashed before its journal was in place (a lease file) are replaced.
      await ensureDir(l.sessionDir(id), this.durable)
      await writeFileAtomic(
        l.lease(id),
        encodeLeaseFile({ lease: head.lease ? { ...head.lease } : null, control: null }),
        this.durable,
        staging,
      )
      // The journal is the commit point of creation: until it exists, the session does not.
      await writeFileAtomic(l.journal(id), encodeJournal(record, { revision: 0, generation: 0 }), this.durable, staging)
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
    this.assertStoreExists(sessionId)
    return this.locked(sessionId, (ctx) => this.commitLocked(sessionId, request, revision, encoded, encodeError, ctx))
  }

  /** The commit proper, inside the session's lock. */
  private async commitLocked(
    sessionId: string,
    request: CommitRequest,
    revision: number,
    encoded: Encoded | undefined,
    encodeError: unknown,
    ctx: LockContext,
  ): Promise<CommitResult> {
    const tail = await this.journalTail(sessionId, 'full', ctx)
    const { fd } = tail
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
    if (!encoded) throw encodeError
    const hook = beforeCommitWrite.get(this)
    if (hook) {
      beforeCommitWrite.delete(this)
      await hook()
    }
    const length = recordLength(encoded.trials, encoded.listing, encoded.head)
    // A format 1 journal (no floor) is replaced by a format 2 one at its first commit.
    if (tail.start.format === 1 || tail.end + length > Math.max(this.journalBytes, JOURNAL_RECORDS_MIN * length)) {
      try {
        await this.restartJournal(sessionId, { header: tail.header, fd: tail.fd, dataStart: tail.start.dataStart }, revision, encoded, ctx)
      } finally {
        this.files.forgetJournal(sessionId)
      }
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
      // The record this one follows was acknowledged (flushed by its own commit, or by this
      // one's flush at the latest): the journal's floor moves up to it.
      const floor = floorSlot({ revision: current.revision, end: tail.end, generation: current.generation })
      try {
        await writeAt(fd, record, tail.end)
        writeSync(fd, floor.bytes, 0, floor.bytes.length, floor.at)
        // The one flush of a commit: the record, the floor and the file's new size reach the disk.
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
    // A shared session's trials are committed from their slots: the head now accounts for them, so
    // their slot files go (no flush: one left behind by a crash is refused to claims all the same).
    if (request.head.evaluation === 'shared') for (const t of request.trials) unlinkSyncIfExists(this.layout.slot(sessionId, t.trialIdx))
    const control = state.control
    if (request.head.status !== 'running' && control !== null) await this.writeLease(sessionId, { lease: state.lease, control: null }, ctx)
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
    return this.withJournal(sessionId, async (fd, size) => {
      const { header, start } = await this.readTail(fd, size, sessionId, 'full')
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
      for (const t of await this.journalTrials(sessionId, fd, header, start.dataStart, Math.max(from, header.base), end)) out.push(t)
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
    if (!this.storeExists()) return
    let moved: string | undefined
    await this.locked(sessionId, async ({ staging }) => {
      this.files.forget(sessionId)
      this.assertNotAFile(sessionId)
      if (!pathExists(this.layout.sessionDir(sessionId))) return
      // One rename removes journal, lease, trials and trial slots together (into this holder's own
      // directory, so a holder fenced off meanwhile removes nothing); the bytes are freed after.
      // A slot write in flight (under its slot's own lock, not this one) renames its file into the
      // session's slots directory: it lands before this rename and goes with it, or fails after it
      // (the directory is gone). Only were a session of the same id created and its slots written in
      // the microseconds between could it land there, as a claim or result the new session's
      // checks treat as any other: a claim its token does not match, a result committed only for
      // the candidate it was computed for.
      moved = join(staging, `deleted-${sessionId}-${randomUUID()}`)
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
    this.assertStoreExists(sessionId)
    return this.locked(sessionId, async (ctx) => {
      // Also settles a torn last record, so whoever takes the session over hears of it. A damaged
      // journal is left as it is and does not stop the lease: holding it is how a damaged head
      // is salvaged and replaced (see replaceDamagedHead); commits still refuse.
      await this.journalTail(sessionId, 'listing', ctx, { damaged: 'tolerate' })
      const state = this.readLease(sessionId)
      const now = Date.now()
      const held = state.lease
      if (held && held.owner !== owner && held.expiresAt > now)
        throw new AlreadyRunningError(sessionId, held.owner, undefined, { leaseExpiresAt: held.expiresAt })
      const lease = { owner, fencingToken: (held?.fencingToken ?? 0) + 1, expiresAt: now + ttlMs }
      await this.writeLease(sessionId, { lease, control: state.control }, ctx)
      return { ...lease }
    })
  }

  async renewLease(sessionId: string, lease: Lease, ttlMs: number): Promise<Lease> {
    this.assertOpen()
    assertSessionId(sessionId)
    checkLease(lease)
    checkLeaseTtl(ttlMs)
    this.assertStoreExists(sessionId)
    return this.locked(sessionId, async (ctx) => {
      this.mustExist(sessionId)
      const state = this.readLease(sessionId)
      const held = state.lease
      if (!held || held.fencingToken !== lease.fencingToken || held.owner !== lease.owner)
        throw new LeaseLostError(sessionId, `token ${lease.fencingToken} was superseded by ${held?.fencingToken ?? 'none'}`)
      const renewed = { ...held, expiresAt: Date.now() + ttlMs }
      await this.writeLease(sessionId, { lease: renewed, control: state.control }, ctx)
      return { ...renewed }
    })
  }

  async releaseLease(sessionId: string, lease: Lease): Promise<void> {
    this.assertOpen()
    assertSessionId(sessionId)
    checkLease(lease)
    if (!this.storeExists()) return
    await this.locked(sessionId, async (ctx) => {
      if (!pathExists(this.layout.journal(sessionId))) return
      const state = this.readLease(sessionId)
      const held = state.lease
      if (held && held.fencingToken === lease.fencingToken && held.owner === lease.owner)
        await this.writeLease(sessionId, { lease: { ...held, expiresAt: 0 }, control: state.control }, ctx)
    })
  }

  async requestControl(sessionId: string, request: ControlRequest): Promise<void> {
    this.assertOpen()
    assertSessionId(sessionId)
    checkControlRequest(request)
    this.assertStoreExists(sessionId)
    await this.locked(sessionId, async (ctx) => {
      const { listing } = await this.journalTail(sessionId, 'listing', ctx)
      if (listing.status !== 'running') return
      const state = this.readLease(sessionId)
      if (state.control === 'cancel' || state.control === request) return
      await this.writeLease(sessionId, { lease: state.lease, control: request }, ctx)
    })
  }

  async close(): Promise<void> {
    this.closed = true
    this.files.closeAll()
  }

  /**
   * What can be vouched for about a session whose head does not decode: when every byte of
   * the journal after its preamble still belongs to a well-formed record (a record damaged
   * inside, whose header and footer still delimit it, included) and, in format 2, the records
   * reach the journal's floor (from an intact slot, even when the rest of the preamble is
   * damaged), the last record's header tells how many trials the damaged head accounted for;
   * they are read from `trials.log` and the records' trial sections (each trial envelope has
   * its own checksum). The listing comes from the last record's listing block (its own
   * checksum), the lease from the `lease` file. See `walkJournal`.
   */
  async salvage(sessionId: string): Promise<SalvagedSession | null> {
    this.assertOpen()
    assertSessionId(sessionId)
    return (await this.damaged(sessionId))?.salvaged ?? null
  }

  /**
   * Copies the damaged journal to `journal.damaged.<revision>.<random>` beside it, then starts
   * a new journal whose one record holds the rebuilt head, as a fold does (the trials go to
   * `trials.log` first): one atomic rename makes the rebuilt head current.
   */
  async replaceDamagedHead(sessionId: string, request: ReplaceDamagedHeadRequest): Promise<ReplaceDamagedHeadResult> {
    this.assertOpen()
    checkReplaceDamagedHeadRequest(sessionId, request)
    return this.locked(sessionId, async (ctx) => {
      const found = await this.damaged(sessionId)
      if (!found || found.salvaged.damage !== request.damage)
        throw new RevisionConflictError(sessionId, found?.salvaged.revision ?? 0, undefined)
      const { salvaged, last, dataStart } = found
      const lease = this.readLease(sessionId).lease
      if (!lease || lease.fencingToken !== request.fencingToken)
        throw new LeaseLostError(sessionId, `fencing token ${request.fencingToken} is stale (current ${lease?.fencingToken ?? 'none'})`)
      if (!last || salvaged.trials === null)
        throw new InvalidInputError(`${PKG} the trial log cannot be vouched for: ${salvaged.trialsProblem}`, 'trials')
      if (request.head.progress?.attempts !== salvaged.trials.length)
        throw new InvalidInputError(`must be ${salvaged.trials.length}, the number of trials in the log`, 'head.progress.attempts')
      const revision = last.revision + 1
      const stored = { ...request.head, revision, lease: null }
      const encoded: Encoded = { head: checkedHead(stored), listing: encodeListing(stored), trials: [] }
      const keptAs = join(this.layout.sessionDir(sessionId), `journal.damaged.${last.revision}.${randomUUID().slice(0, 8)}`)
      await writeFileAtomic(keptAs, found.bytes, this.durable, ctx.staging)
      this.files.forget(sessionId)
      await this.withJournal(sessionId, (fd) => this.restartJournal(sessionId, { header: last, fd, dataStart }, revision, encoded, ctx))
      return { revision, keptAs }
    })
  }

  /** See `FsTrialSlots` (trial-slots.ts): a conditional write of the trial's slot file under that slot's lock. */
  claimTrial(sessionId: string, request: ClaimTrialRequest): Promise<TrialClaim> {
    return this.slots.claim(sessionId, request)
  }

  renewTrialClaim(sessionId: string, claim: TrialClaim, ttlMs: number): Promise<TrialClaim> {
    return this.slots.renew(sessionId, claim, ttlMs)
  }

  reportTrialResult(sessionId: string, claim: TrialClaim, report: TrialResultReport): Promise<void> {
    return this.slots.report(sessionId, claim, report)
  }

  /** The report under its slot's lock, then the next claim under the claimed slot's (slot files are not flushed: see trial-slots.ts). */
  reportAndClaimTrial(sessionId: string, claim: TrialClaim, report: TrialResultReport, next: ClaimNextRequest): Promise<TrialClaim | null> {
    return this.slots.reportAndClaim(sessionId, claim, report, next)
  }

  /** Lock-free: each slot file is only ever replaced whole. */
  readTrialSlots(sessionId: string, trialIdxs: readonly number[]): Promise<TrialSlot[]> {
    return this.slots.readSlots(sessionId, trialIdxs)
  }

  /** `fs.watch` on the session's directory (commits) or its slots (see session-watch.ts): a wake-up hint for pollers. */
  watchSession(sessionId: string, change: SessionChange, onChange: () => void): () => void {
    this.assertOpen()
    assertSessionId(sessionId)
    return watchSession(this.layout, sessionId, change, onChange)
  }

  /** See `FsTrialProgress` (trial-progress.ts): one file per save, written whole, fenced by its token. */
  saveTrialProgress(sessionId: string, trialIdx: number, token: number, bytes: Uint8Array): Promise<void> {
    return this.progress.save(sessionId, trialIdx, token, bytes)
  }

  loadTrialProgress(sessionId: string, trialIdx: number): Promise<StoredTrialProgress | null> {
    return this.progress.load(sessionId, trialIdx)
  }

  deleteTrialProgress(sessionId: string, trialIdx: number): Promise<void> {
    return this.progress.delete(sessionId, trialIdx)
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
  private async restartJournal(
    id: string,
    tail: { header: RecordHeader; fd: number; dataStart: number },
    revision: number,
    encoded: Encoded,
    ctx: LockContext,
  ): Promise<void> {
    const l = this.layout
    const current = tail.header
    const attempts = attemptsOf(current)
    // Says, in this holder's own directory, that it is about to write the trial log: should it
    // stall and be fenced off, the next holder moves the trial log out of its reach first.
    const marker = foldMarker(ctx, id)
    closeSync(openSync(marker, 'w'))
    try {
      const carried = await readJournalTrials(tail.fd, current, tail.dataStart, current.base, attempts, (i) =>
        this.trialWhat(id, i, l.journal(id)),
      )
      const records = [...carried, ...encoded.trials]
      let logBytes = current.logBytes
      if (records.length > 0) {
        const what = this.trialWhat(id, current.base, l.trialLog(id))
        const folded = await appendTrials(l.trialLog(id), l.trialIndex(id), current.base, current.logBytes, records, this.durable, what)
        logBytes = folded.end
        // New files' entries reach the disk before a journal can refer to them.
        if (folded.created && this.durable) await fsyncDir(l.sessionDir(id))
      }
      const base = attempts + encoded.trials.length
      const generation = current.generation + 1
      const record = encodeRecord({
        offset: PREAMBLE_BYTES,
        generation,
        revision,
        firstTrial: base,
        base,
        logBytes,
        trials: [],
        listing: encoded.listing,
        head: encoded.head,
      })
      await writeFileAtomic(l.journal(id), encodeJournal(record, { revision, generation }), this.durable, ctx.staging)
    } finally {
      unlinkSyncIfExists(marker)
    }
  }

  /**
   * Runs first in a critical section whose lock was broken from a holder that may still be
   * alive (stopped with SIGSTOP, say, once its lease had lapsed). That holder can no longer
   * rename anything into place (its directory was revoked), but it may still write through the
   * journal it has open, or through the trial log when it was folding: both are replaced by
   * copies here (new inodes), so whatever it writes when it runs again reaches files no one
   * reads. The journal is bounded by `journalBytes`; the trial log is copied only after a fold
   * was interrupted so. The bytes are copied as they are, damaged or not.
   */
  private async fence(id: string, ctx: LockContext, revoked: readonly string[]): Promise<void> {
    const l = this.layout
    this.files.forget(id)
    const fd = openIfExists(l.journal(id), 'r')
    if (fd === undefined) return
    try {
      let header: RecordHeader | undefined
      try {
        const { start, size } = startThenSize(fd, sizeOf(fd), this.headWhat(id))
        header = (await findTail(fd, size, 'listing', this.headWhat(id), start)).header
      } catch {
        header = undefined // damaged: copy everything
      }
      if (revoked.some((dir) => pathExists(join(dir, foldMarkerName(id))))) {
        await copyFileAtomic(l.trialIndex(id), l.trialIndex(id), header ? header.base * 8 : undefined, this.durable, ctx.staging)
        await copyFileAtomic(l.trialLog(id), l.trialLog(id), header?.logBytes, this.durable, ctx.staging)
      }
      await copyFileAtomic(l.journal(id), l.journal(id), undefined, this.durable, ctx.staging)
    } finally {
      closeQuietly(fd)
    }
  }

  /**
   * The session's journal (kept open between commits, see open-files.ts) and its current head
   * record, under the session's lock. A torn last record is settled here: set aside, truncated
   * and reported (see `FsDroppedRecord`).
   */
  private async journalTail(id: string, mode: TailMode, ctx: LockContext): Promise<JournalTail>
  /** With `damaged: 'tolerate'`: undefined when the journal is damaged (`CheckpointCorruptError`), which is then left as it is. */
  private async journalTail(id: string, mode: TailMode, ctx: LockContext, o: { damaged: 'tolerate' }): Promise<JournalTail | undefined>
  private async journalTail(id: string, mode: TailMode, ctx: LockContext, o?: { damaged: 'tolerate' }): Promise<JournalTail | undefined> {
    const journal = this.files.journal(id, this.layout.journal(id))
    if (!journal) throw this.missing(id)
    let tail: Tail
    try {
      tail = await this.readTail(journal.fd, journal.size, id, mode)
    } catch (err) {
      if (o?.damaged === 'tolerate' && err instanceof CheckpointCorruptError) return undefined
      throw err
    }
    if (tail.torn) await this.setAside(id, journal.fd, tail, ctx)
    return { ...tail, fd: journal.fd }
  }

  /** Moves a torn last record out of the journal into a file of its own, and reports it. */
  private async setAside(id: string, fd: number, tail: Tail, ctx: LockContext): Promise<void> {
    const torn = tail.torn as NonNullable<Tail['torn']>
    // A name of its own: an earlier drop at the same place (a crash, then damage) is kept too.
    let keptAt = this.layout.dropped(id, tail.header.generation, torn.offset)
    for (let k = 1; pathExists(keptAt); k++) keptAt = this.layout.dropped(id, tail.header.generation, torn.offset, k)
    await writeFileAtomic(keptAt, await readAt(fd, torn.bytes, torn.offset), this.durable, ctx.staging)
    ftruncateSync(fd, torn.offset)
    const firstTrial = attemptsOf(tail.header)
    const trialCount = torn.header ? torn.header.trialCount : null
    const trials =
      trialCount === null
        ? `trials from ${firstTrial}`
        : trialCount === 0
          ? 'no trials'
          : trialCount === 1
            ? `trial ${firstTrial}`
            : `trials ${firstTrial}–${firstTrial + trialCount - 1}`
    const cause = torn.whole ? 'damaged' : 'cut-short'
    const event: FsDroppedRecord = {
      store: '@cairn/store-fs',
      sessionId: id,
      journal: this.layout.journal(id),
      offset: torn.offset,
      bytes: torn.bytes,
      revision: tail.header.revision + 1,
      keptRevision: tail.header.revision,
      firstTrial,
      trialCount,
      cause,
      keptAt,
      message:
        `${PKG} session "${id}": the last record of its journal (revision ${tail.header.revision + 1}, ${trials}; ${torn.bytes} bytes at byte ${torn.offset}) ` +
        `was ${cause === 'damaged' ? 'damaged (it fails its checksum)' : 'cut short (an append interrupted by a crash)'} and was dropped; ` +
        `the session goes on from revision ${tail.header.revision}. The bytes are kept in ${keptAt}`,
    }
    if (channels.storeDropped.hasSubscribers) channels.storeDropped.publish(event)
  }

  /** The salvage of a session whose head is damaged (core's `CheckpointCorruptError`); null when it decodes. */
  private async damaged(id: string): Promise<Damaged | null> {
    let problem: string
    try {
      await this.readHead(id)
      return null
    } catch (err) {
      if (!(err instanceof CheckpointCorruptError)) throw err
      problem = err.message
    }
    const read = readSmallFile(this.layout.journal(id))
    if (!read) throw this.missing(id)
    const bytes = Buffer.from(read.buffer, read.byteOffset, read.byteLength)
    const walk = walkJournal(bytes, this.headWhat(id))
    let lease: Lease | null = null
    try {
      lease = this.readLease(id).lease
    } catch {
      // an unreadable lease file: no lease (a replacement is then refused)
    }
    const salvaged: SalvagedSession = {
      sessionId: id,
      problem,
      damage: createHash('sha256').update(bytes).digest('hex'),
      revision: walk.records ? (walk.records[walk.records.length - 1] as RecordHeader).revision : null,
      listing: walk.listing ? toListing(walk.listing, lease) : null,
      trials: null,
      lease,
    }
    const last = walk.records ? (walk.records[walk.records.length - 1] as RecordHeader) : null
    const { dataStart } = walk
    if (!last) salvaged.trialsProblem = `the journal's records cannot be told apart (${walk.problem})`
    else {
      try {
        salvaged.trials = await this.salvageTrials(id, last, dataStart)
      } catch (err) {
        salvaged.trialsProblem = err instanceof Error ? err.message : String(err)
      }
    }
    return { salvaged, bytes, last, dataStart }
  }

  /** Trials `[0, n)` of a damaged journal whose last record (header) is `last`. */
  private async salvageTrials(id: string, last: RecordHeader, dataStart: number): Promise<TrialRecord[]> {
    const log = this.layout.trialLog(id)
    const folded = await readTrialRange(log, this.layout.trialIndex(id), 0, last.base, (i) => this.trialWhat(id, i, log))
    const recent = await this.withJournal(id, (fd) => this.journalTrials(id, fd, last, dataStart, last.base, attemptsOf(last)))
    return [...folded, ...recent]
  }

  /**
   * Trials `[lo, hi)` of the session's journal open as `fd` (whose last record is `last`),
   * decoded, each checked to be the trial its place says.
   */
  private async journalTrials(
    id: string,
    fd: number,
    last: RecordHeader,
    dataStart: number,
    lo: number,
    hi: number,
  ): Promise<TrialRecord[]> {
    const journal = this.layout.journal(id)
    const name = (i: number) => this.trialWhat(id, i, journal)
    const bytes = await readJournalTrials(fd, last, dataStart, lo, hi, name)
    return bytes.map((b, k) => {
      const trial = decodeTrial(b, name(lo + k))
      if (trial.trialIdx !== lo + k) throw new CheckpointCorruptError(name(lo + k), `record says trial ${trial.trialIdx}`)
      return trial
    })
  }

  /** The listing of one session; undefined when it vanished; `corrupt` (and reported) when unreadable. */
  private async listing(id: string): Promise<SessionListing | undefined> {
    try {
      const fd = openIfExists(this.layout.journal(id), 'r')
      if (fd === undefined) {
        this.assertNotAFile(id)
        return undefined
      }
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
      if (err instanceof CheckpointCorruptError && !pathExists(this.layout.journal(id))) throw this.missing(id)
      throw err
    }
  }

  /** Opens the session's journal for `fn`; `NotFoundError` when the session does not exist. */
  private async withJournal<T>(id: string, fn: (fd: number, size: number) => Promise<T>): Promise<T> {
    const fd = openIfExists(this.layout.journal(id), 'r')
    if (fd === undefined) throw this.missing(id)
    try {
      return await fn(fd, sizeOf(fd))
    } finally {
      closeQuietly(fd)
    }
  }

  /** The current head record of a session's open journal. */
  private async readTail(fd: number, size: number, id: string, mode: TailMode): Promise<Tail> {
    const what = this.headWhat(id)
    const { start, size: sizeNow } = startThenSize(fd, size, what)
    const tail = await findTail(fd, sizeNow, mode, what, start)
    if (tail.listing.sessionId !== id) throw new CheckpointCorruptError(this.headWhat(id), `it holds session "${tail.listing.sessionId}"`)
    return tail
  }

  private async readHead(id: string): Promise<CheckpointHead> {
    const tail = await this.withJournal(id, (fd, size) => this.readTail(fd, size, id, 'full'))
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

  private writeLease(id: string, state: LeaseState, ctx: LockContext): Promise<void> {
    this.files.forgetLease(id)
    return writeFileAtomic(this.layout.lease(id), encodeLeaseFile(state), this.durable, ctx.staging)
  }

  /** Whether the session's lease is missing, released or expired (so a stalled lock holder may be fenced off). */
  private leaseLapsed(id: string): boolean {
    try {
      const lease = this.readLease(id).lease
      return lease === null || lease.expiresAt <= Date.now()
    } catch {
      return true
    }
  }

  private leaseWhat(id: string): string {
    return `${PKG} lease of session "${id}" (${this.layout.lease(id)})`
  }

  private mustExist(id: string): void {
    if (!pathExists(this.layout.journal(id))) throw this.missing(id)
  }

  /**
   * Refuses an operation on a session before it takes a lock (which would create the lock
   * directory) when the store has no sessions directory at all: `NotFoundError`, nothing created.
   */
  private assertStoreExists(id: string): void {
    if (!this.storeExists()) throw this.missing(id)
  }

  private storeExists(): boolean {
    this.sessionsSeen ||= pathExists(this.layout.sessions)
    return this.sessionsSeen
  }

  /** `CheckpointCorruptError` when the session's path is something other than a directory. */
  private assertNotAFile(id: string): void {
    const path = this.layout.sessionDir(id)
    let st: Stats
    try {
      st = lstatSync(path)
    } catch (err) {
      if (isMissing(err)) return
      throw err
    }
    if (!st.isDirectory())
      throw new CheckpointCorruptError(
        `${PKG} session "${id}" (${path})`,
        `it is ${kindOf(st)}, not a directory; nothing was changed: move it away to use this id`,
      )
  }

  private locked<T>(id: string, fn: (ctx: LockContext) => Promise<T>): Promise<T> {
    return withLock(this.layout.sessionLock(id), this.sessionLockOptions(id), fn)
  }

  /** The options of a session's lock, made once per session (a commit path should not allocate them). */
  private sessionLockOptions(id: string): LockOptions {
    let options = this.lockOptionsById.get(id)
    if (options) return options
    const { staleMs } = this.lockOptions
    options = {
      ...this.lockOptions,
      what: `session "${id}"`,
      mayBreakLive: () => this.leaseLapsed(id),
      fence: (ctx, revoked) => this.fence(id, ctx, revoked),
      lost: (cause) =>
        new LeaseLostError(
          id,
          `this process stalled (stopped, or its event loop blocked) for over ${staleMs} ms while it held the session's lock, after its lease had lapsed, ` +
            `and another process took over; what it was doing may or may not have been applied${cause instanceof Error ? ` (${cause.message})` : ''}`,
        ),
    }
    if (this.lockOptionsById.size >= 256) this.lockOptionsById.clear()
    this.lockOptionsById.set(id, options)
    return options
  }

  /** Creates the top-level directories once. */
  private prepare(): Promise<void> {
    this.ready ??= ensureDir(this.layout.sessions, this.durable).catch((err: unknown) => {
      this.ready = undefined
      throw err
    })
    return this.ready
  }

  /** `NotFoundError`, or `CheckpointCorruptError` when something that is not a session directory has its name. */
  private missing(id: string): NotFoundError | CheckpointCorruptError {
    try {
      this.assertNotAFile(id)
    } catch (err) {
      if (err instanceof CheckpointCorruptError) return err
    }
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
  // A file, a device or a path under one is refused now, before anything is created or listed.
  assertDirectoryPath(resolve(options.dir))
  assertDirectoryPath(join(resolve(options.dir), 'sessions'))
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
    ...(block.pruned !== undefined ? { pruned: block.pruned } : {}),
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
    if (errorCode(err) === 'ENOTDIR') assertDirectoryPath(dir)
    if (isMissing(err)) return []
    throw err
  }
}

/** A session's journal open under its lock, with its current head record. */
type JournalTail = Tail & { fd: number }

function foldMarkerName(id: string): string {
  return `fold-${id}`
}

function foldMarker(ctx: LockContext, id: string): string {
  return join(ctx.staging, foldMarkerName(id))
}
