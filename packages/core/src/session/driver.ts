import type { CheckpointHead, Lease, Limits, PendingTrial, Progress, SessionStatus, TrialRecord } from '../checkpoint/types.js'
import { isTerminal } from '../checkpoint/types.js'
import { AlreadyTerminalError, InvalidInputError, isCairnError, NotPausedError, OptimizerError } from '../errors.js'
import type { Json } from '../json.js'
import type { AskContext, Evaluation, Metric, Optimizer, Program, Sampler, StepContext, TrialView } from '../optimizer/contract.js'
import type { Rng } from '../random/rng.js'
import type { SearchSpace } from '../space/space.js'
import type { CheckpointStore, ReportedTrialResult } from '../store/contract.js'
import { channels, publish } from '../telemetry/channels.js'
import { canonicalJson } from '../util/canonical-json.js'
import { freezeJson } from '../util/frozen-json.js'
import { commitWithRecovery } from './commit.js'
import { freezeConstantParts } from './constant-parts.js'
import { runEvaluation, type EvaluateArgs, type EvaluationTarget } from './evaluate.js'
import { EventStream } from './event-stream.js'
import { LeaseKeeper } from './lease-keeper.js'
import { advanceProgress, proposedToRecord, toTrialRecord, toView } from './progress.js'
import { claim, unclaim } from './registry.js'
import type { WarmStartWriter } from './warm-start.js'
import { ResultBoard } from './shared/result-board.js'
import type { SharedDrive } from './shared/shared-drive.js'
import { watchChanges, type SharedStore } from './shared/store-support.js'
import { CoordinatorWorker } from './shared/coordinator-worker.js'
import { WaitOptionsSchema } from './option-schemas.js'
import type { SessionEvent, SessionHandle, SessionResult, SessionSnapshot, WaitOptions } from './types.js'
import { yieldToEventLoop } from './yield.js'
import type { Pruner } from '../pruner/contract.js'
import { PrunerLog } from './pruner-history.js'
import { progressToken } from './progress-token.js'
import { prepareTrial } from './trial-setup.js'
import type { TrialPruning } from './trial-progress.js'
import type { AskedTrial, OutstandingTrial } from './ask-tell/types.js'
import { outstandingOf } from './ask-tell/operations.js'
import { enqueueTrial } from './ask-tell/store-level.js'
import { checkEnqueued } from './enqueue.js'
import { directionsOf, objectiveCount } from '../objectives/directions.js'
import { withRetries } from '../objectives/retry.js'
import { resultOf, snapshotOf, Waiters } from './handle-state.js'

/** Everything a driver needs; built by `startSession` / `resumeSession`. */
export interface DriverInit {
  store: CheckpointStore
  head: CheckpointHead
  lease: Lease
  optimizer: Optimizer<unknown>
  state: unknown
  rng: Rng
  /** Warm-start seeds then this session's trials, oldest first. */
  history: TrialView[]
  target: EvaluationTarget
  limits: Limits
  leaseTtlMs: number
  owner: string
  space?: SearchSpace
  trainset?: readonly unknown[]
  valset?: readonly unknown[]
  program?: Program<any, any>
  metric?: Metric<any, any>
  signal?: AbortSignal
  /** Saves this session's best trials for later runs. */
  warmStart?: WarmStartWriter
  /** True when the driver resumes a stored session (telemetry only). */
  resumed: boolean
  /** Set when the session's trials are evaluated by workers (`evaluation: 'shared'`); the store was checked to share them. */
  shared?: SharedDrive
  /** The session's pruner (recorded in the head). */
  pruner?: Pruner
}

type Stop = { status: Exclude<SessionStatus, 'running'>; reason: string }

/** A told trial waiting for its commit, with the artifact it may make the best one. */
type StagedTrial = { record: TrialRecord; artifact: Json | undefined }

/**
 * Drives one session: asks the optimizer, evaluates, commits one checkpoint per trial, and
 * yields to the event loop before every trial (see `yieldToEventLoop`), so pause, cancel, abort
 * signals, timeouts and lease renewal are seen between trials on every store.
 * It is also the `SessionHandle` callers hold.
 */
