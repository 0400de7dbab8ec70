import type { CheckpointStore, Direction, Metric, Objective, Optimizer, Program, SearchSpace } from '@cairn/core'
import type { StoreFactory } from '../fixture.js'
import type { Runner } from '../runner.js'

/**
 * Options of `describeOptimizer`: the problem the suite's sessions solve and where they run.
 * What the optimizer is (seeded or not, a sampler or not, over a flat space or not) comes from
 * its own `capabilities`.
 */
export interface OptimizerSuiteOptions {
  /**
   * Search space of the sessions. Default: a float, an int and a categorical when the
   * optimizer's `capabilities.flatSpace` holds, no space otherwise.
   */
  space?: SearchSpace
  /**
   * The conditional space of the conditional-space checks (run when the optimizer declares
   * `capabilities.conditionalSpace`). Default: testkit's three-branch space with a nested choice.
   */
  conditionalSpace?: SearchSpace
  /** A deterministic objective (default: testkit's `defaultObjective`). Ignored when `program` is given. */
  objective?: Objective
  /** Trials per session (default 12). */
  trials?: number
  /** Program × trainset × metric sessions instead of an objective. */
  program?: Program<any, any>
  trainset?: readonly unknown[]
  /** Held-out examples of program sessions (`valset`), given at start and at every resume. */
  valset?: readonly unknown[]
  metric?: Metric<any, any>
  direction?: Direction
  runner?: Runner
  /**
   * A durable, multi-process store (same fixture as `describeCheckpointStore`, `child` required)
   * for the real-process test: a child process drives a session and is SIGKILLed mid-run,
   * twice, then resumed. Needs `optimizerModule` too.
   */
  durableStore?: StoreFactory<CheckpointStore>
  /**
   * How a child process builds the same optimizer: `module` is the absolute path of a module
   * exporting `createOptimizer(args)` (and optionally `objective`, `space`, `program`,
   * `trainset`, `valset`, `metric`, `direction`; see `OptimizerModule`).
   */
  optimizerModule?: { module: string; args?: string[] }
}

/** What an `optimizerModule` exports. */
export interface OptimizerModule {
  createOptimizer(args: string[]): Optimizer<any>
  objective?: Objective
  space?: SearchSpace
  program?: Program<any, any>
  trainset?: readonly unknown[]
  valset?: readonly unknown[]
  metric?: Metric<any, any>
  direction?: Direction
}
