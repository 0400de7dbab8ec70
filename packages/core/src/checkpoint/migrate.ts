/**
 * Pure functions that lift a decoded body of format version N to N + 1. A new format version
 * adds one entry here; decoding an old record runs the chain up to the current version.
 */
export type Migration = (body: Record<string, unknown>) => Record<string, unknown>

/**
 * Optional fields added within a version need no migration and no bump: heads written before
 * lack them (and read as before), and readers of the same version that predate them carry
 * them through untouched (bodies may hold extra fields). Added so within version 1: `recovery`,
 * `valsetHash`, `evaluation`, `pruner`, `progress.pruned`, `askedAfter`, `intermediate`.
 *
 * Version 2 (studies beyond one number) is a bump, so that a release that only knows version 1
 * refuses a multi-objective head or trial instead of misreading it: `direction` becomes
 * `directions` (one per objective), and heads and trials gain
 * optional fields (`enqueued`, `limits.retryFailed`, `progress.bestViolation`, pending `told`,
 * `origin` and `retries`; trial `values`, `constraints`, `attrs`, `retries`). Fixtures of both
 * version-1 shapes are decoded and resumed by the tests (`test/fixtures/`).
 */
export const HEAD_FORMAT_VERSION = 2
export const TRIAL_FORMAT_VERSION = 2

/** Head version 1 → 2: one direction becomes a list of one. */
function headV1toV2(body: Record<string, unknown>): Record<string, unknown> {
  const { direction, ...rest } = body
  return { ...rest, directions: [direction] }
}

/** `headMigrations[n]` migrates a head body from version n to n + 1. */
export const headMigrations: Readonly<Record<number, Migration>> = { 1: headV1toV2 }
/** `trialMigrations[n]` migrates a trial body from version n to n + 1 (version 2 only added optional fields). */
export const trialMigrations: Readonly<Record<number, Migration>> = { 1: (body) => body }

/** Runs `migrations` from `from` up to `to`; returns undefined when a step is missing. */
export function migrate(
  body: Record<string, unknown>,
  from: number,
  to: number,
  migrations: Readonly<Record<number, Migration>>,
): Record<string, unknown> | undefined {
  let current = body
  for (let v = from; v < to; v++) {
    const step = migrations[v]
    if (!step) return undefined
    current = { ...step(current), v: v + 1 }
  }
  return current
}