export class SessionDriver implements SessionHandle {
  readonly id: string
  private current: CheckpointHead
  private lease: Lease
  private state: unknown
  private readonly history: TrialView[]
  private pending: PendingTrial[]
  private readonly launched = new Map<number, Promise<Evaluation>>()
  private requested: 'pause' | 'cancel' | null = null
  private halted: string | null = null
  private fatal: Error | null = null
  private loop: Promise<void> | null = null
  private stopError: Error | null = null
  private trialAbort = new AbortController()
  private stream = new EventStream<SessionEvent>()
  private keeper: LeaseKeeper
  private readonly waiters: Waiters
  private readonly stopListeners = new Set<() => void>()
  private inFlight = 0
  /** Trials told to the optimizer and not committed yet (shared evaluation commits consecutive results together). */
  private staged: StagedTrial[] = []
  /** With shared evaluation: the results workers reported, and this process's own worker loop. */
  private board: ResultBoard | null = null
  private localWorker: CoordinatorWorker | null = null
  /** `init.limits`, frozen as the head's constant parts are (see `freezeConstantParts`). */
  private readonly limits: Limits
  private readonly onExternalAbort = (): void => this.request('cancel')
  /** The committed trial log as the pruner sees it (null without a pruner). */
  private readonly prunerLog: PrunerLog | null
  /** Trials that may have run before this driver started (a resume): their stored progress is restored. */
  private readonly restorable: Set<number>
  /** Trials whose progress is stored: it is deleted once their record is committed. */
  private readonly withProgress = new Set<number>()
  /** Deletions of committed trials' progress still under way (awaited when the driver stops). */
  private readonly deletions = new Set<Promise<void>>()
  /** Candidates enqueued (`enqueue`), asked before the optimizer; every commit stores them. */
  private enqueued: Json[]
  /** Commits run one at a time: the loop's, and those of `enqueue` made while it runs. */
  private commits: Promise<unknown> = Promise.resolve()
  /** Set when the loop stopped and the driver is letting the lease go: `enqueue` then commits on its own. */
  private finishing = false

  constructor(private readonly init: DriverInit) {
    this.id = init.head.sessionId
    this.waiters = new Waiters(this.id)
    this.current = freezeConstantParts(init.head)
    this.limits = freezeJson(init.limits)
    this.lease = init.lease
    this.state = init.state
    this.history = init.history
    this.pending = init.head.pending.slice()
    this.enqueued = init.head.enqueued?.slice() ?? []
    this.keeper = this.newKeeper(init.lease)
    this.prunerLog = init.pruner ? new PrunerLog(init.history) : null
    this.restorable = new Set(init.resumed ? [...init.head.pending.map((p) => p.trialIdx), init.head.progress.attempts] : [])
    if (init.signal) {
      if (init.signal.aborted) this.requested = 'cancel'
      else init.signal.addEventListener('abort', this.onExternalAbort, { once: true })
    }
  }

  /** Starts the background loop (the session must already be claimed in the registry). */
  start(): void {
    this.stopError = null
    this.fatal = null
    this.staged = []
    this.trialAbort = new AbortController()
    this.stream = new EventStream()
    this.keeper.start()
    publish(this.init.resumed ? channels.sessionResume : channels.sessionStart, { sessionId: this.id, head: this.current })
    this.loop = this.drive().finally(() => this.finish())
  }

  poll(): SessionSnapshot {
    return snapshotOf(this.current, this.board ? this.board.inFlight : this.inFlight)
  }

  head(): CheckpointHead {
    return this.current
  }

  wait(options: WaitOptions = {}): Promise<SessionResult> {
    try {
      WaitOptionsSchema.check(options)
    } catch (err) {
      return Promise.reject(err)
    }
    if (!this.loop) return this.stopError ? Promise.reject(this.stopError) : Promise.resolve(this.result())
    return this.waiters.wait(options)
  }

  /** Waiters currently registered (tests check that abandoned waits leave none). */
  get waiterCount(): number {
    return this.waiters.size
  }

  async pause(): Promise<void> {
    if (!this.loop) return
    this.request('pause')
    publish(channels.sessionPause, { sessionId: this.id })
    await this.untilStopped()
  }

  async cancel(): Promise<void> {
    publish(channels.sessionCancel, { sessionId: this.id })
    if (this.loop) {
      this.request('cancel')
      await this.untilStopped()
      return
    }
    if (this.current.status !== 'paused') return
    claim(this.init.store, this.id)
    try {
      this.lease = await this.init.store.acquireLease(this.id, this.init.owner, this.init.leaseTtlMs)
      await this.commitStop({ status: 'cancelled', reason: 'cancelled' })
      await this.init.store.releaseLease(this.id, this.lease).catch(() => undefined)
    } finally {
      unclaim(this.init.store, this.id)
    }
  }

