import { randomUUID } from 'node:crypto'
import { closeSync, existsSync, linkSync, openSync, readFileSync, readdirSync, statSync, utimesSync, writeSync } from 'node:fs'
import { open, stat, utimes } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { TimeoutError } from '@cairn/core'
import {
  REVOKED,
  dropHolderDir,
  holderAlive,
  holderDir,
  holderDirIntact,
  observe,
  observeSync,
  removeDeadHolder,
  revokeHolder,
  self,
  type HolderDir,
  type Identity,
  type Observed,
} from './holder.js'
import { errorCode, sleep, unlinkIfExists, unlinkSyncIfExists } from './io.js'
import { PKG } from './layout.js'

/** How a lock is waited for, when its holder counts as gone, and what its holder must do after a takeover. */
export interface LockOptions {
  /**
   * A lock whose holder is not provably dead (alive but stopped or stalled, or on another host)
   * and whose file was not touched for this long may be broken. Holders touch it every third of it.
   */
  staleMs: number
  /** Give up waiting after this long (`TimeoutError`). */
  timeoutMs: number
  /** What the lock protects, for messages (`session "abc"`). */
  what: string
  /**
   * Whether a holder that may still be alive may be broken once its lock is stale (default
   * yes). A session lock says so only once the session's lease has lapsed: a holder stopped
   * while its lease runs is waited for, one whose lease expired is not.
   */
  mayBreakLive?: () => boolean
  /**
   * Runs first in the critical section after such a holder was broken (by this process or
   * another that did not finish): makes sure whatever the old holder may still write through
   * files it has open lands nowhere visible. `revoked` are the old holders' revoked directories.
   */
  fence?: (ctx: LockContext, revoked: readonly string[]) => Promise<void>
  /** The error of a critical section whose lock was broken while it ran (`cause`: what it failed with). */
  lost(cause: unknown): Error
  /**
   * A waiter looks again after 1 ms, then twice as long each time, up to this (default 25 ms; with
   * jitter). Locks whose critical sections are short and often contended want it small: a waiter
   * asleep for long misses the release by up to this long.
   */
  maxRetryDelayMs?: number
}

/** What a critical section gets. */
export interface LockContext {
  /**
   * This holder's directory for temporary files (`writeFileAtomic`), on the lock directory's
   * filesystem. Revoked — renamed away — when another process breaks this holder's lock, so a
   * rename out of it after that fails.
   */
  readonly staging: string
}

/** A lock this process holds. */
interface Held {
  ctx: LockContext
  /** Releases it; false when it was no longer ours (broken meanwhile). */
  release(): boolean
  /** Whether this holder's directory is still in place (it was not revoked). */
  intact(): boolean
}

/** `LockOptions.maxRetryDelayMs` by default. */
const DEFAULT_MAX_RETRY_DELAY_MS = 25

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV'])

/** Creates `path` exclusively with `body` (synchronously: microseconds on a local disk). */
function createFilled(path: string, body: string): void {
  const fd = openSync(path, 'wx')
  try {
    writeSync(fd, body)
  } finally {
    closeSync(fd)
  }
}

/**
 * One attempt at taking the lock at `path`. `linked`: it is ours, as a hard link of the holder
 * file; `created`: ours, written by exclusive create (no hard links on this filesystem, so an
 * empty lock file left by a crash goes stale by age); `busy`: someone holds it; `no-holder`:
 * the holder file is gone (revoked: make a new one and try again).
 */
function tryTake(holder: HolderDir, path: string, body: () => string): 'linked' | 'created' | 'busy' | 'no-holder' {
  try {
    linkSync(holder.path, path)
    return 'linked'
  } catch (err) {
    const code = errorCode(err)
    if (code === 'EEXIST') return 'busy'
    if (code === 'ENOENT') return 'no-holder'
    if (!code || !NO_HARD_LINKS.has(code)) throw err
  }
  if (!holderDirIntact(holder)) return 'no-holder'
  try {
    createFilled(path, body())
    return 'created'
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return 'busy'
    throw err
  }
}

/** `dead`: break it; `stalled`: alive or unknown, but stale and breakable (revoke, then break); `held`: wait. */
type Verdict = 'dead' | 'stalled' | 'held'

async function judge(seen: Observed, options: LockOptions): Promise<Verdict> {
  const alive = seen.holder ? await holderAlive(seen.holder) : undefined
  if (alive === false) return 'dead'
  if (Date.now() - seen.mtimeMs <= options.staleMs) return 'held'
  // Provably alive (stopped, or its event loop blocked): only when its lease, if any, lapsed.
  // Liveness unknown (another host or container): by age alone, as such locks always were.
  if (alive === true && options.mayBreakLive && !options.mayBreakLive()) return 'held'
  return 'stalled'
}

