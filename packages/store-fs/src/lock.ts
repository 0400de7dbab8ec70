import { randomUUID } from 'node:crypto'
import { closeSync, fstatSync, linkSync, mkdirSync, openSync, readFileSync, statSync, utimesSync, writeSync } from 'node:fs'
import { open, readFile, readdir, readlink, stat, utimes } from 'node:fs/promises'
import { hostname } from 'node:os'
import { dirname, join } from 'node:path'
import { TimeoutError } from '@cairn/core'
import { errorCode, isMissing, sleep, unlinkIfExists, unlinkSyncIfExists } from './io.js'
import { PKG } from './layout.js'

/** How a lock is waited for and when a holder counts as dead. */
export interface LockOptions {
  /** A lock whose holder cannot be proven alive and whose file was not touched for this long is broken. */
  staleMs: number
  /** Give up waiting after this long (`TimeoutError`). */
  timeoutMs: number
  /** What the lock protects, for messages (`session "abc"`). */
  what: string
}

/** Who holds a lock: enough to tell, on the same host, whether that process is still alive. */
interface Holder {
  token: string
  pid: number
  host: string
  /** The holder's pid namespace (Linux), so containers sharing a hostname are told apart. */
  ns: string
  /** The holder's start time in clock ticks since boot (Linux), so a reused pid is told apart. */
  start: string | null
  at: number
}

interface Observed {
  holder: Holder | undefined
  ino: number
  mtimeMs: number
}

let identity: Promise<Omit<Holder, 'token' | 'at'>> | undefined

function self(): Promise<Omit<Holder, 'token' | 'at'>> {
  identity ??= (async () => ({
    pid: process.pid,
    host: hostname(),
    ns: process.platform === 'linux' ? await readlink('/proc/self/ns/pid').catch(() => '') : '',
    start: await startTime(process.pid),
  }))()
  return identity
}

/** The process's start time from `/proc/<pid>/stat` (Linux), null elsewhere or when unknown. */
async function startTime(pid: number): Promise<string | null> {
  const fields = await procStat(pid)
  return fields?.[19] ?? null
}

/** Fields 3.. of `/proc/<pid>/stat` (after the command name); null when unreadable or not on Linux. */
async function procStat(pid: number): Promise<string[] | null> {
  if (process.platform !== 'linux') return null
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8')
    return text.slice(text.lastIndexOf(')') + 2).split(' ')
  } catch {
    return null
  }
}

/**
 * Whether the process that wrote `holder` is provably alive (`true`), provably dead (`false`),
 * or cannot be told from here (`undefined`: another host or pid namespace).
 */
async function holderAlive(holder: Holder): Promise<boolean | undefined> {
  const me = await self()
  if (holder.host !== me.host || holder.ns !== me.ns) return undefined
  try {
    process.kill(holder.pid, 0)
  } catch (err) {
    if (errorCode(err) === 'ESRCH') return false
    if (errorCode(err) !== 'EPERM') return undefined
  }
  // Without /proc (not Linux, or not mounted) a live pid may be a reused one: let the file's age decide.
  if (process.platform !== 'linux' || holder.start === null) return undefined
  const fields = await procStat(holder.pid)
  if (fields === null) return false // vanished in between
  const state = fields[0]
  if (state === 'Z' || state === 'X') return false // killed, not yet reaped
  return fields[19] === holder.start // false: the pid now belongs to another process
}

async function observe(path: string): Promise<Observed | undefined> {
  try {
    const [st, text] = await Promise.all([stat(path), readFile(path, 'utf8')])
    let holder: Holder | undefined
    try {
      const parsed = JSON.parse(text) as Holder
      if (typeof parsed?.token === 'string' && typeof parsed.pid === 'number') holder = parsed
    } catch {
      holder = undefined
    }
    return { holder, ino: st.ino, mtimeMs: st.mtimeMs }
  } catch (err) {
    if (isMissing(err)) return undefined
    throw err
  }
}

async function isStale(seen: Observed, staleMs: number): Promise<boolean> {
  if (seen.holder) {
    const alive = await holderAlive(seen.holder)
    if (alive !== undefined) return !alive
  }
  return Date.now() - seen.mtimeMs > staleMs
}

/**
 * Removes a stale lock, but only the very lock judged stale: breakers serialize on a second
 * `.break` file and re-check the lock's inode and token before unlinking it, so two processes
 * that both saw the same dead holder cannot remove a lock a third one has taken since.
 */