  async resume(): Promise<void> {
    if (this.loop || this.current.status !== 'paused') throw new NotPausedError(this.id, this.loop ? 'running' : this.current.status)
    claim(this.init.store, this.id)
    try {
      this.lease = await this.init.store.acquireLease(this.id, this.init.owner, this.init.leaseTtlMs)
    } catch (err) {
      unclaim(this.init.store, this.id)
      throw err
    }
    this.keeper = this.newKeeper(this.lease)
    this.requested = null
    this.start()
  }

  events(): AsyncIterable<SessionEvent> {
    return this.stream.subscribe()
  }

  /** Ask/tell is for sessions without an objective: this one is driven by its objective. */
  ask(): Promise<AskedTrial | null> {
    return Promise.reject(this.notAskTell('ask'))
  }

  tell(): Promise<void> {
    return Promise.reject(this.notAskTell('tell'))
  }

  async outstanding(): Promise<OutstandingTrial[]> {
    return outstandingOf(this.current)
  }

  async enqueue(candidate: Json): Promise<void> {
    if (!this.init.optimizer.sampler)
      throw new InvalidInputError(`needs an ask/tell optimizer; "${this.init.optimizer.id}" only steps`, 'enqueue')
    if (isTerminal(this.current.status)) throw new AlreadyTerminalError(this.id, this.current.status)
    const checked = checkEnqueued(candidate, this.init.space)
    if (!this.loop || this.finishing) {
      await this.untilStopped()
      const { store, optimizer, owner } = this.init
      await enqueueTrial(store, this.id, checked, { optimizer, owner })
      this.current = freezeConstantParts(await store.load(this.id))
      this.enqueued = this.current.enqueued?.slice() ?? []
      return
    }
    this.enqueued.push(checked)
    // The loop's next commit would store it too; this one makes it durable now.
    await this.commitHead({ ...this.current }, [], true)
  }

  private notAskTell(method: string): InvalidInputError {
    return new InvalidInputError(
      `session "${this.id}" is driven by its objective; ${method}() is for sessions started without one (ask/tell)`,
      method,
    )
  }

  // ---------------------------------------------------------------- the loop

  private async drive(): Promise<void> {
    try {
      if (this.current.status === 'paused') await this.commitHead({ ...this.current, status: 'running' }, [])
      if (this.current.status !== 'running') return
      const sampler = this.init.optimizer.sampler
      if (sampler && this.init.shared) await this.driveShared(sampler, this.init.shared)
      else if (sampler) await this.drivePipelined(sampler)
      else await this.driveStepwise()
    } catch (err) {
      this.stopError = this.fatal ?? (err as Error)
      publish(channels.sessionException, { sessionId: this.id, error: this.stopError })
    }
  }

  private async driveStepwise(): Promise<void> {
    const optimizer = this.init.optimizer
    for (;;) {
      // Before every trial, even on a store that never awaits I/O: timers, signals and the lease keeper run here.
      await yieldToEventLoop()
      this.throwIfFatal()
      if (this.current.status !== 'running') return
      const stop = this.stopBeforeTrial()
      if (stop) return this.commitStop(stop)
      const trialIdx = this.current.progress.attempts
      let result
      this.inFlight = 1
      try {
        result = await optimizer.step(this.state, this.stepContext(trialIdx))
      } catch (err) {
        this.inFlight = 0
        this.throwIfFatal()
        return this.failOptimizer(err)
      }
      this.inFlight = 0
      this.throwIfFatal()
      if (result.kind === 'halt') {
        this.state = result.state
        return this.commitStop({ status: 'completed', reason: result.reason || 'halted' })
      }
      this.state = result.state
      const record = proposedToRecord(trialIdx, result.trial)
      this.history.push(toView(record))
      this.prunerLog?.append(record)
      const artifact = result.trial.artifact ?? result.trial.evaluation.artifact
      await this.commitTrial(record, artifact, this.stopAfterTrial(record))
    }
  }

