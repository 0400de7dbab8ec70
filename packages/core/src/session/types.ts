import type { CheckpointHead, Direction, Progress, SessionStatus, TrialRecord } from '../checkpoint/types.js'
import type { Json } from '../json.js'
import type { Metric, Optimizer, Program } from '../optimizer/contract.js'
import type { IntermediateValue, Pruner } from '../pruner/contract.js'
import type { SearchSpace } from '../space/space.js'
import type { CheckpointStore } from '../store/contract.js'
import type { WarmStartStore } from '../store/warm-start-contract.js'
import type { PrunedTrial } from './pruned-trial.js'

export type { PrunedTrial }

/** What an objective receives besides the candidate. */
export interface ObjectiveContext {
  trialIdx: number
  /**
   * Aborted on trial timeout (and when the session stops hard); long asynchronous objectives
   * should honour it. A synchronous objective cannot be interrupted: it is judged by its
   * duration once it returns (see `trialTimeoutMs`).
   */
  signal: AbortSignal
  /**
   * Records an intermediate value of the trial (its learning curve): `step` a non-negative
   * integer larger than the last one reported, `value` finite, in the session's direction.
   * Synchronous and kept in memory until the next `checkpoint` or the trial's end; the trial's
   * record keeps the curve (`TrialRecord.intermediate`). Bad input throws `InvalidInputError`
   * and is remembered: the trial is recorded as an `error` even when the objective catches it.
   */
  report(step: number, value: number): void
  /**
   * True when the session's pruner says the trial should stop now. False without a pruner or
   * before any report. The pruner sees the trial's curve and the trials committed before this
   * one was asked, so the decision is the same after a crash and resume, whatever the timing of
   * parallel trials.
   */
  shouldPrune(): boolean
  /**
   * Ends the trial as `pruned`: return what it returns (`return ctx.prune()`). The trial's score
   * is its last intermediate value. Called twice, or before any report, it throws
   * `InvalidInputError` and the trial is recorded as an `error`.
   */
  prune(): PrunedTrial
  /**
   * Saves the trial's curve so far and `state` (JSON, or a `Uint8Array`) durably, under the
   * session lease (or, for a shared worker, the trial claim). When the session is resumed after a
   * crash (or a worker's claim lapses and another worker takes the trial), the trial is re-run
   * with this state as `restored` and this curve as `intermediate`. Rejects with
   * `InvalidInputError` (the trial is then an `error`) for a state that is not JSON or bytes, one
   * larger than `MAX_TRIAL_PROGRESS_BYTES` with its curve, or a store without
   * `capabilities.trialProgress`; with `LeaseLostError` when this process lost the lease or claim
   * (the trial is then not committed by it).
   */
  checkpoint(state: Json | Uint8Array): Promise<void>
  /** The state of the trial's last `checkpoint` when it is re-run after an interruption; else undefined. */
  readonly restored: Json | Uint8Array | undefined
  /** The intermediate values so far: restored with the last checkpoint, then those reported. */
  readonly intermediate: readonly IntermediateValue[]
  /**
   * Sets a user attribute of the trial, kept in its record (`TrialRecord.attrs`) and shown by
   * `cairn show`: `key` a non-empty string, `value` JSON (copied). Set again, a key takes the
   * new value; `attrs` returned by the objective are merged over these (the returned ones win).
   * Bad input throws `InvalidInputError`.
   */
  setAttr(key: string, value: Json): void
}

/**
 * An objective returns a score (several objectives: one value per direction), or an object with
 * the score and optionally constraint values (each ≤ 0 means satisfied; feasible trials rank
 * first), user attributes, stats and an artifact.
 */
export type ObjectiveResult =
  | number
  | number[]
  | {
      score: number | number[]
      /** Each ≤ 0 means satisfied; the trial is feasible when all are. */
      constraints?: number[]
      /** User attributes kept in the trial record (merged over those set with `ctx.setAttr`). */
      attrs?: Record<string, Json>
      stats?: Json
      artifact?: Json
    }

/** The function being optimized. Lower is better unless `direction` is `maximize`. */
export type Objective<C = any> = (
  candidate: C,
  ctx: ObjectiveContext,
) => ObjectiveResult | PrunedTrial | Promise<ObjectiveResult | PrunedTrial>

/** Warm-start wiring (see `@cairn/warm-start`). */
export interface WarmStartOptions {
  /** Where earlier runs left their best trials, and where this run leaves its own. */
  store: WarmStartStore
  /** At most this many earlier trials (the best ones) seed the optimizer (default 100, at most 1,000). */
  maxSeedTrials?: number
  /** When the exact key holds a finished run (`final`), return it without running again. */
  reuseFinal?: boolean
  /** Version of the caller's code; a `final` from another version is treated as a checkpoint. */
  producerVersion?: string
}

