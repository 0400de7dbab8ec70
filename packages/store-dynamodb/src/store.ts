import { randomUUID } from 'node:crypto'
import {
  CheckpointCorruptError,
  InvalidInputError,
  NotFoundError,
  RevisionConflictError,
  type CheckpointHead,
  type CheckpointStore,
  type ClaimTrialRequest,
  type ClaimNextRequest,
  type CommitRequest,
  type CommitResult,
  type ControlRequest,
  type EvictOptions,
  type EvictionReport,
  type Lease,
  type ListFilter,
  type ListPage,
  type LookupOptions,
  type ReadTrialsOptions,
  type ReplaceDamagedHeadRequest,
  type ReplaceDamagedHeadResult,
  type SalvagedSession,
  type StoreCapabilities,
  type StoredTrialProgress,
  type TrialClaim,
  type TrialRecord,
  type TrialResultReport,
  type TrialSlot,
  type WarmStartEntry,
  type WarmStartEntryInput,
  type WarmStartStore,
} from '@cairn/core'
import {
  assertSessionId,
  checkClaimTrialRequest,
  checkCommitRequest,
  checkControlRequest,
  checkEvictOptions,
  checkLease,
  checkLeaseTtl,
  checkListFilter,
  checkLookup,
  checkNewHead,
  checkOwner,
  checkReadTrialSlots,
  checkReadTrialsOptions,
  checkRenewTrialClaim,
  checkReplaceDamagedHeadRequest,
  checkTrialResultReport,
  checkReportAndClaim,
  decodeTrial,
  encodeHead,
} from '@cairn/core/store-kit'
import { deleteChunks, itemSize, layoutValue, readValue } from './chunks.js'
import { commit } from './commit.js'
import type { StoreContext } from './context.js'
import { Db, av, num, project, str } from './db.js'
import { HeadCache } from './head-cache.js'
import { headContentAttrs, leaseAttrs } from './head-item.js'
import { inlineOf } from './inline.js'
import { nextIncarnation } from './incarnation.js'
import { acquireLease, releaseLease, renewLease, requestControl } from './leases.js'
import { listSessions } from './listing.js'
import { StoreOptionsSchema, checkTableName, clientFrom, inlineTrialsOf, type DynamoDbStoreOptions } from './options.js'
import { readHead } from './read-head.js'
import { replaceDamagedHead, salvage } from './salvage.js'
import { deleteTrialProgress, loadTrialProgress, saveTrialProgress } from './progress.js'
import { checkSaveTrialProgress, checkTrialProgressArgs } from '@cairn/core/store-kit'
import { claimTrial, readTrialSlots, renewTrialClaim, reportTrialResult } from './slots.js'
import { reportAndClaimTrial } from './report-and-claim.js'
import { checkTableDesign, describeTable } from './table-check.js'
import { A, GSI_PK, GSI_SESSIONS, GSI_SK, HEAD_SK, INCARNATION_SK, PK, SK, trialSk } from './table-design.js'
import { evict, lookup, lookupLatest, saveOverwrite } from './warm-start.js'

/** `readTrials` splits a range into at most this many parallel queries … */
const READ_PARALLELISM = 4
/** … of at least this many trials each. */
const READ_RANGE_MIN = 1_000

/**
 * Checkpoints and warm-start entries in one DynamoDB table, shared safely by many processes
 * on many machines. See the package README for the table design, the commit protocol and
 * the IAM permissions it needs.
 */
export class DynamoDbStore implements CheckpointStore, WarmStartStore {
  readonly specificationVersion = 'v1'
  readonly capabilities: StoreCapabilities = {
    durable: true,
    multiProcess: true,
    multiMachine: true,
    sharedEvaluation: true,
    reportAndClaim: true,
    trialProgress: true,
  }
  readonly tableName: string
  private readonly ctx: StoreContext
  private readonly owned: boolean
  private checked: Promise<void> | undefined
  private closed = false
  private readonly writes = new Set<Promise<unknown>>()
  /** This instance's commit in flight, per session (see `renewLease`). */
  private readonly committing = new Map<string, Promise<CommitResult>>()

