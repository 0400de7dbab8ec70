import type { Runner } from '../runner.js'

/** Options of `describePruner`. */
export interface PrunerSuiteOptions {
  /** The test functions to register with. Default: vitest's. */
  runner?: Runner
  /**
   * The pruner's rule may prune a trial whose history is empty: it reads the trial's own curve
   * (as `patientPruner(null, …)`) or prunes until a bootstrap count is reached. Default false:
   * the suite checks that it never prunes with an empty history.
   */
  mayPruneWithoutHistory?: boolean
  /**
   * The pruner prunes a trial that is far worse than every history trial at every step, and
   * gets worse, given 60 completed trials of 100 steps. Default true; false for a pruner that
   * never prunes (`nopPruner()`).
   */
  prunesWorseTrials?: boolean
}
