import {
  AlreadyTerminalError,
  askTrial,
  enqueueTrial,
  tellTrial,
  type AskedTrial,
  type Json,
  type TellOptions,
  type TellResult,
  createMemoryStore,
  deleteSession,
  InvalidInputError,
  isCairnError,
  isTerminal,
  joinSession,
  listSessions,
  NotFoundError,
  NotJoinableError,
  resumeSession,
  startSession,
  type CheckpointHead,
  type CheckpointStore,
  type ListFilter,
  type SessionHandle,
  type SessionListing,
  type TrialRecord,
  type WorkerHandle,
} from '@cairn/core'
import type { RecoveryMonitor, RecoveryPolicy } from '@cairn/recovery'
import {
  ControlOptionsSchema,
  CreateCairnOptionsSchema,
  DeleteOptionsSchema,
  JoinJobOptionsSchema,
  MonitorOptionsSchema,
  OpenJobOptionsSchema,
  ResumeJobOptionsSchema,
  ShowOptionsSchema,
  StartJobOptionsSchema,
  type CreateCairnOptions,
  type DeleteOptions,
  type JoinJobOptions,
  type OpenJobOptions,
  type ResumeJobOptions,
  type ShowOptions,
  type StartJobOptions,
} from './cairn-options.js'
import type { CairnConfig } from './config/types.js'
import { validateConfig } from './config/validate.js'
import { AskTellJobError, SessionBusyError, UnknownOptimizerError } from './errors.js'
import { resumeOptionsFor, startOptionsFor, type RunOverrides } from './jobs/drive-options.js'
import { joinOptionsFor } from './jobs/join-options.js'
import { getJob, isAskTellJob, jobNames } from './jobs/job.js'
import { importOptional } from './lazy-import.js'
import { isKnownOptimizer, optimizerNames } from './optimizer/resolve.js'
import { buildMonitor, type MonitorOptions } from './recovery/monitor.js'
import { controlSession, type ControlOptions, type ControlOutcome } from './session/control.js'
import { sessionDetails, type SessionDetails } from './session/details.js'
import { withLeaseWait } from './session/lease-wait.js'
import { sessionOptimizer } from './session/ask-tell.js'
import { openStore, storeExists, warmStartStore, type CairnStore } from './store/open-store.js'
import { DEFAULT_STORE_URI, formatStoreSpec, parseStoreUri, type StoreSpec } from './store/uri.js'

/** What `open` found. */
export type OpenResult = { kind: 'started' | 'resumed'; handle: SessionHandle } | { kind: 'finished'; head: CheckpointHead }