  private async drivePipelined(sampler: Sampler<unknown>): Promise<void> {
    if (!(await this.fill(sampler))) return
    for (;;) {
      this.throwIfFatal()
      if (this.current.status !== 'running') return
      if (!this.requested) await this.launchPending()
      this.throwIfFatal()
      const first = this.pending[0]
      if (!first || !this.launched.has(first.trialIdx)) {
        return this.commitStop(this.stopBeforeTrial() ?? { status: 'completed', reason: this.halted ?? 'max-trials' })
      }
      const evaluation = await (this.launched.get(first.trialIdx) as Promise<Evaluation>)
      this.launched.delete(first.trialIdx)
      this.pending.shift()
      this.inFlight = this.launched.size
      this.throwIfFatal()
      const told = await this.tellAndAsk(sampler, first, evaluation)
      if (!told) return
      const { record } = told
      let { stop } = told
      if (stop?.status === 'paused' || stop?.status === 'cancelled') {
        if (this.launched.size > 0) stop = null // the trials in flight finish first
      }
      if (stop?.status === 'completed' && (this.pending.length > 0 || this.launched.size > 0)) stop = null
      if (stop?.status === 'failed') this.trialAbort.abort(new Error('session failed'))
      await this.commitTrial(record, evaluation.artifact, stop)
    }
  }

  /**
   * The pipelined loop with workers evaluating: pending trials are published by committing the
   * head, and each one's result is waited for in the store (`ResultBoard`) instead of evaluated
   * here; told and committed in index order as `drivePipelined` does, so the candidates are the
   * same. A pause or cancel does not wait for workers: the results already reported are
   * committed, then the status.
   */
  private async driveShared(sampler: Sampler<unknown>, shared: SharedDrive): Promise<void> {
    if (!(await this.fill(sampler))) return
    await this.commitHead({ ...this.current }, []) // publishes the pending trials (and the mode) for workers
    const store = this.init.store as SharedStore
    const board = new ResultBoard({
      store,
      sessionId: this.id,
      pollIntervalMs: shared.pollIntervalMs,
      idleMs: Math.max(shared.pollIntervalMs, this.init.leaseTtlMs / 4),
      env: shared.env,
    })
    this.board = board
    if (shared.evaluateLocally) {
      const { owner, target, limits } = this.init
      const abortSignal = this.trialAbort.signal
      this.localWorker = new CoordinatorWorker({
        store,
        sessionId: this.id,
        owner,
        target,
        concurrency: limits.parallelism,
        shared,
        abortSignal,
        board,
        ...(this.init.pruner ? { pruner: this.init.pruner } : {}),
      })
    }
    const interrupted = (): boolean => this.requested !== null || this.fatal !== null
    const idle = (): Promise<void> => this.commitHead({ ...this.current }, [])
    // A slot written may hold a result: read at once rather than at the next poll.
    const unwatch = watchChanges(store, this.id, 'slots', () => board.wake())
    try {
      for (;;) {
        this.throwIfFatal()
        if (this.current.status !== 'running') return
        const first = this.pending[0]
        if (!first) return await this.commitStop(this.stopBeforeTrial() ?? { status: 'completed', reason: this.halted ?? 'max-trials' })
        const reported = await board.next(this.pending, interrupted, idle)
        this.throwIfFatal()
        if (!reported) return await this.commitStop(this.stopBeforeTrial() ?? { status: 'paused', reason: 'paused' })
        const stop = await this.tellReported(sampler, board, reported)
        if (stop === false) return
        await this.commitStaged(stop)
      }
    } finally {
      unwatch()
    }
  }

  /**
   * Tells the optimizer the result reported for the first pending trial, then those of the
   * pending trials after it whose results are already on the board (in index order, asking after
   * each as `tellAndAsk` does, so the candidates are those of one-by-one commits), staging their
   * records for one commit. Returns the stop that commit carries, or false when the optimizer
   * failed (the staged records are committed with the failure).
   */
  private async tellReported(sampler: Sampler<unknown>, board: ResultBoard, reported: ReportedTrialResult): Promise<Stop | null | false> {
    let result: ReportedTrialResult | undefined = reported
    for (;;) {
      const trial = this.pending[0] as PendingTrial
      const evaluation = await this.reportedEvaluation(trial, result)
      this.pending.shift()
      this.throwIfFatal()
      const told = await this.tellAndAsk(sampler, trial, evaluation)
      if (!told) return false
      this.staged.push({ record: told.record, artifact: evaluation.artifact })
      let { stop } = told
      const next = this.pending[0]
      result = next ? board.take(next.trialIdx) : undefined
      if ((stop?.status === 'paused' || stop?.status === 'cancelled') && result) stop = null // the reported prefix first
      if (stop?.status === 'completed' && this.pending.length > 0) stop = null
      if (stop?.status === 'failed') this.trialAbort.abort(new Error('session failed'))
      if (stop || !result) return stop
    }
  }

