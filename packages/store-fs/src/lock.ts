import { randomUUID } from 'node:crypto'
import { link, mkdir, open, readFile, readlink, stat, utimes } from 'node:fs/promises'
import { hostname } from 'node:os'
import { dirname } from 'node:path'
import { TimeoutError } from '@cairn/core'
import { errorCode, isMissing, sleep, unlinkIfExists } from './io.js'
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
      // The dead holder's own temporary file, had it been killed before removing it.
      if (seen.holder) await unlinkIfExists(`${path}.${seen.holder.token}.tmp`)
    }
  } finally {
    await unlinkIfExists(breaker)
  }
}

/** A lock this process holds. */
interface Held {
  release(): Promise<void>
}

async function writeHolderFile(path: string, holder: Holder): Promise<void> {
  try {
    const fh = await open(path, 'wx')
    try {
      await fh.writeFile(JSON.stringify(holder))
    } finally {
      await fh.close()
    }
  } catch (err) {
    if (!isMissing(err)) throw err
    await mkdir(dirname(path), { recursive: true })
    await writeHolderFile(path, holder)
  }
}

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV'])

/** Creates the lock file with its content in one step (a hard link of a filled temporary file); false when it exists. */
async function tryCreate(path: string, tmp: string, holder: Holder): Promise<boolean> {
  try {
    await link(tmp, path)
    return true
  } catch (err) {
    const code = errorCode(err)
    if (code === 'EEXIST') return false
    if (!code || !NO_HARD_LINKS.has(code)) throw err
  }
  // No hard links on this filesystem: exclusive create, then fill (an empty lock file goes stale by age).
  try {
    await writeHolderFile(path, holder)
    return true
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return false
    throw err
  }
}

async function acquire(path: string, options: LockOptions): Promise<Held> {
  const holder: Holder = { ...(await self()), token: randomUUID(), at: Date.now() }
  const tmp = `${path}.${holder.token}.tmp`
  await writeHolderFile(tmp, holder)
  try {
    const deadline = Date.now() + options.timeoutMs
    let delay = 1
    for (;;) {
      if (await tryCreate(path, tmp, holder)) break
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
  } finally {
    await unlinkIfExists(tmp)
  }
  // Keep the file fresh while held, so a waiter that cannot check our pid never takes it for stale.
  const timer = setInterval(() => {
    const now = new Date()
    utimes(path, now, now).catch(() => {})
  }, Math.max(10, Math.floor(options.staleMs / 3)))
  timer.unref()
  return {
    async release() {
      clearInterval(timer)
      const seen = await observe(path)
      if (seen?.holder?.token === holder.token) await unlinkIfExists(path)
    },
  }
}

/** In-process queues, so callers in one process wait on a promise rather than poll the file. */
const queues = new Map<string, Promise<void>>()

/**
 * Runs `fn` inside a critical section shared by every process on this machine that uses the
 * same lock file. The lock is a file created atomically (a hard link of a filled temporary
 * file); a holder killed with SIGKILL leaves it behind, and the next caller breaks it once
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
