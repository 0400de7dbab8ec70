import { decodeHead, decodeTrial, encodeHead, encodeTrial, headToListing } from '../checkpoint/codec.js'
import type { CheckpointHead, ControlRequest, Lease, SessionListing, TrialRecord } from '../checkpoint/types.js'
import { AlreadyRunningError, InvalidInputError, LeaseLostError, NotFoundError, RevisionConflictError } from '../errors.js'
import { channels, publish } from '../telemetry/channels.js'
import type {
  CheckpointStore,
  CommitRequest,
  CommitResult,
  ListFilter,
  ListPage,
  ReadTrialsOptions,
  StoreCapabilities,
} from './contract.js'
import { matchesFilter, pageListings } from './list-filter.js'
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
} from './input-checks.js'

interface SessionCell {
  head: Uint8Array
  lease: Lease | null
  control: ControlRequest | null
  trials: Uint8Array[]
}

/** A store that lives in memory: for tests and embedding. Not durable, one process. */
export class MemoryStore implements CheckpointStore, WarmStartStore {
  readonly capabilities: StoreCapabilities = { durable: false, multiProcess: false, multiMachine: false }
  private readonly sessions = new Map<string, SessionCell>()
  private readonly warm = new Map<string, Map<string, Uint8Array>>()
  private closed = false

  async create(head: CheckpointHead): Promise<void> {
    this.open()
    checkNewHead(head)
    if (this.sessions.has(head.sessionId)) throw new RevisionConflictError(head.sessionId, 0, undefined)
    const bytes = encodeHead({ ...head, lease: null })
    this.sessions.set(head.sessionId, { head: bytes, lease: head.lease ? { ...head.lease } : null, control: null, trials: [] })
  }

  async commit(sessionId: string, request: CommitRequest): Promise<CommitResult> {
    checkCommitRequest(sessionId, request)
    const cell = this.cell(sessionId)
    const current = decodeHead(cell.head, `head of session "${sessionId}"`)
    if (current.revision !== request.expectedRevision)
      throw new RevisionConflictError(sessionId, request.expectedRevision, current.revision)
    if (!cell.lease || cell.lease.fencingToken !== request.fencingToken)
      throw new LeaseLostError(sessionId, `fencing token ${request.fencingToken} is stale (current ${cell.lease?.fencingToken ?? 'none'})`)
    const expectedIdx = current.progress.attempts
    request.trials.forEach((t, i) => {
      if (t.trialIdx !== expectedIdx + i)
        throw new InvalidInputError(`trial ${t.trialIdx} out of order (expected ${expectedIdx + i})`, 'trials')
    })
    if (request.head.progress.attempts !== expectedIdx + request.trials.length)
      throw new InvalidInputError('head.progress.attempts must count the committed trials', 'head.progress.attempts')
    const revision = request.expectedRevision + 1
    const encodedTrials = request.trials.map(encodeTrial)
    const head = encodeHead({ ...request.head, revision, lease: null })
    cell.trials.push(...encodedTrials)
    cell.head = head
    const control = cell.control
    if (request.head.status !== 'running') cell.control = null
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
    for (let i = from; i < end; i++) out.push(decodeTrial(cell.trials[i] as Uint8Array, `trial ${i} of session "${sessionId}"`))
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
    const now = Date.now()
    const held = cell.lease
    if (held && held.owner !== owner && held.expiresAt > now) throw new AlreadyRunningError(sessionId, held.owner)
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
    cell.lease = { ...lease, expiresAt: Date.now() + ttlMs }
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
    const head = decodeHead(cell.head, `head of session "${sessionId}"`)
    if (head.status !== 'running') return
    if (cell.control !== 'cancel') cell.control = request
  }

  async close(): Promise<void> {
    this.closed = true
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

  /** Test hook: overwrite a session's stored head bytes (to simulate corruption). */
  unsafeSetHeadBytes(sessionId: string, bytes: Uint8Array): void {
    this.cell(sessionId).head = bytes
  }

  /** Test hook: overwrite a stored warm-start entry's bytes. */
  unsafeSetWarmStartBytes(key: string, runId: string, bytes: Uint8Array): void {
    this.warm.get(key)?.set(runId, bytes)
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

/** Options of `createMemoryStore`: none yet (an options object with any key is refused). */
export type MemoryStoreOptions = Record<string, never>

const MemoryStoreOptionsSchema: OptionsSchema<MemoryStoreOptions> = defineOptions<MemoryStoreOptions>('createMemoryStore', {})

/** A new, empty in-memory store (checkpoints and warm-start entries). */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  MemoryStoreOptionsSchema.check(options)
  return new MemoryStore()
}

/** The listing of a session whose head cannot be decoded. */
export function corruptListing(sessionId: string, err: unknown): SessionListing {
  return {
    sessionId,
    status: 'corrupt',
    optimizer: '',
    bestScore: null,
    completed: 0,
    updatedAt: 0,
    leaseExpiresAt: null,
    problem: err instanceof Error ? err.message : String(err),
  }
}
