import {
  LeaseLostError,
  MAX_LEASE_TTL_MS,
  TimeoutError,
  defineOptions,
  listSessions,
  optionKinds as k,
  type OptionsSchema,
} from '@cairn/core'
import type { CheckpointStore, SessionListing, SessionStatus } from '@cairn/core'
import { backoffDelay } from './backoff.js'
import { publishRecoveryEvent } from './channels.js'
import { AttemptTimeoutError, PKG, RecoveryConfigError, classifyFailure, corruptHeadError } from './errors.js'
import { EventHub } from './event-hub.js'
import type { RecoveryEvent, RecoveryEventOf, RecoveryEventType, RecoveryExhaustedEvent } from './events.js'
import { ResumeExecutor, type RecoveryExecutor, type RecoveryOutcome, type RecoveryTask } from './executor.js'
import { checkJobRegistry, type JobRegistry } from './jobs.js'
import { defaultMonitorOwner } from './owner.js'
import { resolvePolicy, type RecoveryPolicy, type ResolvedRecoveryPolicy } from './policy.js'
import { sleep, systemClock, systemTimers, type Clock, type TimerHandle, type Timers } from './time.js'

/** Options of `new RecoveryMonitor(...)`. */
export interface RecoveryMonitorOptions {
  /** The store to watch; every session recovered is resumed in it. */
  store: CheckpointStore
  /** Recovery is off unless `policy.enabled` is true. See `RecoveryPolicy` for the defaults. */
  policy?: RecoveryPolicy
  /** Job name → `{ optimizer, objective }` (or program + trainset + metric): what resumes a session of that job. */
  jobs: JobRegistry
  /** The lease owner name this monitor drives sessions as. Default `recovery:<host>:<pid>:<random>`; give each monitor its own. */
  owner?: string
  /** Lease time-to-live of the drivers this monitor starts, unless a job sets its own; from 100 ms to 24 hours. Default: core's 30,000 ms. */
  leaseTtlMs?: number
  /** Replaces the default executor (`ResumeExecutor`); for embedding and fault injection. */
  executor?: RecoveryExecutor
  /** Default `Date.now()`. */
  clock?: Clock
  /** Default the global `setTimeout` / `clearTimeout`. */
  timers?: Timers
  /** Uniform numbers in [0, 1) for backoff jitter and the order sessions are picked in. Default `Math.random`. */
  random?: () => number
}

/** How `stop()` treats the sessions this monitor is driving. */
export interface StopOptions {
  /**
   * `false` (default): hand them back at once — each driver is fenced off (it commits nothing
   * more; its trial in flight is run again by whoever resumes the session) and its lease is
   * released, so another monitor recovers it on its next poll. `true`: start nothing new and
   * wait until they finish.
   */
  drain?: boolean
}

/** A point-in-time view of a monitor. */
export interface RecoveryMonitorStatus {
  owner: string
  /** True between `start()` and `stop()` while the policy is enabled. */
  running: boolean
  /** True while a poll of the store is in progress. */
  polling: boolean
  /** Epoch ms of the last successful poll, or null. */
  lastPollAt: number | null
  /** Sessions this monitor is taking over or driving now. */
  inFlight: Array<{ sessionId: string; attempt: number; startedAt: number }>
  /** Sessions waiting for a retry after a failed attempt. */
  waiting: Array<{ sessionId: string; failures: number; nextAttemptAt: number }>
  /** Sessions the monitor gave up on; `retry(id)` gives one another chance. */
  quarantined: Array<{ sessionId: string; reason: RecoveryExhaustedEvent['reason']; error: unknown }>
}

interface Attempt {
  attempt: number
  startedAt: number
  controller: AbortController
  /** Set when `stop()` handed the session back: the outcome is then not reported. */
  handedBack: boolean
  /** Settles when the executor does. */
  done: Promise<unknown>
}

interface Track {
  sessionId: string
  listing: SessionListing
  /** Failed attempts so far (skips do not count). */
  failures: number
  nextAttemptAt: number
  /** The last poll saw it orphaned and it was not attempted since. */
  due: boolean
  /** `detected` was emitted for the current orphaned spell. */
  announced: boolean
  inFlight: Attempt | null
  quarantine: {
    reason: RecoveryExhaustedEvent['reason']
    error: unknown
    /** The listing at the first poll after quarantine; a change lifts the quarantine. */
    seen: { status: SessionStatus | 'corrupt'; updatedAt: number } | null
  } | null
}

/** The shortest lease ttl core's session driver accepts. */
const MIN_LEASE_TTL_MS = 100