/** The composition root: a config's store, optimizers and jobs, wired to core's session driver. */
export interface Cairn {
  /** The validated config. */
  readonly config: CairnConfig
  /** The store's URI with absolute paths (`store object` when the config gave an object). */
  readonly storeUri: string
  /** The config's job names. */
  jobs(): string[]
  /** The store, opened on first use (its package imported then). */
  store(): Promise<CairnStore>
  /** Starts a new session of `job`. Rejects when the session id exists already. */
  start(job: string, options?: StartJobOptions): Promise<SessionHandle>
  /**
   * Creates a session of `job` driven by its caller (ask/tell, `cairn create`): the job's space,
   * optimizer, seed and limits; its objective (or program), if any, is not used. The session
   * rests `paused` between calls. Any job may be driven this way; a job with a space alone
   * (no objective) can only be.
   */
  create(job: string, options?: StartJobOptions): Promise<SessionHandle>
  /**
   * Asks a stored session for its next trial (core's `askTrial`, with the optimizer of the job
   * its head names): safe from many processes at once. Null when there is nothing more to ask.
   */
  ask(sessionId: string): Promise<AskedTrial | null>
  /** Tells an asked trial's result, in any order (core's `tellTrial`). */
  tell(sessionId: string, trialIdx: number, result: TellResult, options?: TellOptions): Promise<void>
  /** Enqueues a candidate for the session's next ask (core's `enqueueTrial`); resolves to how many are enqueued. */
  enqueue(sessionId: string, candidate: Json): Promise<number>
  /** Resumes a stored session with the job its head names (`head.job`). */
  resume(sessionId: string, options?: ResumeJobOptions): Promise<SessionHandle>
  /**
   * Starts `job`, or — when its session id (`options.sessionId`, else the job's `sessionId`)
   * exists — resumes it, or reports it finished. What `cairn run` does.
   */
  open(job: string, options?: OpenJobOptions): Promise<OpenResult>
  /**
   * Attaches a worker to a running session with shared evaluation (started with
   * `evaluation: 'shared'`): it claims and evaluates the session's trials with the objective of
   * the job its head names, until the session ends or pauses, or `signal` aborts; unless
   * `takeOver` is false, it takes the session over (as `resume` would) when the coordinator
   * dies. Throws core's `NotJoinableError` (code `NOT_JOINABLE`) for a session that finished,
   * is paused or is not shared, and for a store only one process can open (`level:`,
   * `memory:`), naming the stores to use instead; `NotFoundError` for an unknown session.
   */
  join(sessionId: string, options?: JoinJobOptions): Promise<WorkerHandle>
  /** Listings matching `filter` (status, optimizer id, updatedSince). */
  list(filter?: ListFilter): Promise<SessionListing[]>
  /** The head (without opaque bytes), best trial and last `lastTrials` (default 10) trials. */
  show(sessionId: string, options?: ShowOptions): Promise<SessionDetails>
  /** Every trial of a session, oldest first. */
  trials(sessionId: string): Promise<TrialRecord[]>
  /**
   * Deletes a session and its trials. Throws `NotFoundError` when there is none, and
   * `SessionBusyError` (code `ALREADY_RUNNING`) while a live process drives it unless `force`.
   */
  delete(sessionId: string, options?: DeleteOptions): Promise<void>
  /** Pauses or cancels a session from any process (see `controlSession`). */
  control(sessionId: string, action: 'pause' | 'cancel', options?: ControlOptions): Promise<ControlOutcome>
  /**
   * A `RecoveryMonitor` (from `@cairn/recovery`, imported now) over this store and the config's
   * jobs; not started. The policy is `{ enabled: true, ...config.recovery, ...policy }`.
   */
  monitor(policy?: RecoveryPolicy, options?: MonitorOptions): Promise<RecoveryMonitor>
  /**
   * The self-contained HTML report of a session: the dashboard's session page (history, slices,
   * parallel coordinates, contour, importance, trial table, head) in one file that opens offline.
   * Needs the optional package `@cairn/dashboard` (`MissingPackageError` says how to install it).
   */
  report(sessionId: string): Promise<string>
  /** Closes the store if this instance opened it. */
  close(): Promise<void>
}

/**
 * Builds the composition root from a config (the default export of `cairn.config.ts`). Validates
 * it (`ConfigError` naming the field, core's `UnknownOptionError` for a field it does not have)
 * and parses the store URI (`StoreUriError`) now; the store and optimizer packages are imported
 * only when first used. The option objects of the root's methods are held to their keys the
 * same way, before any store is opened.
 */
export function createCairn(config: CairnConfig, options: CreateCairnOptions = {}): Cairn {
  const valid = validateConfig(config)
  CreateCairnOptionsSchema.check(options)
  const baseDir = options.baseDir ?? process.cwd()
  const given = valid.store
  const spec: StoreSpec | null = typeof given === 'object' ? null : parseStoreUri(given ?? DEFAULT_STORE_URI, baseDir)
  return new CairnRoot(valid, spec, typeof given === 'object' ? given : null)
}

class CairnRoot implements Cairn {
  readonly storeUri: string
  private opened: Promise<CairnStore> | null = null
  private empty: CheckpointStore | null = null

  constructor(
    readonly config: CairnConfig,
    private readonly spec: StoreSpec | null,
    private readonly given: CheckpointStore | null,
  ) {
    this.storeUri = spec ? formatStoreSpec(spec) : 'store object'
  }

  jobs(): string[] {
    return jobNames(this.config)
  }

  store(): Promise<CairnStore> {
    if (this.given) return Promise.resolve(this.given)
    this.opened ??= openStore(this.spec as StoreSpec).catch((err: unknown) => {
      this.opened = null
      throw err
    })
    return this.opened
  }

