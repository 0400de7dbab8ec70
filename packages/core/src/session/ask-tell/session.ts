import type { CheckpointHead, Limits } from '../../checkpoint/types.js'
import { isTerminal } from '../../checkpoint/types.js'
import { NotPausedError } from '../../errors.js'
import type { Json } from '../../json.js'
import type { Optimizer, TrialView } from '../../optimizer/contract.js'
import { resultOf, snapshotOf, Waiters } from '../handle-state.js'
import type { CheckpointStore } from '../../store/contract.js'
import { EventStream } from '../event-stream.js'
import { WaitOptionsSchema } from '../option-schemas.js'
import type { SessionEvent, SessionHandle, SessionResult, SessionSnapshot, WaitOptions } from '../types.js'
import { LoadedCache } from './loaded.js'
import { askOn, type Change, enqueueOn, outstandingOf, tellOn } from './operations.js'
import { withSession } from './store-level.js'
import { type AskedTrial, DEFAULT_MAX_OUTSTANDING, type OutstandingTrial, type TellOptions, type TellResult } from './types.js'

/** What an ask/tell handle needs (built by `startSession` / `resumeSession` without an objective). */
export interface AskTellInit {
  store: CheckpointStore
  head: CheckpointHead
  optimizer: Optimizer<unknown>
  owner: string
  maxOutstanding?: number
}

/**
 * The handle of a session driven by its caller (`ask` / `tell`), not by an objective. It keeps
 * no lease between calls: each `ask`, `tell`, `enqueue` or `cancel` takes the lease, commits
 * once and lets it go (`withSession`), so other processes (`askTrial`, `cairn ask`) can share
 * the session, and a crash loses nothing. Between calls the session rests `paused`. Calls
 * from this handle run one at a time, in call order.
 */
export class AskTellSession implements SessionHandle {
  readonly id: string
  private current: CheckpointHead
  private chain: Promise<unknown> = Promise.resolve()
  private readonly cache = new LoadedCache()
  private readonly stream = new EventStream<SessionEvent>()
  private readonly waiters: Waiters
  /** The optimizer's history as of the last commit through this handle (for the Pareto front of a result). */
  private history: readonly TrialView[] = []

  constructor(private readonly init: AskTellInit) {
    this.id = init.head.sessionId
    this.waiters = new Waiters(this.id)
    this.current = init.head
  }

  /** The next trial to evaluate, or null when there is nothing more to ask (see `askTrial`). */
  ask(): Promise<AskedTrial | null> {
    return this.run((l) => askOn(l, this.init.maxOutstanding ?? DEFAULT_MAX_OUTSTANDING))
  }

  /** Tells an asked trial's result, in any order (see `tellTrial`). */
  tell(trialIdx: number, result: TellResult, options: TellOptions = {}): Promise<void> {
    return this.run((l) => tellOn(l, trialIdx, result, options.durationMs ?? 0))
  }

  /** Enqueues a candidate, asked before the optimizer is (see `enqueueTrial`). */
  async enqueue(candidate: Json): Promise<void> {
    await this.run((l) => enqueueOn(l, candidate))
  }

  /** The trials asked and not yet recorded, as stored now (by any process), in index order. */
  async outstanding(): Promise<OutstandingTrial[]> {
    await this.chain.catch(() => undefined)
    this.current = await this.init.store.load(this.id)
    return outstandingOf(this.current)
  }

  poll(): SessionSnapshot {
    return snapshotOf(this.current, this.current.pending.filter((p) => !p.told).length)
  }

  head(): CheckpointHead {
    return this.current
  }

  /** Resolves when the session ends (completed, failed, cancelled) or `pause()` is called. */
  wait(options: WaitOptions = {}): Promise<SessionResult> {
    try {
      WaitOptionsSchema.check(options)
    } catch (err) {
      return Promise.reject(err)
    }
    if (isTerminal(this.current.status)) return Promise.resolve(this.result())
    return this.waiters.wait(options)
  }

  /** An ask/tell session already rests `paused` between calls: this settles `wait()` and changes nothing stored. */
  async pause(): Promise<void> {
    await this.chain.catch(() => undefined)
    this.settle()
  }

  /** Nothing to continue (no loop runs); rejects with `NotPausedError` when the session ended. */
  async resume(): Promise<void> {
    if (isTerminal(this.current.status)) throw new NotPausedError(this.id, this.current.status)
  }

  /** Cancels the session: outstanding trials are dropped, and later asks and tells are refused. */
  async cancel(): Promise<void> {
    if (isTerminal(this.current.status)) return
    await this.run((l) => {
      if (isTerminal(l.head.status)) return { value: undefined, head: null, trials: [], state: l.state }
      const head: CheckpointHead = { ...l.head, status: 'cancelled', terminalReason: 'cancelled', pending: [], updatedAt: Date.now() }
      delete head.enqueued
      return { value: undefined, head, trials: [], state: l.state }
    })
  }

  /** Stores new limits (`resumeSession` with `maxTrials` …); a `maxTrials` already reached completes the session. */
  async setLimits(limits: Limits): Promise<void> {
    await this.run((l) => {
      const head: CheckpointHead = { ...l.head, limits, status: 'paused', updatedAt: Date.now() }
      if (limits.maxTrials !== null && head.progress.attempts >= limits.maxTrials) {
        head.status = 'completed'
        head.terminalReason = 'max-trials'
        head.pending = []
      }
      return { value: undefined, head, trials: [], state: l.state }
    })
  }

  events(): AsyncIterable<SessionEvent> {
    return this.stream.subscribe()
  }

  private run<T>(operate: Parameters<typeof withSession<T>>[4]): Promise<T> {
    const { store, optimizer, owner } = this.init
    const next = this.chain
      .catch(() => undefined)
      .then(() =>
        withSession(store, this.id, { optimizer, owner }, this.cache, operate, (head, change, loaded) => {
          this.history = loaded.history
          this.committed(head, change)
        }),
      )
    this.chain = next
    return next
  }

  private committed<T>(head: CheckpointHead, change: Change<T>): void {
    const before = this.current.status
    this.current = head
    for (const trial of change.trials) this.stream.emit({ type: 'trial', trial })
    this.stream.emit({ type: 'checkpoint', revision: head.revision, progress: { ...head.progress } })
    if (head.status !== before) {
      const event: SessionEvent = { type: 'status', status: head.status }
      if (head.terminalReason !== undefined) event.reason = head.terminalReason
      this.stream.emit(event)
    }
    if (isTerminal(head.status)) {
      this.settle()
      this.stream.close()
    }
  }

  private settle(): void {
    this.waiters.resolveAll(this.result())
  }

  private result(): SessionResult {
    return resultOf(this.current, this.history)
  }
}