/** The keys `new RecoveryMonitor(...)` takes, and their checks (unknown keys refused). */
const MonitorOptionsSchema: OptionsSchema<RecoveryMonitorOptions> = defineOptions<RecoveryMonitorOptions>(
  `${PKG} RecoveryMonitor`,
  {
    store: k.withMethods(['list', 'load', 'acquireLease'], 'must be a CheckpointStore (createFsStore, createDynamoDbStore …)'),
    // Checked by resolvePolicy and checkJobRegistry, which name the fields inside.
    policy: k.optional(k.any()),
    jobs: k.any(),
    owner: k.optional(k.string()),
    leaseTtlMs: k.optional(k.durationMs({ min: MIN_LEASE_TTL_MS, max: MAX_LEASE_TTL_MS })),
    executor: k.optional(k.withMethods(['recover'], 'must have a recover(task) method')),
    clock: k.optional(k.withMethods(['now'], 'must be a clock { now() }')),
    timers: k.optional(k.withMethods(['setTimeout', 'clearTimeout'], 'must be timers { setTimeout, clearTimeout }')),
    random: k.optional(k.fn()),
  },
  { error: (message, field) => new RecoveryConfigError(field ?? 'options', message) },
)

const StopOptionsSchema: OptionsSchema<StopOptions> = defineOptions<StopOptions>(
  `${PKG} stop`,
  { drain: k.optional(k.boolean()) },
  { error: (message, field) => new RecoveryConfigError(field ?? 'options', message) },
)

/** How long `stop()` waits for abandoned attempts to hand their leases back. */
const STOP_GRACE_MS = 5_000
const WATCHED: Array<SessionStatus | 'corrupt'> = ['running', 'corrupt']

/**
 * Finds sessions whose worker died and resumes them.
 *
 * Every `pollIntervalMs` it lists the store's `running` and `corrupt` sessions. A `running`
 * session whose lease expired (`leaseExpiresAt` null or past) is `detected` and handed to the
 * executor, which takes the lease (fencing token + 1) and resumes it with core's
 * `resumeSession`, using the definition its `job` names in `jobs`; the monitor drives it to the
 * end (at most `maxConcurrent` at once). Another monitor or worker holding the lease is a
 * `skipped`, not a failure, so several monitors may share a store: the lease makes exactly one
 * of them drive each session. A failed attempt is retried with exponential backoff up to
 * `maxAttempts`, then the session is quarantined (`exhausted`); failures that cannot change —
 * an unknown job, `ResumeMismatchError`, a corrupt head — are quarantined at once. A recovered
 * session stays watched: if its new driver dies too, it is detected again.
 *
 * Nothing happens unless `policy.enabled` is true.
 *
 * @example
 * ```ts
 * import { RecoveryMonitor } from '@cairn/recovery'
 *
 * const monitor = new RecoveryMonitor({
 *   store,
 *   policy: { enabled: true, pollIntervalMs: 5_000 },
 *   jobs: { quadratic: { optimizer: () => tpe(), objective: ({ x }) => (x - 1) ** 2 } },
 * })
 * monitor.on('completed', (e) => console.log(`recovered ${e.sessionId}`))
 * monitor.start()
 * // …
 * await monitor.stop()
 * ```
 */
export class RecoveryMonitor {
  /** The lease owner name of this monitor. */
  readonly owner: string
  /** The policy with its defaults applied. */
  readonly policy: ResolvedRecoveryPolicy
  private readonly store: CheckpointStore
  private readonly executor: RecoveryExecutor
  private readonly clock: Clock
  private readonly timers: Timers
  private readonly random: () => number
  private readonly hub: EventHub
  private readonly tracks = new Map<string, Track>()
  private active = false
  private generation = 0
  private inFlightCount = 0
  private pollTimer: TimerHandle | undefined
  /** The timeout of the poll in progress (cleared by `stop()`, so no timer outlives it). */
  private pollDeadline: TimerHandle | undefined
  private lastPollAt: number | null = null
  /** The generation of the poll in progress (a poll abandoned by `stop()` no longer counts). */
  private pollingGeneration: number | null = null
  private stopping: Promise<void> | null = null

  constructor(options: RecoveryMonitorOptions) {
    MonitorOptionsSchema.check(options)
    const { store } = options
    checkJobRegistry(options.jobs)
    this.policy = resolvePolicy(options.policy)
    this.store = store
    this.owner = options.owner ?? defaultMonitorOwner()
    this.clock = options.clock ?? systemClock
    this.timers = options.timers ?? systemTimers
    this.random = options.random ?? Math.random
    this.executor =
      options.executor ??
      new ResumeExecutor({ store, jobs: options.jobs, ...(options.leaseTtlMs !== undefined ? { leaseTtlMs: options.leaseTtlMs } : {}) })
    this.hub = new EventHub((error) => this.emit({ type: 'poll_error', phase: 'listener', error, ...this.base() }))
  }