  /**
   * Records the evaluated first pending trial, tells the optimizer, and asks for the next
   * candidates unless the session stops — even while pausing, so the ask/tell sequence (and so
   * every candidate) matches an uninterrupted run. `stop` is decided before the ask. Null when
   * the optimizer failed (already committed).
   */
  private async tellAndAsk(
    sampler: Sampler<unknown>,
    trial: PendingTrial,
    evaluation: Evaluation,
  ): Promise<{ record: TrialRecord; stop: Stop | null } | null> {
    const record = toTrialRecord(trial.trialIdx, trial.candidate, evaluation, trial.candidateId)
    const view = toView(record)
    this.history.push(view)
    this.prunerLog?.append(view)
    try {
      if (sampler.tell) this.state = sampler.tell(this.state, view, { history: this.history })
    } catch (err) {
      await this.failOptimizer(err)
      return null
    }
    const stop = this.stopAfterTrial(record)
    if ((!stop || stop.status === 'paused') && !(await this.fill(sampler))) return null
    return { record, stop }
  }

  /**
   * A worker's result for `trial`, when it evaluated the pending candidate. A result for another
   * candidate (left in the slot by an earlier run of the session whose pending trials changed)
   * is never committed: the trial is evaluated here instead.
   */
  private async reportedEvaluation(trial: PendingTrial, reported: ReportedTrialResult): Promise<Evaluation> {
    if (canonicalJson(reported.candidate) === canonicalJson(trial.candidate)) {
      if (reported.evaluation.savedProgress) this.withProgress.add(trial.trialIdx)
      return reported.evaluation
    }
    publish(channels.sessionException, {
      sessionId: this.id,
      error: new Error(`trial ${trial.trialIdx}: the reported result is for another candidate; evaluating the pending one here`),
    })
    return this.evaluate(trial.candidate, trial.trialIdx, undefined, trial.askedAfter)
  }

  /** Stops this process's worker loop after its trial in flight (aborted first when the session stopped on an error). */
  private async stopLocalWorker(): Promise<void> {
    const local = this.localWorker
    if (!local) return
    if (this.stopError) this.trialAbort.abort(this.stopError)
    await local.stop()
    this.localWorker = null
  }

  /** Asks until `parallelism` trials are pending. Returns false when the optimizer failed (already committed). */
  private async fill(sampler: Sampler<unknown>): Promise<boolean> {
    const { parallelism, maxTrials } = this.init.limits
    while (this.halted === null && this.pending.length < parallelism) {
      const trialIdx = this.history.length - this.seededCount() + this.pending.length
      if (maxTrials !== null && trialIdx >= maxTrials) break
      if (this.enqueued.length > 0) {
        this.pending.push(this.enqueuedTrial(trialIdx))
        continue
      }
      let asked
      try {
        const ctx: AskContext = {
          trialIdx,
          rng: this.init.rng,
          history: this.history,
          pending: this.pending.map((p) => ({ trialIdx: p.trialIdx, candidate: p.candidate })),
          direction: this.current.direction,
        }
        if (this.current.directions) ctx.directions = this.current.directions
        if (this.init.space) ctx.space = this.init.space
        asked = await sampler.ask(this.state, ctx)
      } catch (err) {
        await this.failOptimizer(err)
        return false
      }
      this.state = asked.state
      if (asked.kind === 'halt') {
        this.halted = asked.reason || 'halted'
        break
      }
      const p: PendingTrial = { trialIdx, candidate: asked.candidate }
      if (asked.candidateId !== undefined) p.candidateId = asked.candidateId
      if (this.prunerLog) p.askedAfter = this.history.length - this.seededCount()
      this.pending.push(p)
    }
    return true
  }

