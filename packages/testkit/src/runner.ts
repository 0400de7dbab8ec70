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

/** What a test needs: whether it holds (`ok`), and its name for the report (`what`). */
export interface Needs {
  ok: boolean
  what: string
}

/**
 * Registers `fn` as a test when `needs.ok`; otherwise a skipped test named
 * `[needs <what>] title`, so what a store or optimizer lacks shows in the report instead of
 * the test silently disappearing.
 */
export function testIf(runner: Runner, needs: Needs, title: string, fn: () => unknown, timeoutMs?: number): void {
  if (needs.ok) runner.test(title, fn, timeoutMs)
  else runner.test.skip(`[needs ${needs.what}] ${title}`, () => undefined)
}