  constructor(options: DynamoDbStoreOptions) {
    StoreOptionsSchema.check(options)
    checkTableName(options.tableName)
    const { client, owned } = clientFrom(options)
    this.tableName = options.tableName
    this.owned = owned
    const db = new Db(client, options.tableName)
    this.ctx = {
      db,
      writer: randomUUID(),
      heads: new HeadCache(),
      inlineTrials: inlineTrialsOf(options.inlineTrials),
      inFlight: (write) => this.track(write),
      ready: () => this.ready(),
    }
  }

  /** The DynamoDB client in use (yours, or the one the store created). */
  get client(): Db['client'] {
    return this.ctx.db.client
  }

  async create(head: CheckpointHead): Promise<void> {
    checkNewHead(head)
    await this.ready()
    const { db, writer } = this.ctx
    const id = head.sessionId
    const bytes = encodeHead({ ...head, lease: null })
    const inc = await nextIncarnation(db, id)
    const stamp = randomUUID()
    const base = {
      [PK]: av.s(id),
      [SK]: av.s(HEAD_SK),
      [GSI_PK]: av.s(GSI_SESSIONS),
      [GSI_SK]: av.s(id),
      [A.inc]: av.n(inc),
      [A.writer]: av.s(writer),
      [A.stamp]: av.s(stamp),
      ...leaseAttrs(head.lease),
      ...headContentAttrs(head, 0),
    }
    const value = layoutValue(id, bytes, itemSize(base))
    if (value.chunkItems.length > 0) await db.batchPut(value.chunkItems)
    const out = await db.put({
      Item: { ...base, ...value.attrs },
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': PK },
    })
    if (!out.ok && !(num(out.current, A.inc) === inc && str(out.current, A.writer) === writer)) {
      if (value.chunkId) await deleteChunks(db, id, { chunkId: value.chunkId, chunks: value.chunks as number }).catch(() => undefined)
      throw new RevisionConflictError(id, 0, undefined)
    }
    this.ctx.heads.set(id, {
      revision: 0,
      inc,
      inline: [],
      ...(value.chunkId ? { chunk: { chunkId: value.chunkId, chunks: value.chunks as number } } : {}),
      attempts: head.progress.attempts,
      owner: head.lease?.owner,
      token: head.lease?.fencingToken ?? 0,
      leaseExpiresAt: head.lease?.expiresAt,
      control: null,
      stamp,
    })
  }

  async commit(sessionId: string, request: CommitRequest): Promise<CommitResult> {
    checkCommitRequest(sessionId, request)
    const committing = this.ready().then(() => commit(this.ctx, sessionId, request))
    this.committing.set(sessionId, committing)
    try {
      return await committing
    } finally {
      if (this.committing.get(sessionId) === committing) this.committing.delete(sessionId)
    }
  }

  async load(sessionId: string): Promise<CheckpointHead> {
    assertSessionId(sessionId)
    await this.ready()
    return (await readHead(this.ctx, sessionId)).head
  }

