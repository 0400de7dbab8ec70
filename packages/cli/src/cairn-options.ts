import { MAX_LEASE_TTL_MS, optionKinds as k, type OptionsSchema } from '@cairn/core'
import { MIN_LEASE_TTL_MS } from './config/schema.js'
import type { RunOverrides } from './jobs/drive-options.js'
import type { WorkerTrialEvent } from './jobs/observed-objective.js'
import type { MonitorOptions } from './recovery/monitor.js'
import type { ControlOptions } from './session/control.js'
import type { LeaseWait } from './session/lease-wait.js'
import { strict } from './strict-options.js'

/** Options of `createCairn`. */
export interface CreateCairnOptions {
  /** Relative store paths in the config are resolved against this. Default `process.cwd()`. */
  baseDir?: string
}

/** Options of `start`. */
export interface StartJobOptions extends RunOverrides {
  /** Aborting it soft-cancels the session. */
  signal?: AbortSignal
  /** Lease owner name (default `host:pid:random`). */
  owner?: string
}

/**
 * Options of `resume`. `maxTrials` and `parallelism` take effect and are stored with the
 * session (a raised `maxTrials` extends the run; one below the trials already recorded is
 * refused); a `seed` or `optimizer` other than the session's is refused with
 * `ResumeMismatchError`. The session keeps its evaluation (`local` or `shared`) unless
 * `evaluation` is given.
 */
export interface ResumeJobOptions extends Pick<RunOverrides, 'maxTrials' | 'parallelism' | 'seed' | 'optimizer' | 'evaluation'> {
  signal?: AbortSignal
  owner?: string
  /**
   * When the session is still leased by a process that looks dead (killed with `kill -9`, say),
   * wait for the lease to expire and resume then; this is called once when waiting starts.
   * Without it, a live lease rejects with `AlreadyRunningError` at once.
   */
  onLeaseWait?: (wait: LeaseWait) => void
  /** Stops a lease wait. */
  waitSignal?: AbortSignal
}

/** Options of `open`: a start's options, and a resume's lease wait. */
export type OpenJobOptions = StartJobOptions & Pick<ResumeJobOptions, 'onLeaseWait' | 'waitSignal'>

/** Options of `join`. */
export interface JoinJobOptions {
  /** Worker name recorded on its claims (default `host:pid:random`). */
  owner?: string
  /** Aborting it stops the worker after its trial in flight (whose result is still reported). */
  signal?: AbortSignal
  /**
   * When the session's coordinator dies (its lease lapses), take the session over: resume it
   * with its job, as `resume` does, and coordinate from then on. Default true; with false the
   * worker only evaluates, and waits for another process to take over.
   */
  takeOver?: boolean
  /** Told when this worker starts and finishes evaluating each trial. */
  onTrial?: (event: WorkerTrialEvent) => void
}

/** Options of `show`. */
export interface ShowOptions {
  /** How many of the last trials to include. Default 10. */
  lastTrials?: number
}

/** Options of `delete`. */
export interface DeleteOptions {
  /** Delete a session a live process drives (its process then fails at its next commit). */
  force?: boolean
}

const { optional } = k
const signal = optional(k.instanceOf(AbortSignal, 'must be an AbortSignal'))
const onLeaseWait = optional(k.fn('must be a function (wait) => void'))
const overrides = {
  sessionId: optional(k.string()),
  seed: optional(k.integer(Number.MIN_SAFE_INTEGER)),
  maxTrials: optional(k.integer(0)),
  parallelism: optional(k.integer(1, 1024)),
  optimizer: optional(k.string()),
  evaluation: optional(k.oneOf(['local', 'shared'])),
  signal,
  owner: optional(k.string()),
}
const resume = {
  seed: overrides.seed,
  maxTrials: overrides.maxTrials,
  parallelism: overrides.parallelism,
  optimizer: overrides.optimizer,
  evaluation: overrides.evaluation,
  signal,
  owner: overrides.owner,
  onLeaseWait,
  waitSignal: signal,
}

/** `createCairn`'s options. */
export const CreateCairnOptionsSchema: OptionsSchema<CreateCairnOptions> = strict<CreateCairnOptions>('createCairn', {
  baseDir: optional(k.string()),
})
/** `start`'s options. */
export const StartJobOptionsSchema: OptionsSchema<StartJobOptions> = strict<StartJobOptions>('start', overrides)
/** `resume`'s options. */
export const ResumeJobOptionsSchema: OptionsSchema<ResumeJobOptions> = strict<ResumeJobOptions>('resume', resume)
/** `open`'s options. */
export const OpenJobOptionsSchema: OptionsSchema<OpenJobOptions> = strict<OpenJobOptions>('open', {
  ...overrides,
  onLeaseWait,
  waitSignal: signal,
})
/** `join`'s options. */
export const JoinJobOptionsSchema: OptionsSchema<JoinJobOptions> = strict<JoinJobOptions>('join', {
  owner: optional(k.string()),
  signal,
  takeOver: optional(k.boolean()),
  onTrial: optional(k.fn('must be a function (event) => void')),
})
/** `show`'s options. */
export const ShowOptionsSchema: OptionsSchema<ShowOptions> = strict<ShowOptions>('show', { lastTrials: optional(k.integer(0)) })
/** `delete`'s options. */
export const DeleteOptionsSchema: OptionsSchema<DeleteOptions> = strict<DeleteOptions>('delete', { force: optional(k.boolean()) })
/** `control`'s options. */
export const ControlOptionsSchema: OptionsSchema<ControlOptions> = strict<ControlOptions>('control', {
  wait: optional(k.boolean()),
  timeoutMs: optional(k.durationMs()),
  pollMs: optional(k.durationMs()),
  signal,
  onLeaseWait,
})
/** `monitor`'s options besides the policy (which `@cairn/recovery` checks). */
export const MonitorOptionsSchema: OptionsSchema<MonitorOptions> = strict<MonitorOptions>('monitor', {
  owner: optional(k.string()),
  leaseTtlMs: optional(k.durationMs({ min: MIN_LEASE_TTL_MS, max: MAX_LEASE_TTL_MS })),
})