/** Options shared by `startSession` and `resumeSession`. */
export interface DriveOptions<Example = unknown> {
  optimizer: Optimizer<any>
  /**
   * What a trial evaluates (or give program + trainset + metric). Required, except for a
   * coordinator that evaluates nothing itself (`evaluation: 'shared'`, `evaluateLocally: false`):
   * its workers bring the objective.
   */
  objective?: Objective
  program?: Program<Example, any>
  trainset?: readonly Example[]
  /**
   * Program sessions: held-out examples candidates are scored on (DSPy's `valset`). Without
   * one, optimizers that draw demonstrations from the trainset (`fewShotSearch`) score each
   * candidate on the training examples it does not use as demonstrations. `evaluate` runs on
   * the valset unless given other examples. Its hash is recorded (`valsetHash`) and verified on
   * resume: resume with the same valset, or none when the session was started without one.
   */
  valset?: readonly Example[]
  metric?: Metric<Example, any>
  /** Trials (ok + error + pruned) after which the session completes. Default: until the optimizer halts. */
  maxTrials?: number
  /** Errors tolerated; one more fails the session. Default 5. */
  maxErrors?: number
  /**
   * Per-trial timeout. When it passes, the objective's `signal` aborts and the trial is recorded
   * as an error with `errorClass: 'timeout'`. A synchronous (CPU-bound) objective blocks the
   * thread, so nothing can stop it early: when it returns after the limit, its result is
   * discarded and the trial is recorded as a `timeout` error all the same. At most 2^31 − 1 ms
   * (`MAX_TIMER_MS`, setTimeout's limit); more is refused.
   */
  trialTimeoutMs?: number
  /** Trials in flight at once (ask/tell optimizers); told in index order. Default 1. */
  parallelism?: number
  /**
   * A failed trial (the objective threw, or it timed out) runs again with the same candidate
   * and trial index up to this many times before it is recorded as an error; the record's
   * `retries` says how many failed runs preceded it. Invalid scores and misuse of the context
   * are not retried. Default 0; kept with the session (a resume keeps it unless given).
   */
  retryFailed?: number
  /**
   * Lease time-to-live; the driver renews every ttl / 4. Default 30,000; from 100 ms to 24 hours
   * (`MAX_LEASE_TTL_MS`): a crashed driver's session can be taken over once it expires.
   */
  leaseTtlMs?: number
  /**
   * Aborting it soft-cancels the session. The driver yields to the event loop before every
   * trial, so this (like timers, `pause()`, `cancel()` and lease renewal) works even with a
   * synchronous objective on the memory store.
   */
  signal?: AbortSignal
  /** Lease owner name (default: host:pid:random). */
  owner?: string
  /**
   * `shared`: the driver (the coordinator) publishes its pending trials in the store, and workers
   * attached with `joinSession` (in this process, other processes, or other machines, as the
   * store's capabilities allow) claim and evaluate them; the coordinator still asks and tells
   * the optimizer in trial-index order and commits every trial, so the candidates equal a
   * `local` run with the same `parallelism` and seed. Needs a store with
   * `capabilities.sharedEvaluation` and an ask/tell optimizer (else `InvalidInputError`, field
   * `evaluation`). A pause or cancel commits the results workers already reported, then the
   * status, without waiting for them. Default `local`; a resume keeps the stored mode unless given.
   */
  evaluation?: 'local' | 'shared'
  /** With `evaluation: 'shared'`: the coordinator evaluates trials too (default true). */
  evaluateLocally?: boolean
  /** With `evaluation: 'shared'`: the trial lease of the coordinator's own claims (see `JoinOptions.trialLeaseTtlMs`). */
  trialLeaseTtlMs?: number
  /**
   * With `evaluation: 'shared'`: how often the coordinator reads workers' results (default 50 ms).
   * With no result for `leaseTtlMs / 4`, it also commits its head unchanged, which is how it sees
   * a pause or cancel requested by another process.
   */
  pollIntervalMs?: number
  /**
   * Stops unpromising trials early (`ctx.shouldPrune()`), e.g. `medianPruner()` or `asha()`
   * from `@cairn/optimizers`. Recorded with the session (`head.pruner`) and verified on resume:
   * resume with the same pruner (or none when started without), else `ResumeMismatchError`
   * reason `pruner`.
   */
  pruner?: Pruner
}

