import { createHash } from 'node:crypto'
import { decodeHead, decodeTrial, encodeHead, encodeTrial, headToListing } from '../checkpoint/codec.js'
import type { CheckpointHead, ControlRequest, Lease, SessionListing, SessionStatus, TrialRecord } from '../checkpoint/types.js'
import {
  AlreadyRunningError,
  CheckpointCorruptError,
  InvalidInputError,
  LeaseLostError,
  NotFoundError,
  RevisionConflictError,
} from '../errors.js'
import { optionKinds as k } from '../input/option-kinds.js'
import { channels, publish } from '../telemetry/channels.js'
import type {
  CheckpointStore,
  CommitRequest,
  CommitResult,
  ListFilter,
  ListPage,
  ReadTrialsOptions,
  ReplaceDamagedHeadRequest,
  ReplaceDamagedHeadResult,
  SalvagedSession,
  StoreCapabilities,
  ClaimTrialRequest,
  ClaimNextRequest,
  TrialClaim,
  TrialResultReport,
  TrialSlot,
  StoredTrialProgress,
  SessionChange,
} from './contract.js'
import { checkSaveTrialProgress, checkTrialProgressArgs } from './progress-input-checks.js'
import { matchesFilter, pageListings } from './list-filter.js'
import { corruptListing } from './corrupt-listing.js'
import { assertSessionId } from './session-id.js'
import { decodeWarmStartEntry, encodeWarmStartEntry } from './warm-start-codec.js'
import {
  latestWarmStartEntry,
  rankWarmStartEntries,
  selectEvictions,
  type EvictOptions,
  type EvictionReport,
  type LookupOptions,
  type WarmStartEntry,
  type WarmStartEntryInput,
  type WarmStartStore,
} from './warm-start-contract.js'
import { newWarmStartEntry } from './warm-start-input.js'
import { defineOptions, type OptionsSchema } from '../input/options-schema.js'
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
  checkReplaceDamagedHeadRequest,
} from './input-checks.js'
import {
  checkClaimTrialRequest,
  checkReadTrialSlots,
  checkRenewTrialClaim,
  checkReportAndClaim,
  checkTrialResultReport,
} from './slot-input-checks.js'
import { TrialSlots } from './memory-slots.js'
import { SessionWatchers } from './session-watchers.js'

interface SessionCell {
  head: Uint8Array
  /**
   * What `head` says that `commit` and `requestControl` check, kept when this store wrote the
   * bytes so a commit does not decode them again; null once the bytes were replaced from outside
   * (`replaceStoredHead`), so the next reader decodes them and meets any damage.
   */
  facts: HeadFacts | null
  lease: Lease | null
  control: ControlRequest | null
  /** The encoded trial records, by index (a hole is a record lost to a simulated fault). */
  trials: Array<Uint8Array | undefined>
  /** Kept apart from the head, as durable stores do, so a damaged head can be salvaged. */
  revision: number
  /** Kept apart too, for `salvage`; its `leaseExpiresAt` is the cell's lease's when read. */
  listing: SessionListing
  /** Damaged heads replaced by `replaceDamagedHead`, oldest first. */
  damaged: Uint8Array[]
  /** Trial slots of a shared session, made on the first claim. */
  slots: TrialSlots | undefined
  /** The progress of running trials (`saveTrialProgress`), by index: the highest token's latest save. */
  progress: Map<number, StoredTrialProgress>
}

/** The fields of a stored head that `commit` and `requestControl` check. */
interface HeadFacts {
  revision: number
  attempts: number
  status: SessionStatus
}

function factsOf(head: CheckpointHead, revision: number): HeadFacts {
  return { revision, attempts: head.progress.attempts, status: head.status }
}

function damageOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/**
 * Each store's trial logs, for the fault hooks of `@cairn/core/testing`. Kept outside the
 * class so the hooks are no part of `MemoryStore`'s API.
 */
const trialLogs = new WeakMap<MemoryStore, (sessionId: string) => Array<Uint8Array | undefined>>()
const headReplacers = new WeakMap<MemoryStore, (sessionId: string, bytes: Uint8Array) => void>()

/** The stored trial log of a session (throws `NotFoundError`). For `@cairn/core/testing` only. */
export function storedTrialLog(store: MemoryStore, sessionId: string): Array<Uint8Array | undefined> {
  const log = trialLogs.get(store)
  if (!log) throw new InvalidInputError('must be a MemoryStore from createMemoryStore()', 'store')
  return log(sessionId)
}

