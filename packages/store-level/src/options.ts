import { invalidInput } from './errors.js'

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

/** Validates options and applies defaults; throws `InvalidInputError` naming the field. */
export function resolveOptions(options: LevelStoreOptions): ResolvedLevelStoreOptions {
  if (options === null || typeof options !== 'object') throw invalidInput('expected an options object ({ location })', 'options')
  const { location, sync = true } = options
  if (typeof location !== 'string' || location.length === 0) throw invalidInput('must be a non-empty directory path', 'location')
  if (typeof sync !== 'boolean') throw invalidInput(`must be a boolean, got ${JSON.stringify(sync)}`, 'sync')
  return { location, sync }
}
