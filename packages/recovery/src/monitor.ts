import {
  LeaseLostError,
  MAX_LEASE_TTL_MS,
  TimeoutError,
  defineOptions,
  isCairnError,
  listSessions,
  optionKinds as k,
  type OptionsSchema,
} from '@cairn/core'
import { assertSessionId } from '@cairn/core/store-kit'
import type { CheckpointStore, Lease, SessionListing, SessionStatus } from '@cairn/core'
import { claimAttempt, refundAttempt, type Claim } from './attempt-ledger.js'
import { backoffDelay } from './backoff.js'
import { publishRecoveryEvent } from './channels.js'
import { AttemptTimeoutError, PKG, RecoveryConfigError, classifyFailure, corruptHeadError } from './errors.js'
import { EventHub } from './event-hub.js'
import type { RecoveryEvent, RecoveryEventOf, RecoveryEventType, RecoveryExhaustedEvent } from './events.js'
import { ResumeExecutor, type RecoveryExecutor, type RecoveryOutcome, type RecoveryTask } from './executor.js'
import { checkJobRegistry, type JobRegistry } from './jobs.js'
import { defaultMonitorOwner } from './owner.js'
import { resolvePolicy, type RecoveryPolicy, type ResolvedRecoveryPolicy } from './policy.js'
import { canSalvage, rebuildDamagedHead, type RebuildOutcome } from './rebuild.js'
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
  /**
   * Watch only these sessions (as `monitorSession` does for each). Default: every session of
   * the store.
   */
  sessions?: readonly string[]
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
  /** `all` (every session of the store, but those `stopMonitoring` excluded), or the sessions `monitorSession` named. */
  scope: 'all' | string[]
}

interface Attempt {
  /** A recovery attempt, or the rebuild of a damaged head. */
  kind: 'attempt' | 'rebuild'
  /** The attempt number; known once the attempt is claimed (until then, this monitor's guess). */
  attempt: number
  /** True once the store counted the attempt. */
  claimed: boolean
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
  /** The number of the last failed attempt (as counted in the store; skips do not count). */
  failures: number
  /** Failures the store has not counted (the attempt failed before it was claimed); folded into the next claim. */
  uncounted: number
  /** The last error this monitor saw for it. */
  lastError?: unknown
  /** Its head is damaged: the next attempt rebuilds it. */
  rebuild: boolean
  /** A rebuild was tried in this spell (one per spell: a head damaged again after it is quarantined). */
  rebuildTried: boolean
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
    // Each id is checked by monitorSession.
    sessions: k.optional(k.array('must be an array of session ids')),
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
/** core's default lease time-to-live, for the leases claims take when no `leaseTtlMs` is given. */
const DEFAULT_LEASE_TTL_MS = 30_000

/** How the work of one in-flight slot ended, when it did not throw. */
type Settled =
  | { kind: 'claim'; claim: Exclude<Claim, { kind: 'claimed' }> }
  | { kind: 'outcome'; outcome: RecoveryOutcome }
  | { kind: 'rebuild'; outcome: RebuildOutcome }

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
 * Attempts are counted in the store, on the session's head (`head.recovery`): before it runs,
 * an attempt is claimed by taking the lease and committing the count + 1, so monitors sharing
 * a store share the count, and together make at most `maxAttempts` attempts in a row (a
 * session that commits a trial starts a fresh count). A damaged head whose trial log the store
 * can vouch for is rebuilt from it (`rebuilt`), its bytes kept aside, unless
 * `policy.rebuildCorruptHeads` is false.
 *
 * By default every session of the store is watched; `monitorSession(id)` narrows the watch
 * to the sessions it names, `stopMonitoring(id)` takes one out.
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
  private readonly jobs: JobRegistry
  private readonly leaseTtlMs: number
  private readonly clock: Clock
  private readonly timers: Timers
  private readonly random: () => number
  private readonly hub: EventHub
  private readonly tracks = new Map<string, Track>()
  /** Sessions `retry(id)` gave a fresh start: their next claim ignores the count in the store. */
  private readonly fresh = new Set<string>()
  /** The sessions watched, when `monitorSession` narrowed the watch (null: all). */
  private scope: Set<string> | null = null
  /** Sessions `stopMonitoring` took out while all are watched. */
  private readonly excluded = new Set<string>()
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
    this.jobs = options.jobs
    this.leaseTtlMs = options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS
    for (const id of options.sessions ?? []) this.monitorSession(id)
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
      scope: this.scope ? [...this.scope].sort() : 'all',
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
   * that finds it orphaned tries it afresh; its next claim also starts the count in the store
   * afresh. Returns false when it is being driven right now.
   */
  retry(sessionId: string): boolean {
    const t = this.tracks.get(sessionId)
    if (t?.inFlight) return false
    this.tracks.delete(sessionId)
    this.fresh.add(sessionId)
    return true
  }