/**
 * Replaces a session's stored head bytes (throws `NotFoundError`), as a disk fault would: the
 * store forgets what it knew of the old bytes, so every reader decodes the new ones. For
 * `@cairn/core/testing` only.
 */
export function replaceStoredHead(store: MemoryStore, sessionId: string, bytes: Uint8Array): void {
  const replace = headReplacers.get(store)
  if (!replace) throw new InvalidInputError('must be a MemoryStore from createMemoryStore()', 'store')
  replace(sessionId, bytes)
}

/** Decodes the stored record of trial `idx`: it must be there and be that trial, else `CheckpointCorruptError`. */
function readTrial(bytes: Uint8Array | undefined, idx: number, sessionId: string): TrialRecord {
  const what = `trial ${idx} of session "${sessionId}"`
  if (bytes === undefined) throw new CheckpointCorruptError(what, 'the record the head counts is missing')
  const trial = decodeTrial(bytes, what)
  if (trial.trialIdx !== idx) throw new CheckpointCorruptError(what, `the record holds trial ${trial.trialIdx}`)
  return trial
}

/** Where the memory store reads the time (of leases and trial claims). */
export interface MemoryStoreClock {
  /** Epoch milliseconds. */
  now(): number
}

const systemClock: MemoryStoreClock = { now: () => Date.now() }

/**
 * A store that lives in memory: for tests and embedding. Not durable, one process; workers of a
 * shared session (`joinSession`) in the same process share its trial slots.
 */
export class MemoryStore implements CheckpointStore, WarmStartStore {
  readonly specificationVersion = 'v1'
  readonly capabilities: StoreCapabilities = {
    durable: false,
    multiProcess: false,
    multiMachine: false,
    sharedEvaluation: true,
    reportAndClaim: true,
    trialProgress: true,
  }
  private readonly sessions = new Map<string, SessionCell>()
  private readonly warm = new Map<string, Map<string, Uint8Array>>()
  private closed = false
  private readonly watchers = new SessionWatchers()

  constructor(private readonly clock: MemoryStoreClock = systemClock) {
    trialLogs.set(this, (sessionId) => this.cell(sessionId).trials)
    headReplacers.set(this, (sessionId, bytes) => {
      const cell = this.cell(sessionId)
      cell.head = bytes
      cell.facts = null
    })
  }

  async create(head: CheckpointHead): Promise<void> {
    this.open()
    checkNewHead(head)
    if (this.sessions.has(head.sessionId)) throw new RevisionConflictError(head.sessionId, 0, undefined)
    const bytes = encodeHead({ ...head, lease: null })
    this.sessions.set(head.sessionId, {
      head: bytes,
      facts: factsOf(head, 0),
      lease: head.lease ? { ...head.lease } : null,
      control: null,
      trials: [],
      revision: 0,
      listing: headToListing(head),
      damaged: [],
      slots: undefined,
      progress: new Map(),
    })
  }

  async commit(sessionId: string, request: CommitRequest): Promise<CommitResult> {
    checkCommitRequest(sessionId, request)
    const cell = this.cell(sessionId)
    const current = this.facts(cell, sessionId)
    if (current.revision !== request.expectedRevision)
      throw new RevisionConflictError(sessionId, request.expectedRevision, current.revision)
    if (!cell.lease || cell.lease.fencingToken !== request.fencingToken)
      throw new LeaseLostError(sessionId, `fencing token ${request.fencingToken} is stale (current ${cell.lease?.fencingToken ?? 'none'})`)
    const expectedIdx = current.attempts
    request.trials.forEach((t, i) => {
      if (t.trialIdx !== expectedIdx + i)
        throw new InvalidInputError(`trial ${t.trialIdx} out of order (expected ${expectedIdx + i})`, 'trials')
    })
    if (request.head.progress.attempts !== expectedIdx + request.trials.length)
      throw new InvalidInputError('head.progress.attempts must count the committed trials', 'head.progress.attempts')
    const revision = request.expectedRevision + 1
    const encodedTrials = request.trials.map(encodeTrial)
    const stored = { ...request.head, revision, lease: null }
    const head = encodeHead(stored)
    cell.trials.push(...encodedTrials)
    cell.head = head
    cell.facts = factsOf(stored, revision)
    cell.revision = revision
    cell.listing = headToListing(request.head)
    const control = cell.control
    if (request.head.status !== 'running') cell.control = null
    cell.slots?.dropBelow(request.head.progress.attempts)
    this.watchers.tell(sessionId, 'head')
    return { revision, control }
  }