  /**
   * Trial records `from` … in index order, only those the head accounts for (`trialIdx <
   * progress.attempts`): a trial item written by a commit that never landed is invisible.
   */
  async readTrials(sessionId: string, options: ReadTrialsOptions = {}): Promise<TrialRecord[]> {
    checkReadTrialsOptions(sessionId, options)
    const from = options.from ?? 0
    await this.ready()
    const { db } = this.ctx
    const head = await db.get(sessionId, HEAD_SK, [A.attempts, A.inc, A.inlineFrom, A.inline])
    if (!head) throw new NotFoundError(`session "${sessionId}"`)
    const attempts = num(head, A.attempts)
    const inc = num(head, A.inc)
    if (attempts === undefined || inc === undefined)
      throw new CheckpointCorruptError(`head of session "${sessionId}"`, 'attempts or incarnation attribute is missing')
    const end = Math.min(attempts, options.limit === undefined ? Infinity : from + options.limit)
    if (from >= end) return []
    // Trials from `inlineFrom` on are read from the head's inline copies; trial items are
    // trusted only below it (those are confirmed: see `commit.ts`).
    const inline = inlineOf(head, sessionId, attempts, inc)
    const itemsEnd = Math.min(end, inline.from)
    const out: TrialRecord[] = []
    if (from < itemsEnd) {
      // Long ranges are read as a few sub-ranges in parallel (a Query page stops at 1 MB).
      const parts = Math.min(READ_PARALLELISM, Math.ceil((itemsEnd - from) / READ_RANGE_MIN))
      const step = Math.ceil((itemsEnd - from) / parts)
      const ranges = Array.from({ length: parts }, (_, i) => [from + i * step, Math.min(itemsEnd, from + (i + 1) * step) - 1] as const)
      const pages = await Promise.all(
        ranges.map(([a, b]) =>
          db.queryAll({
            KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :a AND :b',
            ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
            ExpressionAttributeValues: { ':pk': av.s(sessionId), ':a': av.s(trialSk(inc, a)), ':b': av.s(trialSk(inc, b)) },
            ConsistentRead: true,
          }),
        ),
      )
      const items = pages.flat()
      const bySk = new Map(items.map((it) => [str(it, SK), it]))
      for (let idx = from; idx < itemsEnd; idx++) {
        const what = `trial ${idx} of session "${sessionId}"`
        const item = bySk.get(trialSk(inc, idx))
        if (!item || num(item, A.inc) !== inc) throw new CheckpointCorruptError(what, 'the record the head accounts for is missing')
        const bytes = await readValue(db, sessionId, item)
        if (!bytes) throw new CheckpointCorruptError(what, 'its chunks are missing')
        out.push(decodeOne(bytes, idx, what))
      }
    }
    for (const t of inline.trials) {
      if (t.idx < from || t.idx >= end) continue
      out.push(decodeOne(t.bytes, t.idx, `trial ${t.idx} of session "${sessionId}" (inline on the head)`))
    }
    return out
  }

  async list(filter: ListFilter = {}): Promise<ListPage> {
    checkListFilter(filter)
    await this.ready()
    return listSessions(this.ctx, filter)
  }

  /**
   * Removes the head (the session disappears at once), then its trials, slots and chunks. The small
   * incarnation counter item stays, so an id created again never confuses leftovers.
   */
  async delete(sessionId: string): Promise<void> {
    assertSessionId(sessionId)
    await this.ready()
    const { db } = this.ctx
    this.ctx.heads.forget(sessionId)
    await db.delete({ Key: db.key(sessionId, HEAD_SK) })
    const keysOnly = project([PK, SK])
    const rest = await db.queryAll({
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': PK, ...keysOnly.ExpressionAttributeNames },
      ExpressionAttributeValues: { ':pk': av.s(sessionId) },
      ProjectionExpression: keysOnly.ProjectionExpression,
      ConsistentRead: true,
    })
    const keys = rest.map((it) => str(it, SK)).filter((sk): sk is string => sk !== undefined && sk !== INCARNATION_SK && sk !== HEAD_SK)
    await db.batchDelete(keys.map((sk) => db.key(sessionId, sk)))
  }

  /**
   * Saves a running trial's progress (see progress.ts): inline in the trial's manifest item up to
   * 350 KB (one conditional `PutItem`), else chunks of 350 KB written first and the manifest put
   * on the condition that its token is not higher; the superseded chunks are deleted afterwards.
   */
  async saveTrialProgress(sessionId: string, trialIdx: number, token: number, bytes: Uint8Array): Promise<void> {
    checkSaveTrialProgress(sessionId, trialIdx, token, bytes)
    await this.ready()
    await saveTrialProgress(this.ctx, sessionId, trialIdx, token, bytes)
  }

  /** The trial's latest progress (strongly consistent reads), checked against its length and CRC-32. */
  async loadTrialProgress(sessionId: string, trialIdx: number): Promise<StoredTrialProgress | null> {
    checkTrialProgressArgs(sessionId, trialIdx)
    await this.ready()
    return loadTrialProgress(this.ctx, sessionId, trialIdx)
  }

