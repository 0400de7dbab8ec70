import { defineOptions, optionKinds, type OptionsSchema } from '@cairn/core'
import { invalidInput, PKG } from './errors.js'

/** Options of {@link createLevelStore}. */
export interface LevelStoreOptions {
  /**
   * Directory of the LevelDB database. Created (with its parents) on first open when missing.
   * One process at a time may open it; others read through that process (see `shareReads`).
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
  /**
   * Default `false`. When another process holds the database, `true` makes this store read
   * through that process instead of failing: `load`, `readTrials`, `list`, `salvage` and
   * `requestControl` (pause, cancel) are answered by the holder over a local socket, and a write
   * is refused with `LevelLockedError` naming the holder — unless the holder is itself a
   * `shareReads` store that has not driven a session, which then hands the database over.
   * When no other process holds it, the store opens it itself, as without this option, and
   * hands it over to a process that opens it to write as long as this store has not created a
   * session or taken a lease. For tools that mostly watch: `cairn ls`, `show`, `pause`, the dashboard.
   */
  shareReads?: boolean
  /**
   * Default `true`: while this store holds the database, it answers other processes' reads and
   * pause/cancel requests on a local socket (`cairn.sock` in the database directory, owner-only);
   * nothing is served unless another process connects. `false`: no socket; other processes get
   * `LevelLockedError` as long as this store has the database open.
   */
  serve?: boolean
  /**
   * Default 30,000. How long a store reading through another process (`shareReads`) waits for
   * that process to answer before failing with `TimeoutError`: a holder stopped (Ctrl-Z) or
   * busy in a long synchronous objective answers only when its event loop runs again.
   */
  holderTimeoutMs?: number
}

/** Options with defaults applied. */
export interface ResolvedLevelStoreOptions {
  location: string
  sync: boolean
  shareReads: boolean
  serve: boolean
  holderTimeoutMs: number
}

const LevelStoreOptionsSchema: OptionsSchema<LevelStoreOptions> = defineOptions<LevelStoreOptions>(
  `${PKG} createLevelStore`,
  {
    location: optionKinds.string(),
    sync: optionKinds.optional(optionKinds.boolean()),
    shareReads: optionKinds.optional(optionKinds.boolean()),
    serve: optionKinds.optional(optionKinds.boolean()),
    holderTimeoutMs: optionKinds.optional(optionKinds.durationMs()),
  },
  { error: (message, field) => invalidInput(message, field) },
)

/** Validates options and applies defaults; throws `InvalidInputError` naming the field (`UnknownOptionError` for an unknown key). */
export function resolveOptions(options: LevelStoreOptions): ResolvedLevelStoreOptions {
  LevelStoreOptionsSchema.check(options)
  return {
    location: options.location,
    sync: options.sync ?? true,
    shareReads: options.shareReads ?? false,
    serve: options.serve ?? true,
    holderTimeoutMs: options.holderTimeoutMs ?? 30_000,
  }
}