  async load(sessionId: string): Promise<CheckpointHead> {
    const cell = this.cell(sessionId)
    const head = decodeHead(cell.head, `head of session "${sessionId}"`)
    return { ...head, lease: cell.lease ? { ...cell.lease } : null }
  }

  async readTrials(sessionId: string, options: ReadTrialsOptions = {}): Promise<TrialRecord[]> {
    checkReadTrialsOptions(sessionId, options)
    const cell = this.cell(sessionId)
    const from = options.from ?? 0
    const end = Math.min(cell.trials.length, options.limit === undefined ? Infinity : from + options.limit)
    const out: TrialRecord[] = []
    for (let i = from; i < end; i++) out.push(readTrial(cell.trials[i], i, sessionId))
    return out
  }

  async list(filter: ListFilter = {}): Promise<ListPage> {
    this.open()
    checkListFilter(filter)
    const ids = [...this.sessions.keys()].sort()
    const listings = ids.map((id) => {
      const cell = this.sessions.get(id) as SessionCell
      try {
        return headToListing({ ...decodeHead(cell.head, `head of session "${id}"`), lease: cell.lease })
      } catch (err) {
        publish(channels.storeCorrupt, { sessionId: id, error: err })
        return corruptListing(id, err)
      }
    })
    return pageListings(
      listings.filter((l) => matchesFilter(l, filter)),
      filter,
    )
  }

  async delete(sessionId: string): Promise<void> {
    this.open()
    assertSessionId(sessionId)
    this.sessions.delete(sessionId)
  }

  async acquireLease(sessionId: string, owner: string, ttlMs: number): Promise<Lease> {
    assertSessionId(sessionId)
    checkOwner(owner)
    checkLeaseTtl(ttlMs)
    const cell = this.cell(sessionId)
    const now = this.clock.now()
    const held = cell.lease
    if (held && held.owner !== owner && held.expiresAt > now)
      throw new AlreadyRunningError(sessionId, held.owner, undefined, { leaseExpiresAt: held.expiresAt })
    const lease = { owner, fencingToken: (held?.fencingToken ?? 0) + 1, expiresAt: now + ttlMs }
    cell.lease = lease
    return { ...lease }
  }

  async renewLease(sessionId: string, lease: Lease, ttlMs: number): Promise<Lease> {
    assertSessionId(sessionId)
    checkLease(lease)
    checkLeaseTtl(ttlMs)
    const cell = this.cell(sessionId)
    if (!cell.lease || cell.lease.fencingToken !== lease.fencingToken || cell.lease.owner !== lease.owner)
      throw new LeaseLostError(sessionId, `token ${lease.fencingToken} was superseded by ${cell.lease?.fencingToken ?? 'none'}`)
    cell.lease = { ...lease, expiresAt: this.clock.now() + ttlMs }
    return { ...cell.lease }
  }

  async releaseLease(sessionId: string, lease: Lease): Promise<void> {
    this.open()
    assertSessionId(sessionId)
    checkLease(lease)
    const cell = this.sessions.get(sessionId)
    if (cell?.lease && cell.lease.fencingToken === lease.fencingToken && cell.lease.owner === lease.owner)
      cell.lease = { ...cell.lease, expiresAt: 0 }
  }

  async requestControl(sessionId: string, request: ControlRequest): Promise<void> {
    assertSessionId(sessionId)
    checkControlRequest(request)
    const cell = this.cell(sessionId)
    if (this.facts(cell, sessionId).status !== 'running') return
    if (cell.control !== 'cancel') cell.control = request
  }

  async close(): Promise<void> {
    this.closed = true
  }

  async claimTrial(sessionId: string, request: ClaimTrialRequest): Promise<TrialClaim> {
    checkClaimTrialRequest(sessionId, request)
    const cell = this.cell(sessionId)
    const claim = this.slotsOf(cell, sessionId).claim(request, this.clock.now())
    this.watchers.tell(sessionId, 'slots')
    return claim
  }

  async renewTrialClaim(sessionId: string, claim: TrialClaim, ttlMs: number): Promise<TrialClaim> {
    checkRenewTrialClaim(sessionId, claim, ttlMs)
    const cell = this.cell(sessionId)
    const renewed = this.slotsOf(cell, sessionId).renew(claim, ttlMs, this.clock.now())
    this.watchers.tell(sessionId, 'slots')
    return renewed
  }

  async reportTrialResult(sessionId: string, claim: TrialClaim, report: TrialResultReport): Promise<void> {
    checkTrialResultReport(sessionId, claim, report)
    const cell = this.cell(sessionId)
    this.slotsOf(cell, sessionId).report(claim, report, this.clock.now())
    this.watchers.tell(sessionId, 'slots')
  }