async function breakStale(path: string, seen: Observed, staleMs: number): Promise<void> {
  const breaker = `${path}.break`
  try {
    await (await open(breaker, 'wx')).close()
  } catch (err) {
    if (errorCode(err) !== 'EEXIST') throw err
    const st = await stat(breaker).catch(() => undefined)
    // A breaker killed mid-break leaves its file behind: it goes stale by age.
    if (st && Date.now() - st.mtimeMs > staleMs) await unlinkIfExists(breaker)
    else await sleep(2)
    return
  }
  try {
    const now = await observe(path)
    if (now && now.ino === seen.ino && now.mtimeMs === seen.mtimeMs && now.holder?.token === seen.holder?.token) {
      await unlinkIfExists(path)
      // The dead holder's own holder file (were it alive after all, it makes a new one).
      if (seen.holder && TOKEN.test(seen.holder.token)) await unlinkIfExists(join(dirname(path), `${seen.holder.token}${HOLDER_SUFFIX}`))
    }
  } finally {
    await unlinkIfExists(breaker)
  }
}

/** A lock this process holds. */
interface Held {
  release(): Promise<void>
}

/** Suffix of holder files; a holder's token is a UUID. */
const HOLDER_SUFFIX = '.holder'
const TOKEN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * This process's holder file in one lock directory, `<token>.holder`: its identity as JSON.
 * Taking a lock hard-links it to the lock's name — one `link`, the name appears with its
 * content in one step — and releasing it unlinks that name. The file is kept open, so its
 * inode can never be reused while this process lives: a lock whose inode is this one is ours.
 * Removed when the process exits; a killed process's is removed by whoever breaks its lock,
 * or by the next process that starts locking in the directory.
 */
interface HolderFile {
  path: string
  body: string
  fd: number
  ino: bigint
  dev: bigint
  /** When this process last set the file's mtime (creating it, or touching one of its locks). */
  touchedAt: number
}

const holderFiles = new Map<string, HolderFile>()
let exitHook = false

/** Creates `path` exclusively with `body` (synchronously: microseconds on a local disk); creates its directory when missing. */
function createFilled(path: string, body: string, keepOpen: boolean): number | undefined {
  let fd: number
  try {
    fd = openSync(path, 'wx')
  } catch (err) {
    if (!isMissing(err)) throw err
    mkdirSync(dirname(path), { recursive: true })
    fd = openSync(path, 'wx')
  }
  try {
    writeSync(fd, body)
  } catch (err) {
    closeSync(fd)
    throw err
  }
  if (keepOpen) return fd
  closeSync(fd)
  return undefined
}

function holderFile(dir: string, me: Omit<Holder, 'token' | 'at'>): HolderFile {
  const known = holderFiles.get(dir)
  if (known) return known
  const token = randomUUID()
  const body = JSON.stringify({ ...me, token, at: Date.now() })
  const path = join(dir, `${token}${HOLDER_SUFFIX}`)
  const fd = createFilled(path, body, true) as number
  const st = fstatSync(fd, { bigint: true })
  const made: HolderFile = { path, body, fd, ino: st.ino, dev: st.dev, touchedAt: Date.now() }
  holderFiles.set(dir, made)
  if (!exitHook) {
    exitHook = true
    process.once('exit', () => {
      for (const h of holderFiles.values()) unlinkSyncQuietly(h.path)
    })
  }
  void sweepDeadHolders(dir, path).catch(() => {})
  return made
}

/** Forgets a holder file someone removed (a breaker that took this process for dead); the next lock makes a new one. */
function dropHolderFile(dir: string): void {
  const h = holderFiles.get(dir)
  if (!h) return
  holderFiles.delete(dir)
  try {
    closeSync(h.fd)
  } catch {
    // already closed
  }
}

/**
 * Removes holder files of processes that are provably dead, and unreadable ones (a process
 * killed between creating and filling its own) once they are a minute old. Best effort.
 */
async function sweepDeadHolders(dir: string, mine: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const path = join(dir, name)
    if (!name.endsWith(HOLDER_SUFFIX) || path === mine) continue
    const seen = await observe(path)
    if (!seen) continue
    const dead = seen.holder ? (await holderAlive(seen.holder)) === false : Date.now() - seen.mtimeMs > 60_000
    if (dead) await unlinkIfExists(path)
  }
}

function unlinkSyncQuietly(path: string): void {
  try {
    unlinkSyncIfExists(path)
  } catch {
    // best effort
  }
}

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV'])

/**
 * One attempt at taking the lock at `path`. `linked`: it is ours, as a hard link of the holder
 * file; `created`: ours, written by exclusive create (no hard links on this filesystem, so an
 * empty lock file left by a crash goes stale by age); `busy`: someone holds it; `no-holder`:
 * the holder file is gone (make a new one and try again).
 */