/** The file that says a lock was broken from a holder that may be alive, and must be fenced before use. */
function fenceFile(lockPath: string): string {
  return `${lockPath.replace(/\.lock$/, '')}.fence`
}

/**
 * Removes a stale lock, but only the very lock judged stale: breakers serialize on a second
 * `.break` file and re-check the lock's inode and token before unlinking it, so two processes
 * that both saw the same dead holder cannot remove a lock a third one has taken since. A holder
 * that may still be alive is revoked first: its directory is renamed away (so it cannot rename
 * anything into place any more) and, when the lock has a fence, the fence file is left for the
 * next holder.
 */
async function breakStale(path: string, seen: Observed, verdict: Verdict, options: LockOptions): Promise<void> {
  const breaker = `${path}.break`
  try {
    await (await open(breaker, 'wx')).close()
  } catch (err) {
    if (errorCode(err) !== 'EEXIST') throw err
    const st = await stat(breaker).catch(() => undefined)
    // A breaker killed mid-break leaves its file behind: it goes stale by age.
    if (st && Date.now() - st.mtimeMs > options.staleMs) await unlinkIfExists(breaker)
    else await sleep(2)
    return
  }
  try {
    const same = (): boolean => {
      const now = observeSync(path)
      return now !== undefined && now.ino === seen.ino && now.mtimeMs === seen.mtimeMs && now.holder?.token === seen.holder?.token
    }
    if (!same()) return
    const locks = dirname(path)
    if (verdict === 'stalled') {
      if (options.fence) closeSync(openSync(fenceFile(path), 'a'))
      // Revoked first: from now on the holder neither renames anything into place nor removes
      // this lock when it runs again (its release checks its directory first), so the lock
      // is still its own when unlinked below, unless it released in the instant before.
      revokeHolder(locks, seen.holder)
      if (!same()) return
    }
    unlinkSyncIfExists(path)
    // A dead holder's directory goes with its lock (were it alive after all, it makes a new one).
    if (verdict === 'dead' && seen.holder) await removeDeadHolder(locks, seen.holder)
  } finally {
    await unlinkIfExists(breaker)
  }
}

/**
 * Takes the lock. Uncontended, that is two synchronous metadata operations (link the holder
 * file, stamp the time, the latter only now and then) and releasing it two more (check it is
 * ours, unlink): no fsync, since a lock only has to exclude live processes, and one left by a
 * crash is broken as described at `withLock`.
 */
async function acquire(path: string, options: LockOptions): Promise<Held> {
  const me = await self()
  const locks = dirname(path)
  let holder = holderDir(locks, me)
  // Without hard links the lock file holds its own copy, with a token of this acquisition.
  let body: string | undefined
  const ownBody = (): string => (body ??= JSON.stringify({ ...me, token: randomUUID(), holder: holder.token, at: Date.now() }))
  const deadline = Date.now() + options.timeoutMs
  const every = touchEvery(options)
  let delay = 1
  let outcome: 'linked' | 'created'
  for (;;) {
    // The holder file is shared by this process's locks, and so is its mtime: a lock taken by
    // linking it is as fresh as the file's last touch, so touch it first unless that was recent.
    if (Date.now() - holder.touchedAt >= every) touch(holder)
    const tried = tryTake(holder, path, ownBody)
    if (tried === 'linked' || tried === 'created') {
      outcome = tried
      break
    }
    if (tried === 'no-holder') {
      dropHolderDir(locks)
      holder = holderDir(locks, me)
      body = undefined
      continue
    }
    const seen = await observe(path)
    if (!seen) continue
    const verdict = await judge(seen, options)
    if (verdict !== 'held') {
      await breakStale(path, seen, verdict, options)
      continue
    }
    if (Date.now() >= deadline) throw timedOut(path, seen, options, me)
    await sleep(delay + Math.random() * delay)
    delay = Math.min(delay * 2, options.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS)
  }
  if (outcome === 'linked') holder.linked++
  return held(path, holder, outcome === 'linked', body, options)
}

