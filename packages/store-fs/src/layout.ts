import { createHash } from 'node:crypto'
import { join } from 'node:path'

/** The package name, prefixed to every message this package writes. */
export const PKG = '[@cairn/store-fs]'

/**
 * Where everything lives under the store's root directory:
 *
 * ```
 * <dir>/sessions/<sessionId>/journal     one record per commit (trials + listing + head), appended
 * <dir>/sessions/<sessionId>/lease       lease + pending control flag (atomic replace)
 * <dir>/sessions/<sessionId>/trials.log  core trial envelopes folded out of earlier journals
 * <dir>/sessions/<sessionId>/trials.idx  u64 big-endian end offset of each trial in trials.log
 * <dir>/sessions/<sessionId>/journal.damaged.<rev>.<random>  a damaged journal kept by replaceDamagedHead
 * <dir>/sessions/<sessionId>/journal.<generation>-<offset>.dropped  a torn last record, set aside
 * <dir>/sessions/<sessionId>/slots/<trialIdx>  a shared session's trial slot: claim + result (atomic replace)
 * <dir>/sessions/<sessionId>/progress/<trialIdx>-<token>.bin  a running trial's latest progress save (atomic replace, see trial-progress.ts)
 * <dir>/warm-start/<key>/<runId>.entry   core warm-start envelope (atomic replace)
 * <dir>/locks/<name>.lock                cross-process critical sections (see lock.ts): s-<id> a session, u-<trialIdx>-<id> one of its
 *                                         trial slots (t-<id>, all of them, in earlier versions)
 * <dir>/locks/<token>/                   a process's holder file and temporary files (see holder.ts)
 * ```
 */
export class Layout {
  readonly sessions: string
  readonly warmStart: string
  readonly locks: string

  constructor(readonly root: string) {
    this.sessions = join(root, 'sessions')
    this.warmStart = join(root, 'warm-start')
    this.locks = join(root, 'locks')
  }

  sessionDir(id: string): string {
    return join(this.sessions, id)
  }
  /** The session's journal: it exists exactly when the session does. */
  journal(id: string): string {
    return join(this.sessions, id, 'journal')
  }
  lease(id: string): string {
    return join(this.sessions, id, 'lease')
  }
  trialLog(id: string): string {
    return join(this.sessions, id, 'trials.log')
  }
  trialIndex(id: string): string {
    return join(this.sessions, id, 'trials.idx')
  }
  /** Where the torn last record at `offset` of journal generation `generation` is kept once dropped (the `k`th one there). */
  dropped(id: string, generation: number, offset: number, k = 0): string {
    return join(this.sessions, id, `journal.${generation}-${offset}${k > 0 ? `.${k}` : ''}.dropped`)
  }
  sessionLock(id: string): string {
    return join(this.locks, `s-${id}.lock`)
  }
  /** The trial slots of a shared session (see trial-slots.ts). */
  slotsDir(id: string): string {
    return join(this.sessions, id, 'slots')
  }
  slot(id: string, trialIdx: number): string {
    return join(this.sessions, id, 'slots', String(trialIdx))
  }
  /** The trial progress of a session (see trial-progress.ts). */
  progressDir(id: string): string {
    return join(this.sessions, id, 'progress')
  }
  /** The lock of one trial slot (see trial-slots.ts): `u-<trialIdx>-<id>`, a family apart from `s-` and `t-`. */
  slotLock(id: string, trialIdx: number): string {
    return join(this.locks, `u-${trialIdx}-${id}.lock`)
  }

  warmStartKeyDir(key: string): string {
    return join(this.warmStart, encodeName(key))
  }
  warmStartEntry(key: string, runId: string): string {
    return join(this.warmStart, encodeName(key), `${encodeName(runId)}${ENTRY_SUFFIX}`)
  }
  /** The lock of a warm-start key, by its encoded directory name. */
  warmStartLock(keyName: string): string {
    return join(this.locks, `w-${keyName}.lock`)
  }
}

/** File name suffix of a warm-start entry. */
export const ENTRY_SUFFIX = '.entry'

const PLAIN_NAME = /^[a-z0-9_-]{1,128}$/

/**
 * A file name for an arbitrary string (a warm-start key or run id), injective and safe on
 * every filesystem: lowercase letters, digits, `_` and `-` (a hex fingerprint, say) are kept
 * as `p-<name>`; anything else becomes `h-<sha256 hex>` (the real value is stored inside
 * the entry). Lowercase only, so case-insensitive filesystems cannot merge two names.
 */
export function encodeName(value: string): string {
  if (PLAIN_NAME.test(value)) return `p-${value}`
  return `h-${createHash('sha256').update(value, 'utf8').digest('hex')}`
}

/** The value behind a `p-` name, or undefined for a hashed one. */
export function decodePlainName(name: string): string | undefined {
  return name.startsWith('p-') ? name.slice(2) : undefined
}
