import { MAX_LEASE_TTL_MS, MIN_DRIVER_LEASE_TTL_MS } from '../input/durations.js'
import { optionKinds as k } from '../input/option-kinds.js'
import { MAX_OWNER_LENGTH } from '../store/input-checks.js'
import { defineOptions, type OptionProperties, type OptionsSchema } from '../input/options-schema.js'
import type { CompileOptions, DriveOptions, JoinOptions, RebuildHeadOptions, ResumeOptions, StartOptions, WaitOptions } from './types.js'

const { optional } = k

/** The methods of a `CheckpointStore` the session driver calls. */
export const STORE_METHODS = ['create', 'commit', 'load', 'readTrials', 'acquireLease', 'renewLease', 'releaseLease'] as const

const store = k.withMethods(STORE_METHODS, 'must be a CheckpointStore (createMemoryStore(), createFsStore({ dir }) …)')

const pruner = k.withMethods(['shouldPrune'], 'must be a Pruner (medianPruner(), asha(), hyperband() … from @cairn/optimizers)')

const drive = {
  // The optimizer's own fields are checked one by one (optimizer.id, optimizer.step …) after the schema.
  optimizer: optional(k.any()),
  objective: optional(k.fn('must be a function (candidate, ctx) => score')),
  program: optional(k.fn('must be a function (config, example, ctx) => output')),
  trainset: optional(k.array('must be an array of examples')),
  valset: optional(k.array('must be an array of examples (held out from the trainset)')),
  metric: optional(k.fn('must be a function (example, output) => number')),
  maxTrials: optional(k.integer(0)),
  maxErrors: optional(k.integer(0)),
  trialTimeoutMs: optional(k.durationMs()),
  parallelism: optional(k.integer(1, 1024)),
  retryFailed: optional(k.integer(0, 100)),
  leaseTtlMs: optional(k.durationMs({ min: MIN_DRIVER_LEASE_TTL_MS, max: MAX_LEASE_TTL_MS })),
  signal: optional(k.instanceOf(AbortSignal, 'must be an AbortSignal')),
  owner: optional(k.string()),
  evaluation: optional(k.oneOf(['local', 'shared'])),
  evaluateLocally: optional(k.boolean()),
  trialLeaseTtlMs: optional(k.durationMs({ min: MIN_DRIVER_LEASE_TTL_MS, max: MAX_LEASE_TTL_MS })),
  pollIntervalMs: optional(k.durationMs({ min: 1 })),
  // Its id, stateVersion and options are checked one by one after the schema (checkPruner).
  pruner: optional(pruner),
} satisfies OptionProperties<DriveOptions>

const warmStart = optional(k.any())
const seed = optional(k.integer(Number.MIN_SAFE_INTEGER))
const direction = optional(k.oneOf(['minimize', 'maximize']))
const directions = optional(k.arrayOf(k.oneOf(['minimize', 'maximize']), "must be an array of 'minimize' | 'maximize', one per objective"))

const start = {
  ...drive,
  store: optional(store),
  sessionId: optional(k.string()),
  name: optional(k.string(0)),
  seed,
  direction,
  directions,
  space: optional(k.any()),
  settings: optional(k.any()),
  warmStart,
  job: optional(k.string()),
  valsetHash: optional(k.string()),
  trainsetHash: optional(k.string()),
} satisfies OptionProperties<StartOptions>

/** `startSession`'s options. */
export const StartOptionsSchema: OptionsSchema<StartOptions> = defineOptions<StartOptions>('startSession', start)

/** `compile`'s options: `startSession`'s and `timeoutMs`. */
export const CompileOptionsSchema: OptionsSchema<CompileOptions> = defineOptions<CompileOptions>('compile', {
  ...start,
  timeoutMs: optional(k.durationMs()),
})

/** `resumeSession`'s options. */
export const ResumeOptionsSchema: OptionsSchema<ResumeOptions> = defineOptions<ResumeOptions>('resumeSession', {
  ...drive,
  warmStart,
  trainsetHash: optional(k.string()),
  valsetHash: optional(k.string()),
  space: optional(k.any()),
  direction,
  directions,
  seed,
  waitForLease: optional(k.union([k.boolean(), k.object({ timeoutMs: optional(k.durationMs()) })], 'must be true, false or { timeoutMs }')),
})

/** `joinSession`'s options (`takeOver`'s are `resumeSession`'s, checked with `ResumeOptionsSchema`). */
export const JoinOptionsSchema: OptionsSchema<JoinOptions> = defineOptions<JoinOptions>('joinSession', {
  objective: k.fn('must be a function (candidate, ctx) => score'),
  pruner: optional(pruner),
  owner: optional(k.string(1, MAX_OWNER_LENGTH)),
  trialLeaseTtlMs: drive.trialLeaseTtlMs,
  pollIntervalMs: drive.pollIntervalMs,
  trialTimeoutMs: drive.trialTimeoutMs,
  signal: drive.signal,
  takeOver: optional(k.record('must be resumeSession options { optimizer, objective, … }')),
})

/** The options of a session handle's `wait`. */
export const WaitOptionsSchema: OptionsSchema<WaitOptions> = defineOptions<WaitOptions>('wait', {
  timeoutMs: optional(k.durationMs()),
  signal: optional(k.instanceOf(AbortSignal, 'must be an AbortSignal')),
})

/** `rebuildHead`'s options. */
export const RebuildHeadOptionsSchema: OptionsSchema<RebuildHeadOptions> = defineOptions<RebuildHeadOptions>('rebuildHead', {
  // Compared with the salvaged listing's optimizer id (ResumeMismatchError), then asked to init.
  optimizer: k.withMethods(['init', 'encodeState'], 'must be an optimizer (tpe(), randomSearch() …)'),
  space: optional(k.any()),
  trainset: optional(k.array('must be an array of examples')),
  trainsetHash: optional(k.string()),
  valset: drive.valset,
  valsetHash: optional(k.string()),
  direction,
  directions,
  seed,
  maxTrials: drive.maxTrials,
  maxErrors: drive.maxErrors,
  trialTimeoutMs: drive.trialTimeoutMs,
  parallelism: drive.parallelism,
  pruner: drive.pruner,
  now: optional(k.number(0, Number.MAX_SAFE_INTEGER)),
})