/** Options of `joinSession`. */
export interface JoinOptions {
  /** Evaluates the session's trials (the same objective the session was started with). */
  objective: Objective
  /**
   * The session's pruner, when it was started with one (the same id, state version and options,
   * else `ResumeMismatchError` reason `pruner`); a worker of a session with a pruner needs it.
   */
  pruner?: Pruner
  /** Worker name recorded on its claims (default: host:pid:random). */
  owner?: string
  /**
   * A claim lapses this long after its last renewal (renewed every ttl / 4 while the trial
   * runs), and another worker may then claim the trial again. Default 30,000; from 100 ms.
   */
  trialLeaseTtlMs?: number
  /** How often an idle worker reads the session for work (default 100 ms). */
  pollIntervalMs?: number
  /** Per-trial timeout, as `DriveOptions.trialTimeoutMs` (default: the session's stored limit). */
  trialTimeoutMs?: number
  /** Aborting it stops the worker after its trial in flight (whose result is still reported). */
  signal?: AbortSignal
  /**
   * When the coordinator's session lease lapses (it died), this worker takes the session over
   * with `resumeSession(store, id, takeOver)` and coordinates from then on. Without it the
   * worker keeps evaluating and waits for another process (a worker, `cairn resume`, a recovery
   * monitor) to take over. Once it took over, `wait()` resolves when the session stops and
   * `stop()` pauses the session.
   */
  takeOver?: ResumeOptions
}

/** What a worker did, when it stops. */
export interface WorkerResult {
  sessionId: string
  /** The session's status when the worker stopped (`running` when it was stopped by `signal`). */
  sessionStatus: SessionStatus
  /** Trials this worker evaluated and whose results the store accepted. */
  trialsEvaluated: number
  /** Results refused because the claim was lost (lapsed or taken over). */
  claimsLost: number
  /** True when this worker took over coordination (see `JoinOptions.takeOver`). */
  tookOver: boolean
}

/** A worker attached to a shared session (`joinSession`). */
export interface WorkerHandle {
  readonly sessionId: string
  readonly owner: string
  /** Trial indices this worker is evaluating now. */
  running(): number[]
  /** Settles when the session ends (or the worker is stopped). */
  wait(): Promise<WorkerResult>
  /**
   * Stops after the trial in flight (its result is reported), then resolves `wait()`. A worker
   * that took the session over (`takeOver`) pauses it.
   */
  stop(): Promise<WorkerResult>
}

/** Options of `startSession`. */
export interface StartOptions<Example = unknown> extends DriveOptions<Example> {
  /** Default: a new in-memory store. */
  store?: CheckpointStore
  sessionId?: string
  name?: string
  /** Default: a random safe integer, recorded in the checkpoint. */
  seed?: number
  /** Default `minimize` (`maximize` for program/trainset/metric sessions). */
  direction?: Direction
  /**
   * Several objectives: one direction each (e.g. `['minimize', 'maximize']`); the objective then
   * returns one value per direction, and the session's result is its Pareto front. Needs an
   * optimizer with `capabilities.multiObjective`. With `direction` too, both must agree on the first.
   */
  directions?: Direction[]
  space?: SearchSpace
  /** A JSON snapshot of caller settings, stored with the session. */
  settings?: Json
  warmStart?: WarmStartOptions
  /** The job name a composition root resolves to an objective (for recovery). */
  job?: string
  /** Overrides the trainset hash recorded (and verified on resume). */
  trainsetHash?: string
  /** Overrides the valset hash recorded (and verified on resume); needs `valset`. */
  valsetHash?: string
}

/**
 * Options of `resumeSession`. Limits default to those stored with the session; a limit given
 * here takes effect and is stored with the session's next commit (so a later resume keeps it).
 * `maxTrials` may be raised to extend the run, or lowered to no less than the trials already
 * recorded (fewer is refused with `InvalidInputError`).
 */
