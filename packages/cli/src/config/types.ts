import type {
  CheckpointHead,
  CheckpointStore,
  Direction,
  Metric,
  Json,
  Objective,
  Optimizer,
  Program,
  Pruner,
  SearchSpace,
} from '@cairn/core'
import type { RecoveryPolicy } from '@cairn/recovery'

/** What an optimizer factory is given: the job, the session, and on resume the stored head. */
export interface OptimizerContext {
  job: string
  sessionId: string
  /** The stored head when the session is resumed or recovered (its `optimizerOptions`, `settings` …). */
  head?: CheckpointHead
}

/** Builds an optimizer, e.g. `() => tpe({ nStartupTrials: 8 })`. Called once per session start or resume. */
export type OptimizerFactory = (ctx: OptimizerContext) => Optimizer<any> | Promise<Optimizer<any>>

/**
 * Which optimizer a job uses: a name (one of the config's `optimizers`, or a built-in:
 * `random`, `grid`, `tpe`, `cmaes`, `nsga2`, `few-shot`), a factory, or an optimizer object.
 */
export type OptimizerRef = string | OptimizerFactory | Optimizer<any>

/**
 * A job's pruner: a name of `@cairn/optimizers`' pruners with default options (`'median'`),
 * a name with options (`{ name: 'asha', options: { reductionFactor: 3 } }`), or a Pruner.
 */
export type PrunerRef = string | { name: string; options?: Record<string, Json> } | Pruner

/** Settings every job may carry. */
export interface JobSettings {
  /** Default `tpe` for a space + objective job, `few-shot` for a program job. */
  optimizer?: OptimizerRef
  /** Trials after which the session completes. Default: until the optimizer halts. */
  maxTrials?: number
  /** Errors tolerated; one more fails the session. Default 5. */
  maxErrors?: number
  /** Per-trial timeout in milliseconds. */
  trialTimeoutMs?: number
  /** Trials in flight at once. Default 1. */
  parallelism?: number
  /** Default `minimize` (`maximize` for program jobs). */
  direction?: Direction
  /**
   * Several objectives, one direction each (`['minimize', 'maximize']`): the objective returns
   * one value per direction and `cairn show` prints the Pareto front. Needs an optimizer that
   * handles several objectives (`nsga2`, `tpe`).
   */
  directions?: Direction[]
  /** A failed trial (it threw or timed out) runs again with the same candidate up to this many times. Default 0. */
  retryFailed?: number
  /** Default: random, recorded in the session. */
  seed?: number
  /**
   * A fixed session id: `cairn run <job>` then starts that session the first time and resumes it
   * afterwards (after a Ctrl-C or a crash) instead of starting a new one each time.
   */
  sessionId?: string
  /** Lease time-to-live in milliseconds (default 30,000): how soon a killed run can be taken over. */
  leaseTtlMs?: number
  /**
   * `shared`: the process that runs the job (`cairn run`) coordinates, and workers started with
   * `cairn worker <session>` on this or other machines evaluate its trials too (the store must be
   * one several processes share: `fs:` or `dynamodb://`). The candidates are those of a `local`
   * run with the same `parallelism` and seed. Default `local` (`cairn run --shared` overrides it).
   */
  evaluation?: 'local' | 'shared'
  /** With `evaluation: 'shared'`: the coordinating process evaluates trials too (default true). */
  evaluateLocally?: boolean
  /**
   * With `evaluation: 'shared'`: a worker's claim on a trial lapses this long after its last
   * renewal (default 30,000): how soon a killed worker's trial is run again elsewhere.
   */
  trialLeaseTtlMs?: number
  /** With `evaluation: 'shared'`: how often the coordinator and idle workers look for work and results (ms). */
  pollIntervalMs?: number
  /**
   * Stops unpromising trials early (`ctx.shouldPrune()` in the objective): a pruner of
   * `@cairn/optimizers` by name (`'median'`, `'asha'`, `'hyperband'`, `'nop'`), by name with
   * options (`{ name: 'asha', options: { reductionFactor: 3 } }`), or a Pruner object
   * (`medianPruner()`, `percentilePruner(25)` …). Passed to `startSession`, `resumeSession` and
   * workers (`cairn worker`); a session resumes only with the pruner it was started with.
   */
  pruner?: PrunerRef
  /** Seed new sessions with the best trials of earlier runs of this job (the store holds them). */
  warmStart?: boolean | { maxSeedTrials?: number }
  /** One line shown by `cairn jobs`. */
  description?: string
}

/** A job that minimizes (or maximizes) an objective over a search space. */
export interface ObjectiveJob<C = any> extends JobSettings {
  space: SearchSpace
  objective: Objective<C>
}

/** A job that scores a program on a trainset with a metric (prompt / few-shot optimization). */
export interface ProgramJob<Example = any> extends JobSettings {
  program: Program<Example, any>
  trainset: readonly Example[]
  /**
   * Held-out examples candidates are scored on (DSPy's `valset`). Without one, `few-shot`
   * scores each candidate on the training examples it does not use as demonstrations. Its hash
   * is stored with the session and checked on resume, so keep it as it was.
   */
  valset?: readonly Example[]
  metric: Metric<Example, any>
  /** Optional search space for optimizers that use one. */
  space?: SearchSpace
}

/**
 * A job whose trials are evaluated by the caller, not by a function in the config: its sessions
 * are created with `cairn create <job>` and driven with `cairn ask` / `cairn tell` (from a
 * shell, or any language), or `ask()` / `tell()` in code. `cairn run` refuses it.
 */
export interface AskTellJob extends JobSettings {
  space: SearchSpace
  objective?: undefined
}

/** A named job of the config. */
export type JobDefinition = ObjectiveJob | ProgramJob | AskTellJob

/** The contents of `cairn.config.ts`. */
export interface CairnConfig {
  /**
   * Where sessions live: a URI (`memory:`, `fs:./dir`, `level:./.cairn`,
   * `dynamodb://table?region=…&endpoint=…`; relative paths are relative to the config file) or a
   * store object. Default `level:./.cairn`.
   */
  store?: string | CheckpointStore
  /** Named optimizers on offer, besides the built-in ones; a job or `--optimizer` picks one by name. */
  optimizers?: Record<string, OptimizerFactory>
  /** Named jobs: `cairn run <name>`. */
  jobs?: Record<string, JobDefinition>
  /** Default policy of `cairn monitor` / `createCairn(config).monitor()`. */
  recovery?: RecoveryPolicy
}