  /** Removes the trial's manifest, then every chunk under its key prefix. */
  async deleteTrialProgress(sessionId: string, trialIdx: number): Promise<void> {
    checkTrialProgressArgs(sessionId, trialIdx)
    await this.ready()
    await deleteTrialProgress(this.ctx, sessionId, trialIdx)
  }

  async acquireLease(sessionId: string, owner: string, ttlMs: number): Promise<Lease> {
    assertSessionId(sessionId)
    checkOwner(owner)
    checkLeaseTtl(ttlMs)
    await this.ready()
    return acquireLease(this.ctx, sessionId, owner, ttlMs)
  }

  async renewLease(sessionId: string, lease: Lease, ttlMs: number): Promise<Lease> {
    assertSessionId(sessionId)
    checkLease(lease)
    checkLeaseTtl(ttlMs)
    await this.ready()
    // After this instance's own commit of the session in flight, if any: a renewal landing
    // between that commit's read and its write would cost it another round (and, on a slow
    // table where every round meets a renewal, a refusal). A lease write from another
    // instance can still meet a commit, and is carried over as before.
    await this.committing.get(sessionId)?.catch(() => undefined)
    return renewLease(this.ctx, sessionId, lease, ttlMs)
  }

  async releaseLease(sessionId: string, lease: Lease): Promise<void> {
    assertSessionId(sessionId)
    checkLease(lease)
    await this.ready()
    return releaseLease(this.ctx, sessionId, lease)
  }

  async requestControl(sessionId: string, request: ControlRequest): Promise<void> {
    assertSessionId(sessionId)
    checkControlRequest(request)
    await this.ready()
    return requestControl(this.ctx, sessionId, request)
  }

  /**
   * Claims pending trial `trialIdx` with one conditional `UpdateItem` of its slot item
   * (`sk = slot#<inc>#<idx>`): it lands only when the slot has no result and no live claim
   * (by this machine's clock), and the token goes up by one. See "Many workers, one session"
   * in the README.
   */
  async claimTrial(sessionId: string, request: ClaimTrialRequest): Promise<TrialClaim> {
    checkClaimTrialRequest(sessionId, request)
    await this.ready()
    return claimTrial(this.ctx, sessionId, request)
  }

  /** Extends a live claim: one `UpdateItem` of the slot, conditional on the claim's token and owner, its expiry and no result. */
  async renewTrialClaim(sessionId: string, claim: TrialClaim, ttlMs: number): Promise<TrialClaim> {
    checkRenewTrialClaim(sessionId, claim, ttlMs)
    await this.ready()
    return renewTrialClaim(this.ctx, sessionId, claim, ttlMs)
  }

  /**
   * Stores a claimed trial's result once: one `UpdateItem` of the slot on the same condition
   * as a renewal (a result over the item size limit goes to chunk items first, removed again
   * when the write is refused).
   */
  async reportTrialResult(sessionId: string, claim: TrialClaim, report: TrialResultReport): Promise<void> {
    checkTrialResultReport(sessionId, claim, report)
    await this.ready()
    return reportTrialResult(this.ctx, sessionId, claim, report)
  }

  /**
   * `reportTrialResult`, and once the result is stored, the claim of the first trial of
   * `next.trialIdxs` a `Query` of their claims (run beside the report) saw claimable: two
   * writes and one read, in two round trips (see report-and-claim.ts).
   */
  async reportAndClaimTrial(
    sessionId: string,
    claim: TrialClaim,
    report: TrialResultReport,
    next: ClaimNextRequest,
  ): Promise<TrialClaim | null> {
    checkReportAndClaim(sessionId, claim, report, next)
    await this.ready()
    return reportAndClaimTrial(this.ctx, sessionId, claim, report, next)
  }

  /**
   * The slots of `trialIdxs` in the order asked: one strongly consistent `Query` over their
   * key range (or one `BatchGetItem` when they are sparse). Slots stay until `delete`.
   */
  async readTrialSlots(sessionId: string, trialIdxs: readonly number[]): Promise<TrialSlot[]> {
    checkReadTrialSlots(sessionId, trialIdxs)
    await this.ready()
    return readTrialSlots(this.ctx, sessionId, trialIdxs)
  }

