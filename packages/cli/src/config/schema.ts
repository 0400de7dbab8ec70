import { defineOptions, MAX_LEASE_TTL_MS, optionKinds as k, type OptionErrorFactory, type OptionsSchema } from '@cairn/core'
import { ConfigError, PKG } from '../errors.js'
import type { CairnConfig, ObjectiveJob, ProgramJob } from './types.js'

const { optional } = k

/** Who takes the config, as messages of unknown fields name it: `[cairn] config: unknown option jobs.a.maxTrial …`. */
const WHAT = `${PKG} config`

/** A malformed field of the config is a `ConfigError` naming it. */
const configError: OptionErrorFactory = (message, field) => new ConfigError(message, field)

/** The shortest lease ttl core's session driver takes. */
export const MIN_LEASE_TTL_MS = 100

/** Every field a job may have: an objective job's and a program job's. */
export type JobFields = { [K in keyof ObjectiveJob | keyof ProgramJob]?: unknown }

/**
 * A job's fields and their kinds. Which fields go together (space + objective, or program +
 * trainset + metric), the space itself and the session id are checked in `validate.ts`.
 */
export const JobSchema: OptionsSchema<JobFields> = defineOptions<JobFields>(
  WHAT,
  {
    space: optional(k.record('must be a search space: space({ x: float(0, 1), … })')),
    objective: optional(k.fn('must be a function (candidate, ctx) => score')),
    program: optional(k.fn('must be a function (config, example, ctx) => output')),
    trainset: optional(k.array('must be a non-empty array of examples')),
    valset: optional(k.array('must be a non-empty array of examples held out from the trainset')),
    metric: optional(k.fn('must be a function (example, output) => number')),
    optimizer: optional(
      k.union(
        [k.string(), k.fn(), k.withMethods(['step'], 'must be an optimizer')],
        'must be an optimizer name (e.g. "tpe"), a function returning an optimizer, or an optimizer',
      ),
    ),
    maxTrials: optional(k.integer(0)),
    maxErrors: optional(k.integer(0)),
    trialTimeoutMs: optional(k.durationMs()),
    parallelism: optional(k.integer(1, 1024)),
    direction: optional(k.oneOf(['minimize', 'maximize'])),
    directions: optional(k.arrayOf(k.oneOf(['minimize', 'maximize']), "must be an array of 'minimize' | 'maximize', one per objective")),
    retryFailed: optional(k.integer(0, 100)),
    seed: optional(k.integer(Number.MIN_SAFE_INTEGER)),
    sessionId: optional(k.string()),
    leaseTtlMs: optional(k.durationMs({ min: MIN_LEASE_TTL_MS, max: MAX_LEASE_TTL_MS })),
    evaluation: optional(k.oneOf(['local', 'shared'])),
    evaluateLocally: optional(k.boolean()),
    trialLeaseTtlMs: optional(k.durationMs({ min: MIN_LEASE_TTL_MS, max: MAX_LEASE_TTL_MS })),
    pollIntervalMs: optional(k.durationMs({ min: 1 })),
    pruner: optional(
      k.union(
        [
          k.string(),
          k.withMethods(['shouldPrune'], 'must be a Pruner'),
          k.object({ name: k.string(), options: optional(k.record('must be an object of the pruner options')) }),
        ],
        'must be a pruner name (e.g. "median"), { name, options } or a Pruner (medianPruner(), asha() … from @cairn/optimizers)',
      ),
    ),
    warmStart: optional(
      k.union([k.boolean(), k.object({ maxSeedTrials: optional(k.integer(0)) })], 'must be true, false or { maxSeedTrials }'),
    ),
    description: optional(k.string(0)),
  },
  { error: configError },
)

/**
 * The config's top-level fields. Each job is checked with `JobSchema`, each optimizer factory
 * and the recovery policy by `validate.ts` and `@cairn/recovery`.
 */
export const ConfigSchema: OptionsSchema<CairnConfig> = defineOptions<CairnConfig>(
  WHAT,
  {
    store: optional(
      k.union(
        [k.string(), k.withMethods(['load', 'commit', 'create', 'list'], 'must be a CheckpointStore')],
        'must be a store URI (`memory:`, `fs:<dir>`, `level:<dir>`, `dynamodb://<table>?…`) or a CheckpointStore',
      ),
    ),
    optimizers: optional(k.record('must be an object of optimizer name → factory () => optimizer')),
    jobs: optional(k.record('must be an object of job name → job { space, objective } or { program, trainset, metric }')),
    recovery: optional(k.record('must be a recovery policy { enabled, maxAttempts … }')),
  },
  { error: configError },
)