  /** The oldest enqueued candidate as trial `trialIdx` (the optimizer is not asked for it). */
  private enqueuedTrial(trialIdx: number): PendingTrial {
    const p: PendingTrial = { trialIdx, candidate: this.enqueued.shift() as Json, origin: 'enqueued' }
    if (this.prunerLog) p.askedAfter = this.history.length - this.seededCount()
    return p
  }

  private seededCount(): number {
    return this.current.warmStart?.seededTrials ?? 0
  }

  /**
   * Starts the pending trials not yet in flight, yielding to the event loop before each one, so
   * a pause, cancel or lease loss that arrives meanwhile is seen before the next trial starts.
   */
  private async launchPending(): Promise<void> {
    for (const p of this.pending) {
      if (this.launched.has(p.trialIdx)) continue
      await yieldToEventLoop()
      if (this.requested || this.fatal) return
      this.launch(p)
    }
  }

  private launch(p: PendingTrial): void {
    // A result told (ask/tell) before the session was resumed with an objective is not evaluated again.
    const told = p.told ? Promise.resolve<Evaluation>({ ...p.told }) : null
    this.launched.set(p.trialIdx, told ?? this.evaluate(p.candidate, p.trialIdx, undefined, p.askedAfter))
    this.inFlight = this.launched.size
  }

  /**
   * Evaluates a candidate as trial `trialIdx`. An objective gets its trial's context state: the
   * pruner judging it against the first `askedAfter` committed trials (all of them before it,
   * when not given), and its last checkpoint when the trial may have run before this driver.
   */
  private evaluate(candidate: Json, trialIdx: number, examples?: readonly unknown[], askedAfter?: number): Promise<Evaluation> {
    // A failed run is retried afresh (`retryFailed`): only the first may continue from stored progress.
    return withRetries(this.limits.retryFailed ?? 0, (retries) =>
      this.evaluateOnce(candidate, trialIdx, retries === 0, examples, askedAfter),
    )
  }

  private async evaluateOnce(
    candidate: Json,
    trialIdx: number,
    first: boolean,
    examples?: readonly unknown[],
    askedAfter?: number,
  ): Promise<Evaluation> {
    const { store, target } = this.init
    let progress
    if (target.kind === 'objective') {
      const prepared = await prepareTrial({
        store,
        sessionId: this.id,
        trialIdx,
        candidate,
        restore: first && this.restorable.has(trialIdx),
        ...(this.prunerLog ? { pruning: this.pruning(askedAfter ?? trialIdx) } : {}),
        token: () => progressToken(this.lease.fencingToken),
        onLost: (err) => this.loseLease(err),
      })
      if (!('curve' in prepared)) return prepared
      progress = prepared
    }
    const evaluation = await this.runTrial(candidate, trialIdx, examples, progress)
    if (progress?.hasStoredProgress) this.withProgress.add(trialIdx)
    return evaluation
  }

  /** How the pruner judges a trial asked after `askedAfter` commits. */
  private pruning(askedAfter: number): TrialPruning {
    const log = this.prunerLog as PrunerLog
    return {
      pruner: this.init.pruner as Pruner,
      seed: this.current.seed,
      direction: this.current.direction,
      history: () => log.firstTrials(askedAfter),
    }
  }

  private runTrial(
    candidate: Json,
    trialIdx: number,
    examples: readonly unknown[] | undefined,
    progress?: EvaluateArgs['progress'],
  ): Promise<Evaluation> {
    const args: EvaluateArgs = {
      target: this.init.target,
      candidate,
      trialIdx,
      timeoutMs: this.init.limits.trialTimeoutMs,
      sessionSignal: this.trialAbort.signal,
      concurrency: this.init.limits.parallelism,
      objectives: objectiveCount(this.current),
    }
    if (examples) args.examples = examples
    if (progress) args.progress = progress
    return runEvaluation(args)
  }

  private stepContext(trialIdx: number): StepContext {
    const ctx: StepContext = {
      trialIdx,
      rng: this.init.rng,
      history: this.history,
      direction: this.current.direction,
      evaluate: (candidate, options) => this.evaluate(candidate, trialIdx, options?.examples),
      signal: this.trialAbort.signal,
      parallelism: this.init.limits.parallelism,
    }
    if (this.current.directions) ctx.directions = this.current.directions
    if (this.init.space) ctx.space = this.init.space
    if (this.init.trainset) ctx.trainset = this.init.trainset
    if (this.init.valset) ctx.valset = this.init.valset
    if (this.init.metric) ctx.metric = this.init.metric
    if (this.init.program) ctx.program = this.init.program
    return ctx
  }