  /**
   * What can be vouched for about a session whose encoded head does not decode: the head
   * item's own attributes (revision, trial count, incarnation, inline records, checksummed
   * listing, lease) and the trial records they point to (read as `readTrials` reads them).
   */
  async salvage(sessionId: string): Promise<SalvagedSession | null> {
    assertSessionId(sessionId)
    await this.ready()
    return salvage(this.ctx, sessionId, (id) => this.readTrials(id))
  }

  /**
   * Keeps the damaged head item under `sk = damaged#<revision>#<random>` (outside the list
   * index; `delete` removes it), then puts the rebuilt head item in its place on the condition
   * that the item did not change since it was read.
   */
  async replaceDamagedHead(sessionId: string, request: ReplaceDamagedHeadRequest): Promise<ReplaceDamagedHeadResult> {
    checkReplaceDamagedHeadRequest(sessionId, request)
    await this.ready()
    return replaceDamagedHead(this.ctx, sessionId, request, (id) => this.readTrials(id))
  }

  async saveOverwrite(key: string, runId: string, entry: WarmStartEntryInput): Promise<void> {
    await this.ready()
    return saveOverwrite(this.ctx, key, runId, entry)
  }

  async lookup(key: string, options?: LookupOptions): Promise<WarmStartEntry | null> {
    checkLookup(key, options)
    await this.ready()
    return lookup(this.ctx, key, options)
  }

  async lookupLatest(key: string): Promise<WarmStartEntry | null> {
    checkLookup(key)
    await this.ready()
    return lookupLatest(this.ctx, key)
  }

  async evict(options: EvictOptions): Promise<EvictionReport> {
    checkEvictOptions(options)
    await this.ready()
    return evict(this.ctx, options)
  }

  /**
   * Resolves once the trial-item writes that commits left running after their (landed) head
   * writes have settled. Never needed for safety — the heads carry those records until their
   * items are confirmed — but handy before measuring, or to keep request counts tidy.
   */
  async flush(): Promise<void> {
    while (this.writes.size > 0) await Promise.allSettled([...this.writes])
  }

  /** Waits for trial-item writes still running (`flush`), then destroys the client if the store created it. Later calls reject with `InvalidInputError`. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    // Trial-item writes a commit left running after its (already landed) head write.
    await this.flush()
    if (this.owned) this.ctx.db.client.destroy()
  }

  /** Keeps `write` until it settles, so `close` can wait for it. */
  private track(write: Promise<unknown>): void {
    this.writes.add(write)
    const done = (): void => void this.writes.delete(write)
    write.then(done, done)
  }

  /** Checks the table (DescribeTable) before the first operation; a failed check is made again by the next call. */
  private ready(): Promise<void> {
    if (this.closed)
      return Promise.reject(new InvalidInputError(`[@cairn/store-dynamodb] the store for table "${this.tableName}" is closed`))
    if (!this.checked) {
      this.checked = describeTable(this.ctx.db.client, this.tableName).then((table) => checkTableDesign(this.tableName, table))
      this.checked.catch(() => {
        this.checked = undefined
      })
    }
    return this.checked
  }
}

function decodeOne(bytes: Uint8Array, idx: number, what: string): TrialRecord {
  const trial = decodeTrial(bytes, what)
  if (trial.trialIdx !== idx) throw new CheckpointCorruptError(what, `it records trial ${trial.trialIdx}`)
  return trial
}

/**
 * A DynamoDB-backed `CheckpointStore` + `WarmStartStore` on `tableName` (create it first with
 * `createTable`). Pass `client` to share a client, or `clientConfig` (region, endpoint,
 * credentials …) to let the store create one with `DEFAULT_CLIENT_CONFIG`'s retry settings.
 *
 * @example
 * const store = createDynamoDbStore({ tableName: 'cairn', clientConfig: { region: 'eu-west-1' } })
 */
export function createDynamoDbStore(options: DynamoDbStoreOptions): DynamoDbStore {
  return new DynamoDbStore(options)
}