function timedOut(path: string, seen: Observed, options: LockOptions, me: Identity): TimeoutError {
  const h = seen.holder
  const idle = Math.round(Date.now() - seen.mtimeMs)
  let by = ''
  if (h) {
    by = ` (held by pid ${h.pid}${h.host === me.host ? '' : ` on ${h.host}`}`
    if (idle > options.staleMs)
      by += `, which has not touched it for ${idle} ms — stopped or stalled — and is waited for until its lease expires`
    by += ')'
  }
  return new TimeoutError(`${PKG} waiting for the lock on ${options.what}${by}, ${path},`, options.timeoutMs)
}

/** How often a holder touches its lock. */
function touchEvery(options: LockOptions): number {
  return Math.max(10, Math.floor(options.staleMs / 3))
}

function touch(holder: HolderDir): void {
  const now = new Date()
  try {
    utimesSync(holder.path, now, now)
    holder.touchedAt = now.getTime()
  } catch {
    // only freshness for waiters; gone means revoked, which taking the lock finds out
  }
}

function held(path: string, holder: HolderDir, linked: boolean, body: string | undefined, options: LockOptions): Held {
  const { ino, dev } = holder
  const every = touchEvery(options)
  // Keep the file fresh while held, so no waiter takes it for stale while this process is responsive.
  const timer = setInterval(() => {
    const now = new Date()
    utimes(path, now, now).then(
      () => {
        if (linked) holder.touchedAt = now.getTime()
      },
      () => {},
    )
  }, every)
  timer.unref()
  return {
    ctx: { staging: holder.dir },
    intact: () => holderDirIntact(holder),
    release() {
      clearInterval(timer)
      // Only our own lock: had it been judged stale and broken, it may be someone else's now;
      // and not once revoked, the breaker removes it (see breakStale).
      if (linked) {
        const st = statSync(path, { throwIfNoEntry: false, bigint: true })
        // Linked as `holder` and as each lock held: one link less means the holder file was revoked.
        const intact = st !== undefined && st.nlink === BigInt(holder.linked + 1)
        holder.linked--
        if (!st || st.ino !== ino || st.dev !== dev || !intact) return false
        unlinkSyncIfExists(path)
        return true
      }
      let current: string | undefined
      try {
        current = readFileSync(path, 'utf8')
      } catch {
        current = undefined
      }
      if (current !== body || !holderDirIntact(holder)) return false
      unlinkSyncIfExists(path)
      return true
    },
  }
}

/** The revoked holder directories in `locks` (whose holders were broken while possibly alive). */
function revokedDirs(locks: string): string[] {
  return readdirSync(locks)
    .filter((n) => n.includes(REVOKED))
    .map((n) => join(locks, n))
}

/** In-process queues, so callers in one process wait on a promise rather than poll the file. */
const queues = new Map<string, Promise<void>>()

/**
 * Runs `fn` inside a critical section shared by every process on this machine that uses the
 * same lock file. The lock is a file created atomically (a hard link of this process's holder
 * file, which names it). A holder killed with SIGKILL leaves it behind, and the next caller
 * breaks it once the holder is provably dead (same host and pid namespace, pid gone, a zombie,
 * or reused). A holder that is alive but does not touch its lock for `staleMs` — stopped with
 * SIGSTOP, or stalled — and any holder whose liveness cannot be told, is broken once the file
 * is that old and `mayBreakLive` agrees; it is fenced off first (see `breakStale`, `fence`):
 * if it runs again, the critical section it was in fails with `lost()`, and nothing it had not
 * already made visible becomes visible.
 */
export async function withLock<T>(path: string, options: LockOptions, fn: (ctx: LockContext) => Promise<T>): Promise<T> {
  const previous = queues.get(path) ?? Promise.resolve()
  let done!: () => void
  const mine = new Promise<void>((resolve) => (done = resolve))
  const tail = previous.then(() => mine)
  queues.set(path, tail)
  await previous
  try {
    const lock = await acquire(path, options)
    let result: T | undefined
    let failure: unknown
    let failed = false
    try {
      const fence = fenceFile(path)
      if (options.fence && existsSync(fence)) {
        await options.fence(lock.ctx, revokedDirs(dirname(path)))
        unlinkSyncIfExists(fence)
      }
      result = await fn(lock.ctx)
    } catch (err) {
      failed = true
      failure = err
    }
    const ours = lock.release()
    // Broken while it ran: it may have been stopped half-way; or its holder directory was
    // revoked by a breaker that died before removing the lock, and what it wrote there failed.
    if (!ours || (failed && !lock.intact())) {
      dropHolderDir(dirname(path))
      throw options.lost(failure)
    }
    if (failed) throw failure
    return result as T
  } finally {
    done()
    if (queues.get(path) === tail) queues.delete(path)
  }
}