  // ------------------------------------------------------------ decisions

  private stopBeforeTrial(): Stop | null {
    const { maxTrials, maxErrors } = this.init.limits
    if (this.requested === 'cancel') return { status: 'cancelled', reason: 'cancelled' }
    if (this.requested === 'pause') return { status: 'paused', reason: 'paused' }
    if (this.current.progress.errors > maxErrors) return { status: 'failed', reason: 'max-errors' }
    if (maxTrials !== null && this.current.progress.attempts >= maxTrials) return { status: 'completed', reason: 'max-trials' }
    if (this.halted !== null) return { status: 'completed', reason: this.halted }
    return null
  }

  private stopAfterTrial(record: TrialRecord): Stop | null {
    const { maxTrials, maxErrors } = this.init.limits
    const errors = this.stagedProgress().errors + (record.status === 'error' ? 1 : 0)
    if (errors > maxErrors) return { status: 'failed', reason: 'max-errors' }
    if (this.requested === 'cancel') return { status: 'cancelled', reason: 'cancelled' }
    if (this.requested === 'pause') return { status: 'paused', reason: 'paused' }
    if (maxTrials !== null && record.trialIdx + 1 >= maxTrials) return { status: 'completed', reason: 'max-trials' }
    if (this.halted !== null) return { status: 'completed', reason: this.halted }
    return null
  }

  private request(kind: 'pause' | 'cancel'): void {
    if (this.requested !== 'cancel') this.requested = kind
    this.board?.wake()
  }

  // -------------------------------------------------------------- commits

  private async commitTrial(record: TrialRecord, artifact: Json | undefined, stop: Stop | null): Promise<void> {
    this.staged.push({ record, artifact })
    await this.commitStaged(stop)
  }

  /** Commits the staged trials (none: a status change) with `stop` in one commit. */
  private async commitStaged(stop: Stop | null): Promise<void> {
    const staged = this.staged
    this.staged = []
    const next: CheckpointHead = { ...this.current, progress: this.stagedProgress(staged) }
    const bestIdx = next.progress.bestTrialIdx
    const best = bestIdx !== this.current.progress.bestTrialIdx ? staged.find((t) => t.record.trialIdx === bestIdx) : undefined
    if (best) next.bestArtifact = best.artifact ?? best.record.candidate
    this.applyStop(next, stop)
    // Per trial: the messages are built only for someone who listens.
    for (const { record } of staged) {
      if (channels.sessionTrial.hasSubscribers) channels.sessionTrial.publish({ sessionId: this.id, trial: record })
      if (this.stream.listened) this.stream.emit({ type: 'trial', trial: record })
    }
    await this.commitHead(
      next,
      staged.map((t) => t.record),
    )
    for (const { record } of staged) this.forgetProgress(record.trialIdx)
  }

  /** The committed progress advanced by `staged` trials. */
  private stagedProgress(staged: readonly StagedTrial[] = this.staged): Progress {
    let progress = this.current.progress
    const directions = directionsOf(this.current)
    for (const { record } of staged) progress = advanceProgress(progress, record, directions)
    return progress
  }

  /**
   * Deletes a committed trial's stored progress, in the background: only trials known to have
   * some — evaluated here, or reported by a worker with `savedProgress` (so a shared trial that
   * saved none costs no request). A failed delete leaves garbage the session's deletion removes.
   */
  private forgetProgress(trialIdx: number): void {
    const store = this.init.store
    if (!this.withProgress.delete(trialIdx)) return
    if (store.capabilities?.trialProgress !== true || typeof store.deleteTrialProgress !== 'function') return
    const deletion = store
      .deleteTrialProgress(this.id, trialIdx)
      .catch((error: unknown) => publish(channels.sessionException, { sessionId: this.id, error }))
      .finally(() => this.deletions.delete(deletion))
    this.deletions.add(deletion)
  }

  private async commitStop(stop: Stop): Promise<void> {
    await this.commitStaged(stop)
  }

  private applyStop(next: CheckpointHead, stop: Stop | null): void {
    next.status = stop ? stop.status : 'running'
    if (stop && stop.status !== 'paused') next.terminalReason = stop.reason
    else delete next.terminalReason
    if (stop) next.pending = stop.status === 'paused' ? this.pending.slice() : []
  }