export interface ResumeOptions<Example = unknown> extends DriveOptions<Example> {
  /** Keeps saving warm-start entries for later runs (seeds already taken are kept in the head). */
  warmStart?: WarmStartOptions
  /** Verified against the stored hash when given (or computed from `trainset`). */
  trainsetHash?: string
  /** Verified against the stored hash (or computed from `valset`); needs `valset`. */
  valsetHash?: string
  /** Verified against the stored space when given. */
  space?: SearchSpace
  /** Verified against the stored direction when given (`ResumeMismatchError`, reason `direction`). */
  direction?: Direction
  /** Verified against the stored directions when given (`ResumeMismatchError`, reason `directions`). */
  directions?: Direction[]
  /** Verified against the stored seed when given (`ResumeMismatchError`, reason `seed`). */
  seed?: number
  /**
   * When another driver holds the session's lease, wait until it is released or expires (a
   * driver that died stops renewing it) instead of failing with `AlreadyRunningError`. `true`
   * waits up to 60 s; `{ timeoutMs }` up to that long (at most 2^31 − 1 ms). Past it,
   * `resumeSession` rejects with a `TimeoutError` whose `cause` is the last
   * `AlreadyRunningError`; aborting `signal` stops the wait with the signal's reason. Default:
   * no wait.
   */
  waitForLease?: boolean | { timeoutMs?: number }
}

/** Options of `SessionHandle.wait`. */
export interface WaitOptions {
  /** Reject with `TimeoutError` after this long (at most 2^31 − 1 ms); the session goes on. */
  timeoutMs?: number
  /** Aborting it rejects the wait (the session goes on). */
  signal?: AbortSignal
}

/** A point-in-time view of a driven session. */
export interface SessionSnapshot {
  sessionId: string
  status: SessionStatus
  terminalReason?: string
  progress: Progress
  revision: number
  /** Trials currently being evaluated. */
  inFlight: number
  bestArtifact?: Json
}

/** What `wait` resolves to once the driver stops (terminal or paused). */
export interface SessionResult {
  sessionId: string
  status: SessionStatus
  terminalReason?: string
  bestScore: number | null
  bestTrialIdx: number | null
  bestArtifact?: Json
  progress: Progress
  revision: number
  /**
   * Multi-objective sessions: the Pareto front of the trials so far (see `paretoFront`), in
   * trial order; `bestScore` and `bestTrialIdx` are then null.
   */
  paretoFront?: ParetoTrial[]
}

/** A trial of a multi-objective session's Pareto front. */
export interface ParetoTrial {
  trialIdx: number
  /** One value per direction. */
  values: number[]
  candidate: Json
  constraints?: number[]
}

/** Events of `handle.events()`. */
export type SessionEvent =
  | { type: 'trial'; trial: TrialRecord }
  | { type: 'checkpoint'; revision: number; progress: Progress }
  | { type: 'status'; status: SessionStatus; reason?: string }

/** A driven session. */
export interface SessionHandle {
  readonly id: string
  /** The latest snapshot; never blocks. */
  poll(): SessionSnapshot
  /** Resolves when the driver stops (terminal or paused); rejects on a store or lease failure. */
  wait(options?: WaitOptions): Promise<SessionResult>
  /** Soft pause: the trial in flight finishes and is committed, then the status becomes `paused`. */
  pause(): Promise<void>
  /** Continues a paused session in this process. Rejects with `NotPausedError` otherwise. */
  resume(): Promise<void>
  /** Soft cancel: the trial in flight finishes and is committed, then the status becomes `cancelled`. */
  cancel(): Promise<void>
  /** Trial, checkpoint and status events from now until the driver stops. */
  events(): AsyncIterable<SessionEvent>
  /** The head as last committed. */
  head(): CheckpointHead
}

/** Options of `compile`. */
export type CompileOptions<Example = unknown> = StartOptions<Example> & {
  /** Default 300,000 (5 minutes), at most 2^31 − 1 ms; on timeout the session is soft-cancelled. */
  timeoutMs?: number
}

/** What the trial log cannot tell about a session, supplied by the caller (a recovery job definition, say). */
export interface RebuildHeadOptions {
  /** The optimizer the session ran: its id must be the one the salvaged listing records. */
  optimizer: Optimizer<any>
  space?: SearchSpace
  trainset?: readonly unknown[]
  trainsetHash?: string
  /** The valset the session was started with (its hash is recorded, so a resume with it is accepted). */
  valset?: readonly unknown[]
  valsetHash?: string
  /** Default: told from the salvaged best score, when the trial log makes it unambiguous. */
  direction?: Direction
  /** Multi-objective sessions: their directions (required when the trial log holds `values`). */
  directions?: Direction[]
  /** Default: derived from the session id (the original seed is lost with the head). */
  seed?: number
  /** The session's pruner (the head recording it is lost with the damage; a resume verifies it). */
  pruner?: Pruner
  /** The budget; without `maxTrials` a running session is rebuilt `paused`, for a person to resume with a budget. */
  maxTrials?: number
  maxErrors?: number
  trialTimeoutMs?: number
  parallelism?: number
  /** Epoch ms of the rebuild. Default `Date.now()`. */
  now?: number
}
