import { defineOptions, optionKinds as k, type Direction, type OptionsSchema } from '@cairn/core'
import { PKG, RecoveryConfigError } from './errors.js'

/** What only a rebuild of a damaged head needs from a job (it is not passed to `resumeSession`). */
export interface RebuildHints {
  /** The session's direction, when the trial log cannot tell it (its best score is ambiguous). */
  direction?: Direction
  /** The seed of the rebuilt session (default: derived from the session id). */
  seed?: number
  /** The trial budget of the rebuilt session (default: the job's `maxTrials`; without one it is rebuilt `paused`). */
  maxTrials?: number
}

/** The keys a job's `rebuild` takes, and their checks (unknown keys refused, naming the nearest one). */
const RebuildHintsSchema: OptionsSchema<RebuildHints> = defineOptions<RebuildHints>(
  `${PKG} rebuild`,
  {
    direction: k.optional(k.oneOf(['minimize', 'maximize'])),
    seed: k.optional(k.integer(Number.MIN_SAFE_INTEGER)),
    maxTrials: k.optional(k.integer(0)),
  },
  { error: (message, field) => new RecoveryConfigError(field ?? 'rebuild', message) },
)

/** Throws `RecoveryConfigError` (`UnknownOptionError` for an unknown key) naming the first malformed field of a job's `rebuild`. */
export function checkRebuildHints(hints: unknown, field: string): asserts hints is RebuildHints | undefined {
  if (hints !== undefined) RebuildHintsSchema.check(hints, field, `${PKG} ${field}`)
}