  /** True between `start()` and `stop()` (never while the policy is disabled). */
  get running(): boolean {
    return this.active
  }

  /**
   * Starts polling (the first poll is scheduled at once). Returns without doing anything when
   * the policy is disabled or the monitor already runs. Never blocks.
   */
  start(): void {
    if (this.active || !this.policy.enabled) return
    this.active = true
    this.generation++
    this.schedulePoll(0)
  }

  /**
   * Stops polling and starting attempts; see `StopOptions` for the sessions it drives. Open
   * `events()` iterators end. Resolves promptly (a poll in progress is not waited for; handing
   * sessions back waits at most 5 s for their lease releases). `start()` may be called again.
   */
  stop(options: StopOptions = {}): Promise<void> {
    try {
      StopOptionsSchema.check(options)
    } catch (err) {
      return Promise.reject(err)
    }
    if (!this.active) return this.stopping ?? Promise.resolve()
    this.active = false
    this.generation++
    for (const timer of [this.pollTimer, this.pollDeadline]) if (timer !== undefined) this.timers.clearTimeout(timer)
    this.pollTimer = undefined
    this.pollDeadline = undefined
    const attempts = [...this.tracks.values()].flatMap((t) => (t.inFlight ? [{ t, a: t.inFlight }] : []))
    if (!options.drain) {
      for (const { t, a } of attempts) {
        a.handedBack = true
        a.controller.abort(new LeaseLostError(t.sessionId, `${PKG} the recovery monitor stopped and handed the session back`))
      }
    }
    const settled = Promise.allSettled(attempts.map(({ a }) => a.done))
    const grace = new AbortController()
    const stopping = (options.drain ? settled : Promise.race([settled, sleep(this.timers, STOP_GRACE_MS, grace.signal)])).then(() => {
      grace.abort()
      if (this.stopping === stopping) this.stopping = null
      if (!this.active) this.hub.close()
    })
    this.stopping = stopping
    return stopping
  }

  /**
   * Listens to one event type (or `'*'` for all). Returns a function that removes the
   * listener. A listener that throws is reported as a `poll_error` (phase `listener`).
   */
  on<T extends RecoveryEventType | '*'>(
    type: T,
    listener: (event: T extends RecoveryEventType ? RecoveryEventOf<T> : RecoveryEvent) => void,
  ): () => void {
    return this.hub.on(type, listener)
  }

  /** Every event from now until `stop()`, as an async iterable. */
  events(): AsyncIterable<RecoveryEvent> {
    return this.hub.subscribe()
  }

  /** A snapshot of what the monitor is doing. Never blocks. */
  status(): RecoveryMonitorStatus {
    const now = this.clock.now()
    const status: RecoveryMonitorStatus = {
      owner: this.owner,
      running: this.active,
      polling: this.pollingGeneration === this.generation,
      lastPollAt: this.lastPollAt,
      inFlight: [],
      waiting: [],
      quarantined: [],
    }
    for (const t of this.tracks.values()) {
      if (t.inFlight) status.inFlight.push({ sessionId: t.sessionId, attempt: t.inFlight.attempt, startedAt: t.inFlight.startedAt })
      else if (t.quarantine) status.quarantined.push({ sessionId: t.sessionId, reason: t.quarantine.reason, error: t.quarantine.error })
      else if (t.failures > 0 && t.nextAttemptAt > now)
        status.waiting.push({ sessionId: t.sessionId, failures: t.failures, nextAttemptAt: t.nextAttemptAt })
    }
    return status
  }

  /**
   * Forgets what the monitor knows about a session (failures, quarantine), so the next poll
   * that finds it orphaned tries it afresh. Returns false when it is being driven right now.
   */
  retry(sessionId: string): boolean {
    const t = this.tracks.get(sessionId)
    if (t?.inFlight) return false
    this.tracks.delete(sessionId)
    return true
  }

  // ----------------------------------------------------------------- polling

  private schedulePoll(delayMs: number): void {
    const generation = this.generation
    this.pollTimer = this.timers.setTimeout(() => {
      this.pollTimer = undefined
      void this.poll(generation)
    }, delayMs)
  }