  private async failOptimizer(err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err)
    this.trialAbort.abort(new OptimizerError(message, { cause: err }))
    publish(channels.sessionException, { sessionId: this.id, error: err })
    await this.commitStop({ status: 'failed', reason: `optimizer-error: ${message}`.slice(0, 500) })
  }

  /** Commits `next` after the commits before it (`fresh`: built from the head as it is then, for `enqueue`). */
  private commitHead(next: CheckpointHead, trials: TrialRecord[], fresh = false): Promise<void> {
    const run = this.commits.then(() => this.commitNow(fresh ? { ...this.current } : next, trials))
    this.commits = run.catch(() => undefined)
    return run
  }

  private async commitNow(next: CheckpointHead, trials: TrialRecord[]): Promise<void> {
    const statusBefore = this.current.status
    next.updatedAt = Math.max(Date.now(), this.current.updatedAt)
    next.limits = this.limits
    next.optimizerState = this.init.optimizer.encodeState(this.state)
    next.rngState = this.init.rng.state()
    if (next.status === 'running') next.pending = this.pending.slice()
    if (this.enqueued.length > 0) next.enqueued = this.enqueued.slice()
    else delete next.enqueued
    next.lease = this.lease
    const result = await commitWithRecovery(this.init.store, this.id, {
      expectedRevision: this.current.revision,
      fencingToken: this.lease.fencingToken,
      head: next,
      trials,
    })
    this.current = { ...next, revision: result.revision }
    if (trials.length > 0) this.init.warmStart?.afterCommit(this.current, this.history)
    if (result.control && next.status === 'running') this.request(result.control)
    if (channels.sessionCheckpoint.hasSubscribers)
      channels.sessionCheckpoint.publish({ sessionId: this.id, revision: result.revision, progress: next.progress })
    if (this.stream.listened) this.stream.emit({ type: 'checkpoint', revision: result.revision, progress: { ...next.progress } })
    if (next.status !== statusBefore) {
      const event: SessionEvent = { type: 'status', status: next.status }
      if (next.terminalReason !== undefined) event.reason = next.terminalReason
      this.stream.emit(event)
    }
  }

  private throwIfFatal(): void {
    if (this.fatal) throw this.fatal
  }

  // ------------------------------------------------------------- stopping

  private newKeeper(lease: Lease): LeaseKeeper {
    return new LeaseKeeper(this.init.store, this.id, lease, this.init.leaseTtlMs, (err) => this.loseLease(err))
  }

  /** The lease is lost (the keeper could not renew it, or a trial's checkpoint was refused): the driver stops without committing. */
  private loseLease(err: Error): void {
    this.fatal ??= err
    this.trialAbort.abort(err)
    this.board?.wake()
  }

  private async finish(): Promise<void> {
    this.finishing = true
    await this.commits
    this.keeper.stop()
    await this.keeper.settle()
    this.lease = this.keeper.lease
    const leaseLost = isCairnError(this.stopError, 'LEASE_LOST')
    if (!leaseLost) await this.init.store.releaseLease(this.id, this.lease).catch(() => undefined)
    await this.stopLocalWorker()
    await Promise.all([...this.deletions])
    this.board = null
    this.trialAbort.abort(new Error('session stopped'))
    this.launched.clear()
    this.inFlight = 0
    if (!this.stopError && this.current.status !== 'running') await this.init.warmStart?.onStop(this.current, this.history)
    unclaim(this.init.store, this.id)
    this.loop = null
    this.finishing = false
    if (isTerminal(this.current.status)) this.init.signal?.removeEventListener('abort', this.onExternalAbort)
    publish(channels.sessionStop, { sessionId: this.id, status: this.current.status, error: this.stopError })
    this.stream.close()
    const result = this.result()
    if (this.stopError) this.waiters.rejectAll(this.stopError)
    else this.waiters.resolveAll(result)
    for (const l of [...this.stopListeners]) l()
  }

  private untilStopped(): Promise<void> {
    if (!this.loop) return Promise.resolve()
    return new Promise((resolve) => {
      const l = (): void => {
        this.stopListeners.delete(l)
        resolve()
      }
      this.stopListeners.add(l)
    })
  }

  private result(): SessionResult {
    return resultOf(this.current, this.history)
  }
}