  /** For reads: a store whose directory does not exist yet is seen as empty rather than created. */
  private readStore(): Promise<CheckpointStore> {
    if (this.given || this.opened || !this.spec || storeExists(this.spec)) return this.store()
    this.empty ??= createMemoryStore()
    return Promise.resolve(this.empty)
  }

  private async checkRun(job: string, overrides: RunOverrides): Promise<void> {
    if (isAskTellJob(getJob(this.config, job))) throw new AskTellJobError(job)
    if (overrides.optimizer !== undefined && !(await isKnownOptimizer(overrides.optimizer, this.config.optimizers)))
      throw new UnknownOptimizerError(overrides.optimizer, await optimizerNames(this.config.optimizers))
  }

  async start(job: string, options: StartJobOptions = {}): Promise<SessionHandle> {
    StartJobOptionsSchema.check(options)
    await this.checkRun(job, options)
    return this.startJob(job, options)
  }

  private async startJob(job: string, options: StartJobOptions): Promise<SessionHandle> {
    const store = await this.store()
    const opts = await startOptionsFor(this.config, job, options, warmStartStore(store))
    return startSession({
      ...opts,
      store,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.owner ? { owner: options.owner } : {}),
    })
  }

  async create(job: string, options: StartJobOptions = {}): Promise<SessionHandle> {
    StartJobOptionsSchema.check(options)
    getJob(this.config, job)
    if (options.optimizer !== undefined && !(await isKnownOptimizer(options.optimizer, this.config.optimizers)))
      throw new UnknownOptimizerError(options.optimizer, await optimizerNames(this.config.optimizers))
    const store = await this.store()
    const opts = await startOptionsFor(this.config, job, options, warmStartStore(store), true)
    return startSession({ ...opts, store, ...(options.owner ? { owner: options.owner } : {}) })
  }

  async ask(sessionId: string): Promise<AskedTrial | null> {
    const store = await this.store()
    return askTrial(store, sessionId, { optimizer: await sessionOptimizer(this.config, await store.load(sessionId)) })
  }

  async tell(sessionId: string, trialIdx: number, result: TellResult, options: TellOptions = {}): Promise<void> {
    const store = await this.store()
    const optimizer = await sessionOptimizer(this.config, await store.load(sessionId))
    await tellTrial(store, sessionId, trialIdx, result, { optimizer, ...options })
  }

  async enqueue(sessionId: string, candidate: Json): Promise<number> {
    const store = await this.store()
    return enqueueTrial(store, sessionId, candidate, { optimizer: await sessionOptimizer(this.config, await store.load(sessionId)) })
  }

  async resume(sessionId: string, options: ResumeJobOptions = {}): Promise<SessionHandle> {
    ResumeJobOptionsSchema.check(options)
    const store = await this.readStore()
    const head = await store.load(sessionId)
    return this.resumeHead(await this.store(), head, options)
  }

  private async resumeHead(store: CairnStore, head: CheckpointHead, options: ResumeJobOptions): Promise<SessionHandle> {
    const sessionId = head.sessionId
    if (isTerminal(head.status)) throw new AlreadyTerminalError(sessionId, head.status)
    const attempt = async (): Promise<SessionHandle> => {
      const latest = await store.load(sessionId)
      const opts = await resumeOptionsFor(this.config, latest, options, warmStartStore(store))
      return resumeSession(store, sessionId, {
        ...opts,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.owner ? { owner: options.owner } : {}),
      })
    }
    return withLeaseWait(store, sessionId, attempt, {
      ...(options.onLeaseWait ? { onWait: options.onLeaseWait } : {}),
      ...(options.waitSignal ? { signal: options.waitSignal } : {}),
    })
  }

  async open(job: string, options: OpenJobOptions = {}): Promise<OpenResult> {
    OpenJobOptionsSchema.check(options)
    await this.checkRun(job, options)
    const sessionId = options.sessionId ?? getJob(this.config, job).sessionId
    const store = await this.store()
    if (sessionId === undefined) return { kind: 'started', handle: await this.startJob(job, options) }
    let head: CheckpointHead
    try {
      head = await store.load(sessionId)
    } catch (err) {
      if (!isCairnError(err, 'NOT_FOUND')) throw err
      try {
        return { kind: 'started', handle: await this.startJob(job, { ...options, sessionId }) }
      } catch (startErr) {
        // Someone created it in between: fall through and resume it.
        const exists = isCairnError(startErr, 'INVALID_INPUT') && (startErr as InvalidInputError).field === 'sessionId'
        if (!exists && !isCairnError(startErr, 'ALREADY_RUNNING')) throw startErr
        head = await store.load(sessionId)
      }
    }
    if (head.job !== job)
      throw new InvalidInputError(
        `session "${sessionId}" belongs to ${head.job ? `job "${head.job}"` : 'no job'}, not "${job}"; choose another session id`,
        'sessionId',
      )
    if (isTerminal(head.status)) return { kind: 'finished', head }
    return { kind: 'resumed', handle: await this.resumeHead(store, head, options) }
  }

  async join(sessionId: string, options: JoinJobOptions = {}): Promise<WorkerHandle> {
    JoinJobOptionsSchema.check(options)
    const single =
      this.spec?.kind === 'level'
        ? 'a LevelDB store admits one process at a time'
        : this.spec?.kind === 'memory'
          ? 'a memory: store lives in one process'
          : null
    if (single !== null)
      throw new NotJoinableError(
        sessionId,
        'store-unsupported',
        `the store ${this.storeUri} cannot be shared with workers (${single}); start the session on a store several processes share: fs:<dir> (one machine) or dynamodb://<table> (several machines)`,
      )
    const store = await this.store()
    const head = await store.load(sessionId)
    return joinSession(store, sessionId, await joinOptionsFor(this.config, head, options, warmStartStore(store)))
  }

  async list(filter: ListFilter = {}): Promise<SessionListing[]> {
    return listSessions(await this.readStore(), filter)
  }

  async show(sessionId: string, options: ShowOptions = {}): Promise<SessionDetails> {
    ShowOptionsSchema.check(options)
    return sessionDetails(await this.readStore(), sessionId, options.lastTrials ?? 10)
  }

  async trials(sessionId: string): Promise<TrialRecord[]> {
    const store = await this.readStore()
    await store.load(sessionId)
    return store.readTrials(sessionId)
  }

  async delete(sessionId: string, options: DeleteOptions = {}): Promise<void> {
    DeleteOptionsSchema.check(options)
    const store = await this.readStore()
    const head = await store.load(sessionId).catch((err: unknown) => {
      // A corrupt head can still be deleted.
      if (isCairnError(err, 'CHECKPOINT_CORRUPT')) return null
      throw err
    })
    if (head && !options.force && head.status === 'running' && head.lease && head.lease.expiresAt > Date.now())
      throw new SessionBusyError(
        sessionId,
        head.lease.owner,
        head.lease.expiresAt,
        'pause or cancel it first, or delete it anyway with `force: true` (its process then fails at its next commit)',
      )
    await deleteSession(store, sessionId)
  }

  async control(sessionId: string, action: 'pause' | 'cancel', options: ControlOptions = {}): Promise<ControlOutcome> {
    ControlOptionsSchema.check(options)
    const store = await this.readStore()
    if (store === this.empty) throw new NotFoundError(`session "${sessionId}"`)
    return controlSession(store, sessionId, action, options)
  }

  async monitor(policy?: RecoveryPolicy, options: MonitorOptions = {}): Promise<RecoveryMonitor> {
    MonitorOptionsSchema.check(options)
    return buildMonitor(this.config, await this.store(), policy, options)
  }

  async report(sessionId: string): Promise<string> {
    const { renderReport, sessionView } = await importOptional('@cairn/dashboard', 'the HTML report', () => import('@cairn/dashboard'))
    const store = await this.readStore()
    const head = await store.load(sessionId)
    const trials = await store.readTrials(sessionId)
    return renderReport({ session: sessionView(head), trials, live: false, readAt: Date.now() })
  }

  async close(): Promise<void> {
    const opened = this.opened
    this.opened = null
    if (opened) await (await opened.catch(() => null))?.close()
  }
}