  async reportAndClaimTrial(
    sessionId: string,
    claim: TrialClaim,
    report: TrialResultReport,
    next: ClaimNextRequest,
  ): Promise<TrialClaim | null> {
    checkReportAndClaim(sessionId, claim, report, next)
    const cell = this.cell(sessionId)
    const slots = this.slotsOf(cell, sessionId)
    const now = this.clock.now()
    slots.report(claim, report, now)
    const taken = slots.claimFirst(next, now)
    this.watchers.tell(sessionId, 'slots')
    return taken
  }

  /** Calls `onChange` (on a later microtask) after each commit (`head`) or each slot write (`slots`) of the session. */
  watchSession(sessionId: string, change: SessionChange, onChange: () => void): () => void {
    return this.watchers.add(sessionId, change, onChange)
  }

  async readTrialSlots(sessionId: string, trialIdxs: readonly number[]): Promise<TrialSlot[]> {
    checkReadTrialSlots(sessionId, trialIdxs)
    const cell = this.cell(sessionId)
    return trialIdxs.map((idx) => cell.slots?.read(idx) ?? { trialIdx: idx, claim: null, result: null })
  }

  async saveTrialProgress(sessionId: string, trialIdx: number, token: number, bytes: Uint8Array): Promise<void> {
    checkSaveTrialProgress(sessionId, trialIdx, token, bytes)
    const cell = this.cell(sessionId)
    const held = cell.progress.get(trialIdx)
    if (held && token < held.token)
      throw new LeaseLostError(sessionId, `trial ${trialIdx}: progress token ${token} is stale (progress was saved with ${held.token})`)
    cell.progress.set(trialIdx, { token, bytes: bytes.slice() })
  }

  async loadTrialProgress(sessionId: string, trialIdx: number): Promise<StoredTrialProgress | null> {
    checkTrialProgressArgs(sessionId, trialIdx)
    const held = this.cell(sessionId).progress.get(trialIdx)
    return held ? { token: held.token, bytes: held.bytes.slice() } : null
  }

  async deleteTrialProgress(sessionId: string, trialIdx: number): Promise<void> {
    checkTrialProgressArgs(sessionId, trialIdx)
    this.cell(sessionId).progress.delete(trialIdx)
  }

  async saveOverwrite(key: string, runId: string, input: WarmStartEntryInput): Promise<void> {
    this.open()
    const entry = newWarmStartEntry(key, runId, input)
    let runs = this.warm.get(key)
    if (!runs) this.warm.set(key, (runs = new Map()))
    runs.set(runId, encodeWarmStartEntry(entry))
  }

  async lookup(key: string, options: LookupOptions = {}): Promise<WarmStartEntry | null> {
    checkLookup(key, options)
    return this.touch(key, rankWarmStartEntries(this.entries(key), options))
  }

  async lookupLatest(key: string): Promise<WarmStartEntry | null> {
    checkLookup(key)
    return this.touch(key, latestWarmStartEntry(this.entries(key)))
  }

  async evict(options: EvictOptions): Promise<EvictionReport> {
    this.open()
    checkEvictOptions(options)
    const all = [...this.warm.keys()].flatMap((k) => this.entries(k))
    const gone = selectEvictions(all, options)
    for (const e of gone) this.warm.get(e.key)?.delete(e.runId)
    return { evicted: gone.length, bytesFreed: gone.reduce((n, e) => n + e.sizeBytes, 0) }
  }

  async salvage(sessionId: string): Promise<SalvagedSession | null> {
    const cell = this.cell(sessionId)
    const problem = headProblem(cell.head, sessionId)
    if (problem === null) return null
    const salvaged: SalvagedSession = {
      sessionId,
      problem,
      damage: damageOf(cell.head),
      revision: cell.revision,
      listing: { ...cell.listing, leaseExpiresAt: cell.lease && cell.lease.expiresAt > 0 ? cell.lease.expiresAt : null },
      trials: null,
      lease: cell.lease ? { ...cell.lease } : null,
    }
    try {
      salvaged.trials = await this.readTrials(sessionId)
    } catch (err) {
      salvaged.trialsProblem = err instanceof Error ? err.message : String(err)
    }
    return salvaged
  }

