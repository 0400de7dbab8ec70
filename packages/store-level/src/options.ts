import { defineOptions, optionKinds, type OptionsSchema } from '@cairn/core'
import { invalidInput, PKG } from './errors.js'

/** Options of {@link createLevelStore}. */
export interface LevelStoreOptions {
  /**
   * Directory of the LevelDB database. Created (with its parents) on first open when missing.
   * One process at a time may open it.
   */
  location: string
  /**
   * Flush every write to disk (`fsync`) before it resolves. Default `true`: a committed trial
   * survives a power loss or kernel crash, not just a process crash.
   *
   * With `false`, writes go to the operating system's page cache and resolve at once; they
   * still survive a crash of the Node.js process (SIGKILL, OOM, an uncaught exception), but
   * the last few commits may be lost if the whole machine goes down. Each batch stays atomic
   * either way: a session is never seen between two trials.
   */
  sync?: boolean
}

/** Options with defaults applied. */
export interface ResolvedLevelStoreOptions {
  location: string
  sync: boolean
}

const LevelStoreOptionsSchema: OptionsSchema<LevelStoreOptions> = defineOptions<LevelStoreOptions>(
  `${PKG} createLevelStore`,
  {
    location: optionKinds.string(),
    sync: optionKinds.optional(optionKinds.boolean()),
  },
  { error: (message, field) => invalidInput(message, field) },
)

/** Validates options and applies defaults; throws `InvalidInputError` naming the field (`UnknownOptionError` for an unknown key). */
export function resolveOptions(options: LevelStoreOptions): ResolvedLevelStoreOptions {
  LevelStoreOptionsSchema.check(options)
  return { location: options.location, sync: options.sync ?? true }
}