function tryTake(holder: HolderFile, path: string, body: () => string): 'linked' | 'created' | 'busy' | 'no-holder' {
  try {
    linkSync(holder.path, path)
    return 'linked'
  } catch (err) {
    const code = errorCode(err)
    if (code === 'EEXIST') return 'busy'
    if (code === 'ENOENT') return 'no-holder'
    if (!code || !NO_HARD_LINKS.has(code)) throw err
  }
  try {
    createFilled(path, body(), false)
    return 'created'
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return 'busy'
    throw err
  }
}

/**
 * Takes the lock. Uncontended, that is two synchronous metadata operations (link the holder
 * file, stamp the time) and releasing it two more (check it is ours, unlink): no fsync, since
 * a lock only has to exclude live processes, and one left by a crash is broken as described
 * below.
 */
async function acquire(path: string, options: LockOptions): Promise<Held> {
  const me = await self()
  const dir = dirname(path)
  let holder = holderFile(dir, me)
  // Without hard links the lock file holds its own copy, with a token of this acquisition.
  let body: string | undefined
  const ownBody = () => (body ??= JSON.stringify({ ...me, token: randomUUID(), at: Date.now() }))
  const deadline = Date.now() + options.timeoutMs
  let delay = 1
  let outcome: 'linked' | 'created'
  for (;;) {
    const tried = tryTake(holder, path, ownBody)
    if (tried === 'linked' || tried === 'created') {
      outcome = tried
      break
    }
    if (tried === 'no-holder') {
      dropHolderFile(dir)
      holder = holderFile(dir, me)
      continue
    }
    const seen = await observe(path)
    if (!seen) continue
    if (await isStale(seen, options.staleMs)) {
      await breakStale(path, seen, options.staleMs)
      continue
    }
    if (Date.now() >= deadline) {
      const by = seen.holder ? ` (held by pid ${seen.holder.pid} on ${seen.holder.host})` : ''
      throw new TimeoutError(`${PKG} waiting for the lock on ${options.what}${by}, ${path},`, options.timeoutMs)
    }
    await sleep(delay + Math.random() * delay)
    delay = Math.min(delay * 2, 25)
  }
  const linked = outcome === 'linked'
  const held = holder
  const { ino, dev } = held
  const every = Math.max(10, Math.floor(options.staleMs / 3))
  // The holder file is shared by this process's locks, and so is its mtime: a lock taken by
  // linking it is as fresh as the file's last touch, so touch it unless that was recent.
  if (linked && Date.now() - held.touchedAt >= every) {
    const now = new Date()
    try {
      utimesSync(path, now, now)
      held.touchedAt = now.getTime()
    } catch {
      // only freshness for waiters that cannot check our pid; the timer below retries
    }
  }
  // Keep the file fresh while held, so a waiter that cannot check our pid never takes it for stale.
  const timer = setInterval(() => {
    const now = new Date()
    utimes(path, now, now).then(
      () => {
        if (linked) held.touchedAt = now.getTime()
      },
      () => {},
    )
  }, every)
  timer.unref()
  return {
    async release() {
      clearInterval(timer)
      // Only our own lock: had it been judged stale and broken, it may be someone else's now.
      if (linked) {
        const st = statSync(path, { throwIfNoEntry: false, bigint: true })
        if (st && st.ino === ino && st.dev === dev) unlinkSyncIfExists(path)
        return
      }
      let current: string | undefined
      try {
        current = readFileSync(path, 'utf8')
      } catch (err) {
        if (!isMissing(err)) throw err
      }
      if (current === body) unlinkSyncIfExists(path)
    },
  }
}

/** In-process queues, so callers in one process wait on a promise rather than poll the file. */
const queues = new Map<string, Promise<void>>()

/**
 * Runs `fn` inside a critical section shared by every process on this machine that uses the
 * same lock file. The lock is a file created atomically (a hard link of this process's holder
 * file, which names it); a holder killed with SIGKILL leaves it behind, and the next caller breaks it once
 * the holder is provably dead (same host and pid namespace, pid gone, a zombie, or reused)
 * or, when that cannot be told, once the file is older than `staleMs` (holders touch it).
 */
export async function withLock<T>(path: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const previous = queues.get(path) ?? Promise.resolve()
  let done!: () => void
  const mine = new Promise<void>((resolve) => (done = resolve))
  const tail = previous.then(() => mine)
  queues.set(path, tail)
  await previous
  try {
    const held = await acquire(path, options)
    try {
      return await fn()
    } finally {
      await held.release()
    }
  } finally {
    done()
    if (queues.get(path) === tail) queues.delete(path)
  }
}