  /**
   * Watches `sessionId`. The first call narrows the monitor to the sessions named this way
   * (until then it watches every session of the store); later calls add to them. Takes effect
   * at the next poll. Throws `InvalidInputError` for a malformed id.
   */
  monitorSession(sessionId: string): void {
    assertSessionId(sessionId)
    this.scope ??= new Set()
    this.scope.add(sessionId)
    this.excluded.delete(sessionId)
  }

  /**
   * Stops watching `sessionId`: it is neither detected nor attempted from the next poll on, and
   * forgotten (a quarantine included). An attempt driving it now goes on to its end. While
   * the monitor watches every session, this excludes one; when it watches named sessions, this
   * removes one (with none left, it watches none, until `monitorSession` or `monitorAllSessions`).
   */
  stopMonitoring(sessionId: string): void {
    assertSessionId(sessionId)
    if (this.scope) this.scope.delete(sessionId)
    else this.excluded.add(sessionId)
    const t = this.tracks.get(sessionId)
    if (t && !t.inFlight) this.tracks.delete(sessionId)
  }

  /** Watches every session of the store again (undoes `monitorSession` and `stopMonitoring`). */
  monitorAllSessions(): void {
    this.scope = null
    this.excluded.clear()
  }

  /** Whether the monitor watches `sessionId`. */
  isMonitoring(sessionId: string): boolean {
    return this.scope ? this.scope.has(sessionId) : !this.excluded.has(sessionId)
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
      if (!this.isMonitoring(id)) continue
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
        if (!track.announced) {
          track.announced = true
          this.emit({ type: 'detected', sessionId: id, reason: 'corrupt', listing, ...this.base() })
        }
        if (this.canRebuild && !track.rebuildTried) {
          track.rebuild = true
          // A driver still holding the lease fails at its next commit; the rebuild waits for the lease to lapse.
          track.due = listing.leaseExpiresAt === null || listing.leaseExpiresAt <= now
        } else if (!track.rebuild)
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
      uncounted: 0,
      rebuild: false,
      rebuildTried: false,
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
    const kind = t.rebuild ? 'rebuild' : 'attempt'
    t.rebuild = false
    const controller = new AbortController()
    const startedAt = this.clock.now()
    const record: Attempt = {
      kind,
      attempt: kind === 'rebuild' ? 0 : t.failures + 1,
      claimed: false,
      startedAt,
      controller,
      handedBack: false,
      done: Promise.resolve(),
    }
    const timeoutMs = this.policy.attemptTimeoutMs
    let timer: TimerHandle | undefined
    const disarm = (): void => {
      if (timer !== undefined) this.timers.clearTimeout(timer)
      timer = undefined
    }
    const arm = (): void => {
      disarm()
      if (Number.isFinite(timeoutMs) && !controller.signal.aborted)
        timer = this.timers.setTimeout(() => controller.abort(new AttemptTimeoutError(t.sessionId, record.attempt, timeoutMs)), timeoutMs)
    }
    // Leases taken to claim or rebuild: handed back when the slot settles (a no-op once a driver took the lease over).
    const leases: Lease[] = []
    const run = kind === 'rebuild' ? this.runRebuild(t, leases) : this.runAttempt(t, record, arm, leases)
    record.done = run.catch(() => undefined)
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
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      )
      .then((settled) => {
        disarm()
        t.inFlight = null
        this.inFlightCount--
        for (const lease of leases) void this.store.releaseLease(t.sessionId, lease).catch(() => undefined)
        if (record.handedBack) {
          this.tracks.delete(t.sessionId)
          return
        }
        try {
          if (!settled.ok) this.settleFailure(t, record, settled.error)
          else if (settled.value.kind === 'outcome') this.settleOutcome(t, record, startedAt, settled.value.outcome)
          else if (settled.value.kind === 'claim') this.settleClaim(t, record, settled.value.claim)
          else this.settleRebuild(t, settled.value.outcome)
        } finally {
          this.dispatch()
        }
      })
  }

  /** Claims an attempt in the store, then hands the session to the executor. */
  private async runAttempt(t: Track, record: Attempt, arm: () => void, leases: Lease[]): Promise<Settled> {
    const { controller } = record
    const fresh = this.fresh.delete(t.sessionId)
    const claim = await claimAttempt(this.store, t.sessionId, {
      owner: this.owner,
      ttlMs: this.leaseTtlMs,
      maxAttempts: this.policy.maxAttempts,
      now: this.clock.now(),
      uncounted: t.uncounted,
      fresh,
      // Another monitor's retry waits at least the shortest backoff (jitter at its largest).
      delayAfter: (n) => backoffDelay(n, this.policy, () => 1),
      onLease: (lease) => leases.push(lease),
    }).catch((err: unknown) => {
      if (fresh) this.fresh.add(t.sessionId)
      throw err
    })
    if (claim.kind !== 'claimed') {
      if (fresh) this.fresh.add(t.sessionId)
      return { kind: 'claim', claim }
    }
    record.attempt = claim.attempt
    record.claimed = true
    t.uncounted = 0
    if (controller.signal.aborted) throw controller.signal.reason
    let started = false
    const task: RecoveryTask = {
      sessionId: t.sessionId,
      listing: t.listing,
      attempt: claim.attempt,
      owner: this.owner,
      signal: controller.signal,
      started: (info) => {
        if (controller.signal.aborted) return
        started = true
        arm()
        this.emit({
          type: 'started',
          sessionId: t.sessionId,
          attempt: claim.attempt,
          ...(info?.job !== undefined ? { job: info.job } : {}),
          ...this.base(),
        })
      },
      progress: () => {
        if (!controller.signal.aborted) arm()
      },
    }
    // A skip before any driver started gives the attempt back: skips do not use up attempts.
    const refund = async (): Promise<void> => {
      if (!started && !controller.signal.aborted) await refundAttempt(this.store, t.sessionId, claim).catch(() => false)
    }
    let outcome: RecoveryOutcome
    try {
      outcome = await this.executor.recover(task)
    } catch (err) {
      if (classifyFailure(err).kind === 'skip') await refund()
      throw err
    }
    if (outcome?.kind === 'skipped') await refund()
    return { kind: 'outcome', outcome }
  }

  /** Rebuilds a damaged head from the trial log (see `rebuildDamagedHead`). */
  private async runRebuild(t: Track, leases: Lease[]): Promise<Settled> {
    t.rebuildTried = true
    const outcome = await rebuildDamagedHead(this.store, this.jobs, t.sessionId, {
      owner: this.owner,
      ttlMs: this.leaseTtlMs,
      now: this.clock.now(),
      onLease: (lease) => leases.push(lease),
    })
    return { kind: 'rebuild', outcome }
  }

  private settleClaim(t: Track, record: Attempt, claim: Exclude<Claim, { kind: 'claimed' }>): void {
    if (claim.kind === 'skipped') {
      t.announced = false
      this.emit({ type: 'skipped', sessionId: t.sessionId, attempt: record.attempt, reason: claim.reason, ...this.base() })
      return
    }
    t.failures = claim.attempts
    if (claim.kind === 'wait') {
      t.nextAttemptAt = claim.until
      t.due = true
      return
    }
    this.giveUp(t, 'max-attempts', t.lastError, null)
  }

  private settleRebuild(t: Track, outcome: RebuildOutcome): void {
    if (outcome.kind === 'skipped') {
      t.rebuild = true
      t.rebuildTried = false
      this.emit({ type: 'skipped', sessionId: t.sessionId, attempt: 0, reason: outcome.reason, ...this.base() })
      return
    }
    if (outcome.kind === 'intact') {
      // The head decodes: what is damaged is something else (a trial record, a listing), which a
      // rebuild of the head cannot mend. Quarantined until its listing changes.
      const error = isCairnError(t.lastError, 'CHECKPOINT_CORRUPT')
        ? t.lastError
        : corruptHeadError(t.sessionId, `${t.listing.problem ?? 'listed as corrupt'}, yet its head decodes: nothing to rebuild`)
      this.giveUp(t, 'corrupt', error, null)
      return
    }
    // Rebuilt: the session starts afresh; a running one is recovered from the next poll on.
    this.tracks.delete(t.sessionId)
    const { kind: _k, ...event } = outcome
    this.emit({ type: 'rebuilt', ...event, ...this.base() })
  }

  private settleOutcome(t: Track, record: Attempt, startedAt: number, outcome: RecoveryOutcome): void {
    const { attempt } = record
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
    this.settleFailure(t, record, new TypeError(`${PKG} the executor resolved with ${JSON.stringify(outcome)}, not a RecoveryOutcome`))
  }

  private settleFailure(t: Track, record: Attempt, error: unknown): void {
    const { attempt } = record
    const cls = classifyFailure(error)
    if (cls.kind === 'skip') {
      if (record.kind === 'rebuild') {
        t.rebuild = true
        t.rebuildTried = false
      } else t.announced = false
      this.emit({ type: 'skipped', sessionId: t.sessionId, attempt, reason: cls.reason, error, ...this.base() })
      return
    }
    t.lastError = error
    // A rebuild refused for good (the store cannot vouch for the trials, the job cannot tell what
    // was lost): the head stays as it is, quarantined, saying why.
    if (record.kind === 'rebuild' && cls.kind !== 'retryable') {
      this.giveUp(t, 'corrupt', error, null)
      return
    }
    if (record.kind === 'attempt') {
      t.failures = attempt
      if (!record.claimed) t.uncounted++
    } else t.uncounted++
    const count = record.kind === 'attempt' ? attempt : t.uncounted
    // A damaged head found by an attempt: rebuilt next, when the store can vouch for its trials.
    const rebuildNext = cls.kind === 'permanent' && cls.corrupt && record.kind === 'attempt' && this.canRebuild && !t.rebuildTried
    const retryable = cls.kind === 'retryable'
    const willRetry = rebuildNext || (retryable && count < this.policy.maxAttempts)
    const nextAttemptAt = rebuildNext
      ? this.clock.now()
      : willRetry
        ? this.clock.now() + backoffDelay(count, this.policy, this.random)
        : null
    if (nextAttemptAt !== null) t.nextAttemptAt = nextAttemptAt
    if (rebuildNext || (willRetry && record.kind === 'rebuild')) {
      t.rebuild = true
      t.due = true
    }
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

  /** Whether damaged heads are rebuilt: the policy allows it and the store can salvage. */
  private get canRebuild(): boolean {
    return this.policy.rebuildCorruptHeads && canSalvage(this.store)
  }

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
