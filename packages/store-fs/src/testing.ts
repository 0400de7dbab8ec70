/**
 * Test hooks of `@cairn/store-fs` (`@cairn/store-fs/testing`): for tests of this package and of
 * code built on it. Not for production use.
 */
import { beforeCommitWrite } from './hooks.js'
import type { FsStore } from './fs-store.js'

/** A commit held inside its critical section by `holdNextCommit`. */
export interface HeldCommit {
  /** Resolves once the commit holds the session's lock and every check has passed, just before it writes. */
  reached: Promise<void>
  /** Lets the commit go on. */
  release(): void
}

/**
 * Holds `store`'s next commit inside its critical section — the session's lock taken, the
 * revision and fencing token checked, nothing written yet — until `release()` is called: the
 * instant at which a stopped or stalled writer is most dangerous.
 */
export function holdNextCommit(store: FsStore): HeldCommit {
  let reached!: () => void
  let release!: () => void
  const reachedP = new Promise<void>((resolve) => (reached = resolve))
  const released = new Promise<void>((resolve) => (release = resolve))
  beforeCommitWrite.set(store, () => {
    reached()
    return released
  })
  return { reached: reachedP, release }
}
