/**
 * Pure functions that lift a decoded body of format version N to N + 1. A new format version
 * adds one entry here; decoding an old record runs the chain up to the current version.
 */
export type Migration = (body: Record<string, unknown>) => Record<string, unknown>

/**
 * Optional fields added within a version need no migration and no bump: heads written before
 * lack them (and read as before), and readers of the same version that predate them carry
 * them through untouched (bodies may hold extra fields). Added so: `recovery` (recovery
 * monitors' attempt counts), `valsetHash` (a program session's held-out examples). A fixture
 * of a head written before them is decoded (and resumed) by the tests.
 */
export const HEAD_FORMAT_VERSION = 1
export const TRIAL_FORMAT_VERSION = 1

/** `headMigrations[n]` migrates a head body from version n to n + 1. */
export const headMigrations: Readonly<Record<number, Migration>> = {}
/** `trialMigrations[n]` migrates a trial body from version n to n + 1. */
export const trialMigrations: Readonly<Record<number, Migration>> = {}

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