  async replaceDamagedHead(sessionId: string, request: ReplaceDamagedHeadRequest): Promise<ReplaceDamagedHeadResult> {
    this.open()
    checkReplaceDamagedHeadRequest(sessionId, request)
    const cell = this.cell(sessionId)
    if (headProblem(cell.head, sessionId) === null || damageOf(cell.head) !== request.damage)
      throw new RevisionConflictError(sessionId, cell.revision, undefined)
    if (!cell.lease || cell.lease.fencingToken !== request.fencingToken)
      throw new LeaseLostError(sessionId, `fencing token ${request.fencingToken} is stale (current ${cell.lease?.fencingToken ?? 'none'})`)
    const trials = await this.readTrials(sessionId).catch((err: unknown) => {
      throw new InvalidInputError(`the trial log cannot be vouched for: ${(err as Error).message}`, 'trials')
    })
    if (request.head.progress.attempts !== trials.length)
      throw new InvalidInputError(`must be ${trials.length}, the number of trials in the log`, 'head.progress.attempts')
    const revision = cell.revision + 1
    const stored = { ...request.head, revision, lease: null }
    const head = encodeHead(stored)
    cell.damaged.push(cell.head)
    cell.head = head
    cell.facts = factsOf(stored, revision)
    cell.revision = revision
    cell.listing = headToListing(request.head)
    return { revision, keptAs: `memory: damagedHeads("${sessionId}")[${cell.damaged.length - 1}]` }
  }

  /** The damaged heads `replaceDamagedHead` kept aside for a session, oldest first (empty when none). */
  damagedHeads(sessionId: string): Uint8Array[] {
    return (this.sessions.get(sessionId)?.damaged ?? []).map((b) => b.slice())
  }

  private entries(key: string): WarmStartEntry[] {
    this.open()
    const runs = this.warm.get(key)
    if (!runs) return []
    const out: WarmStartEntry[] = []
    for (const [runId, bytes] of runs) {
      try {
        out.push(decodeWarmStartEntry(bytes, `warm-start entry ${key}/${runId}`))
      } catch (err) {
        runs.delete(runId)
        publish(channels.storeCorrupt, { key, runId, error: err })
      }
    }
    return out
  }

  private touch(key: string, entry: WarmStartEntry | null): WarmStartEntry | null {
    if (!entry) return null
    const touched = { ...entry, lastAccessedAt: Date.now() }
    this.warm.get(key)?.set(entry.runId, encodeWarmStartEntry(touched))
    return touched
  }

  /** What the stored head says: as written, or decoded from bytes replaced since (`CheckpointCorruptError` when damaged). */
  private facts(cell: SessionCell, sessionId: string): HeadFacts {
    if (cell.facts) return cell.facts
    const head = decodeHead(cell.head, `head of session "${sessionId}"`)
    return factsOf(head, head.revision)
  }

  /** The session's slots, made on first use; they know which trials its head already accounts for. */
  private slotsOf(cell: SessionCell, sessionId: string): TrialSlots {
    cell.slots ??= new TrialSlots(sessionId)
    cell.slots.dropBelow(this.facts(cell, sessionId).attempts)
    return cell.slots
  }

  private cell(sessionId: string): SessionCell {
    this.open()
    assertSessionId(sessionId)
    const cell = this.sessions.get(sessionId)
    if (!cell) throw new NotFoundError(`session "${sessionId}"`)
    return cell
  }

  private open(): void {
    if (this.closed) throw new InvalidInputError('this memory store is closed')
  }
}

/** Options of `createMemoryStore` (an unknown key is refused). */
export interface MemoryStoreOptions {
  /**
   * Where leases and trial claims read the time. Default `Date.now()`; a test moves its own
   * clock forward to make a lease or a claim lapse without waiting.
   */
  clock?: MemoryStoreClock
}

const MemoryStoreOptionsSchema: OptionsSchema<MemoryStoreOptions> = defineOptions<MemoryStoreOptions>('createMemoryStore', {
  clock: k.optional(k.withMethods(['now'], 'must be a clock { now() } returning epoch milliseconds')),
})

/** A new, empty in-memory store (checkpoints, warm-start entries and trial slots). */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  MemoryStoreOptionsSchema.check(options)
  return new MemoryStore(options.clock)
}

/**
 * Why a stored head is damaged (its bytes fail the envelope, checksum or JSON: core's
 * `CheckpointCorruptError`), or null when it decodes. Other failures are thrown: a head of a
 * newer format is not damaged, and is never rebuilt over.
 */
function headProblem(bytes: Uint8Array, sessionId: string): string | null {
  try {
    const head = decodeHead(bytes, `head of session "${sessionId}"`)
    if (head.sessionId !== sessionId) return `it holds session "${head.sessionId}"`
    return null
  } catch (err) {
    if (err instanceof CheckpointCorruptError) return err.message
    throw err
  }
}
