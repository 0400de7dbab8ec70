import { describe, expect, test } from 'vitest'

/**
 * The test functions a suite registers its tests with. Defaults to vitest's; pass another
 * object of the same shape to run a suite under a wrapped or instrumented runner.
 */
export interface Runner {
  describe: typeof describe
  test: typeof test
  expect: typeof expect
}

/** vitest's `describe`, `test` and `expect`: the default runner of every suite. */
export const vitestRunner: Runner = { describe, test, expect }