  private async poll(generation: number): Promise<void> {
    this.pollingGeneration = generation
    try {
      const listings = await this.withTimeout(listSessions(this.store, { status: WATCHED }), this.policy.pollTimeoutMs)
      if (generation !== this.generation) return
      this.lastPollAt = this.clock.now()
      this.observe(listings)
      this.dispatch()
    } catch (error) {
      if (generation === this.generation) this.emit({ type: 'poll_error', phase: 'list', error, ...this.base() })
    } finally {
      if (this.pollingGeneration === generation) this.pollingGeneration = null
      if (generation === this.generation && this.active) this.schedulePoll(this.policy.pollIntervalMs)
    }
  }

  private withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
    work.catch(() => undefined)
    return new Promise<T>((resolve, reject) => {
      const timer = this.timers.setTimeout(() => {
        if (this.pollDeadline === timer) this.pollDeadline = undefined
        reject(new TimeoutError(`${PKG} listing the store's sessions`, ms))
      }, ms)
      this.pollDeadline = timer
      const done = (): void => {
        this.timers.clearTimeout(timer)
        if (this.pollDeadline === timer) this.pollDeadline = undefined
      }
      work.then(
        (v) => (done(), resolve(v)),
        (e: unknown) => (done(), reject(e)),
      )
    })
  }

  /** Updates what the monitor knows from one poll's listings. */
  private observe(listings: SessionListing[]): void {
    const now = this.clock.now()
    const seen = new Set<string>()
    for (const listing of listings) {
      if (listing.status !== 'running' && listing.status !== 'corrupt') continue
      const id = listing.sessionId
      seen.add(id)
      let t = this.tracks.get(id)
      if (t?.inFlight) continue
      if (t?.quarantine) {
        const q = t.quarantine
        if (q.seen === null) q.seen = { status: listing.status, updatedAt: listing.updatedAt }
        if (q.seen.status === listing.status && q.seen.updatedAt === listing.updatedAt) continue
        // Someone repaired it or made progress since: it gets a fresh start.
        this.tracks.delete(id)
        t = undefined
      }
      if (listing.status === 'corrupt') {
        const track = t ?? this.track(listing)
        track.listing = listing
        this.emit({ type: 'detected', sessionId: id, reason: 'corrupt', listing, ...this.base() })
        this.giveUp(track, 'corrupt', corruptHeadError(id, listing.problem), { status: 'corrupt', updatedAt: listing.updatedAt })
        continue
      }
      const orphaned = listing.leaseExpiresAt === null || listing.leaseExpiresAt <= now
      if (!orphaned) {
        // Someone drives it now; if that driver dies too, it is detected again.
        if (t) {
          t.announced = false
          t.due = false
        }
        continue
      }
      const track = t ?? this.track(listing)
      track.listing = listing
      if (!track.announced) {
        track.announced = true
        this.emit({ type: 'detected', sessionId: id, reason: 'lease-expired', listing, ...this.base() })
      }
      track.due = true
    }
    // Sessions no longer running (finished, paused, deleted) need nothing more.
    for (const [id, t] of this.tracks) if (!seen.has(id) && !t.inFlight) this.tracks.delete(id)
  }

  private track(listing: SessionListing): Track {
    const t: Track = {
      sessionId: listing.sessionId,
      listing,
      failures: 0,
      nextAttemptAt: 0,
      due: false,
      announced: false,
      inFlight: null,
      quarantine: null,
    }
    this.tracks.set(listing.sessionId, t)
    return t
  }

  /** Starts attempts on due sessions while slots are free, in random order (so monitors sharing a store rarely collide). */
  private dispatch(): void {
    if (!this.active) return
    const now = this.clock.now()
    const ready = [...this.tracks.values()].filter((t) => t.due && !t.inFlight && !t.quarantine && t.nextAttemptAt <= now)
    for (let i = ready.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1))
      ;[ready[i], ready[j]] = [ready[j] as Track, ready[i] as Track]
    }
    for (const t of ready) {
      if (this.inFlightCount >= this.policy.maxConcurrent) break
      this.launch(t)
    }
  }

  // ----------------------------------------------------------------- attempts

  private launch(t: Track): void {
    t.due = false
    const attempt = t.failures + 1
    const controller = new AbortController()
    const startedAt = this.clock.now()
    const timeoutMs = this.policy.attemptTimeoutMs
    let timer: TimerHandle | undefined
    const disarm = (): void => {
      if (timer !== undefined) this.timers.clearTimeout(timer)
      timer = undefined
    }
    const arm = (): void => {
      disarm()
      if (Number.isFinite(timeoutMs) && !controller.signal.aborted)
        timer = this.timers.setTimeout(() => controller.abort(new AttemptTimeoutError(t.sessionId, attempt, timeoutMs)), timeoutMs)
    }
    const task: RecoveryTask = {
      sessionId: t.sessionId,
      listing: t.listing,
      attempt,
      owner: this.owner,
      signal: controller.signal,
      started: (info) => {
        if (controller.signal.aborted) return
        arm()
        this.emit({
          type: 'started',
          sessionId: t.sessionId,
          attempt,
          ...(info?.job !== undefined ? { job: info.job } : {}),
          ...this.base(),
        })
      },
      progress: () => {
        if (!controller.signal.aborted) arm()
      },
    }
    let run: Promise<RecoveryOutcome>
    try {
      run = Promise.resolve(this.executor.recover(task))
    } catch (err) {
      run = Promise.reject(err)
    }
    const record: Attempt = { attempt, startedAt, controller, handedBack: false, done: run.catch(() => undefined) }
    t.inFlight = record
    this.inFlightCount++
    arm()
    const abandoned = new Promise<never>((_, reject) => {
      if (controller.signal.aborted) reject(controller.signal.reason)
      else controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true })
    })
    abandoned.catch(() => undefined)
    void Promise.race([run, abandoned])
      .then(
        (outcome) => ({ ok: true as const, outcome }),
        (error: unknown) => ({ ok: false as const, error }),
      )
      .then((settled) => {
        disarm()
        t.inFlight = null
        this.inFlightCount--
        if (record.handedBack) {
          this.tracks.delete(t.sessionId)
          return
        }
        try {
          if (settled.ok) this.settleOutcome(t, attempt, startedAt, settled.outcome)
          else this.settleFailure(t, attempt, settled.error)
        } finally {
          this.dispatch()
        }
      })
  }

  private settleOutcome(t: Track, attempt: number, startedAt: number, outcome: RecoveryOutcome): void {
    if (outcome?.kind === 'recovered') {
      this.tracks.delete(t.sessionId)
      const event = {
        type: 'completed' as const,
        sessionId: t.sessionId,
        attempt,
        result: outcome.result,
        durationMs: this.clock.now() - startedAt,
        ...this.base(),
      }
      this.emit(event)
      this.hook(this.policy.onRecovery, event)
      return
    }
    if (outcome?.kind === 'skipped') {
      t.announced = false
      this.emit({ type: 'skipped', sessionId: t.sessionId, attempt, reason: outcome.reason, ...this.base() })
      return
    }
    this.settleFailure(t, attempt, new TypeError(`${PKG} the executor resolved with ${JSON.stringify(outcome)}, not a RecoveryOutcome`))
  }

  private settleFailure(t: Track, attempt: number, error: unknown): void {
    const cls = classifyFailure(error)
    if (cls.kind === 'skip') {
      t.announced = false
      this.emit({ type: 'skipped', sessionId: t.sessionId, attempt, reason: cls.reason, error, ...this.base() })
      return
    }
    t.failures = attempt
    const retryable = cls.kind === 'retryable'
    const willRetry = retryable && attempt < this.policy.maxAttempts
    const nextAttemptAt = willRetry ? this.clock.now() + backoffDelay(attempt, this.policy, this.random) : null
    if (nextAttemptAt !== null) t.nextAttemptAt = nextAttemptAt
    this.emit({ type: 'failed', sessionId: t.sessionId, attempt, error, retryable, willRetry, nextAttemptAt, ...this.base() })
    if (!willRetry) this.giveUp(t, cls.kind === 'permanent' ? (cls.corrupt ? 'corrupt' : 'permanent') : 'max-attempts', error, null)
  }

  private giveUp(t: Track, reason: RecoveryExhaustedEvent['reason'], error: unknown, seen: NonNullable<Track['quarantine']>['seen']): void {
    t.quarantine = { reason, error, seen }
    t.due = false
    const event: RecoveryExhaustedEvent = { type: 'exhausted', sessionId: t.sessionId, attempts: t.failures, reason, error, ...this.base() }
    this.emit(event)
    this.hook(this.policy.onFailure, event)
  }

  // ----------------------------------------------------------------- events

  private base(): { monitor: string; at: number } {
    return { monitor: this.owner, at: this.clock.now() }
  }

  private emit(event: RecoveryEvent): void {
    publishRecoveryEvent(event)
    this.hub.emit(event)
  }

  private hook<E>(fn: ((event: E) => void | Promise<void>) | undefined, event: E): void {
    if (!fn) return
    const report = (error: unknown): void => this.emit({ type: 'poll_error', phase: 'hook', error, ...this.base() })
    try {
      const r = fn(event)
      if (r && typeof (r as Promise<void>).then === 'function') (r as Promise<void>).then(undefined, report)
    } catch (error) {
      report(error)
    }
  }
}
