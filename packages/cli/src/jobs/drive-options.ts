import type { CheckpointHead, Json, ResumeOptions, StartOptions, WarmStartStore } from '@cairn/core'
import type { CairnConfig, JobDefinition, OptimizerRef } from '../config/types.js'
import { resolveOptimizer } from '../optimizer/resolve.js'
import {
  defaultOptimizerRef,
  getJob,
  limitOptions,
  newJobSessionId,
  readSettings,
  sharingOptions,
  targetOptions,
  type CairnSettings,
} from './job.js'

/** Per-run overrides of a job's settings (what `cairn run` flags set). */
export interface RunOverrides {
  sessionId?: string
  seed?: number
  maxTrials?: number
  parallelism?: number
  /** An optimizer name (the config's or a built-in one) instead of the job's. */
  optimizer?: string
  /** `shared` (`cairn run --shared`): workers in other processes evaluate trials too; see `JobSettings.evaluation`. */
  evaluation?: 'local' | 'shared'
}

/** The `startSession` options (without store-bound `signal` / `owner`) for a new session of `job`. */
export async function startOptionsFor(
  config: CairnConfig,
  job: string,
  overrides: RunOverrides,
  warmStartStore: WarmStartStore | undefined,
): Promise<StartOptions> {
  const def = getJob(config, job)
  const sessionId = overrides.sessionId ?? def.sessionId ?? newJobSessionId(job)
  const ref: OptimizerRef = overrides.optimizer ?? defaultOptimizerRef(def)
  const { optimizer, name } = await resolveOptimizer(ref, config.optimizers, { job, sessionId })
  const settings: CairnSettings = name !== undefined ? { optimizer: name } : {}
  const opts: StartOptions = {
    sessionId,
    job,
    optimizer,
    ...targetOptions(def),
    ...limitOptions(def),
    ...(await sharingOptions(def, job)),
    settings: settings as Json,
  }
  const evaluation = overrides.evaluation ?? def.evaluation
  if (evaluation !== undefined) opts.evaluation = evaluation
  if (def.space !== undefined) opts.space = def.space
  if (def.direction !== undefined) opts.direction = def.direction
  if (def.directions !== undefined) opts.directions = def.directions
  const seed = overrides.seed ?? def.seed
  if (seed !== undefined) opts.seed = seed
  if (overrides.maxTrials !== undefined) opts.maxTrials = overrides.maxTrials
  if (overrides.parallelism !== undefined) opts.parallelism = overrides.parallelism
  const ws = warmStartOf(def, warmStartStore)
  if (ws) opts.warmStart = ws
  return opts
}

/**
 * The `resumeSession` options for a stored session: its job's objective (or program), and the
 * optimizer it was started with — by the name recorded in its settings when it was chosen by
 * name, else the job's. The job's space and direction are passed so a changed one is refused.
 *
 * Overrides take effect or are refused, never ignored: `maxTrials` and `parallelism` take
 * effect (and are stored with the session); a `seed` or `optimizer` other than the session's
 * is refused by `resumeSession` with `ResumeMismatchError` (core compares the seed, and the
 * optimizer the name builds against the stored id, state version and options). The session
 * keeps the evaluation it was started with (the head's `evaluation`) unless `evaluation` is
 * given; the job's settings of shared evaluation (trial lease, poll interval) apply.
 */
export async function resumeOptionsFor(
  config: CairnConfig,
  head: CheckpointHead,
  overrides: Pick<RunOverrides, 'maxTrials' | 'parallelism' | 'seed' | 'optimizer' | 'evaluation'>,
  warmStartStore: WarmStartStore | undefined,
): Promise<ResumeOptions> {
  const def = getJob(config, head.job, head.sessionId)
  const job = head.job as string
  const ref: OptimizerRef = overrides.optimizer ?? readSettings(head.settings).optimizer ?? defaultOptimizerRef(def)
  const { optimizer } = await resolveOptimizer(ref, config.optimizers, { job, sessionId: head.sessionId, head })
  const opts: ResumeOptions = { optimizer, ...targetOptions(def), ...(await sharingOptions(def, job)) }
  if (def.space !== undefined) opts.space = def.space
  if (def.direction !== undefined) opts.direction = def.direction
  if (def.directions !== undefined) opts.directions = def.directions
  if (def.trialTimeoutMs !== undefined) opts.trialTimeoutMs = def.trialTimeoutMs
  if (def.leaseTtlMs !== undefined) opts.leaseTtlMs = def.leaseTtlMs
  if (overrides.maxTrials !== undefined) opts.maxTrials = overrides.maxTrials
  if (overrides.parallelism !== undefined) opts.parallelism = overrides.parallelism
  if (overrides.seed !== undefined) opts.seed = overrides.seed
  if (overrides.evaluation !== undefined) opts.evaluation = overrides.evaluation
  const ws = warmStartOf(def, warmStartStore)
  if (ws) opts.warmStart = ws
  return opts
}

function warmStartOf(def: JobDefinition, store: WarmStartStore | undefined): StartOptions['warmStart'] | undefined {
  if (!def.warmStart || !store) return undefined
  const max = typeof def.warmStart === 'object' ? def.warmStart.maxSeedTrials : undefined
  return { store, ...(max !== undefined ? { maxSeedTrials: max } : {}) }
}
