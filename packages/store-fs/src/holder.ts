import { randomUUID } from 'node:crypto'
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { readFile, readdir, readlink, rm, stat } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { errorCode, isMissing, makeDirs, unlinkIfExists, unlinkSyncIfExists } from './io.js'

/** Who holds a lock: enough to tell, on the same host, whether that process is still alive. */
export interface Holder {
  token: string
  pid: number
  host: string
  /** The holder's pid namespace (Linux), so containers sharing a hostname are told apart. */
  ns: string
  /** The holder's start time in clock ticks since boot (Linux), so a reused pid is told apart. */
  start: string | null
  at: number
  /** Locks written by exclusive create (no hard links) carry a token of their own; this is their holder's. */
  holder?: string
}

export type Identity = Omit<Holder, 'token' | 'at' | 'holder'>

/** A lock or holder file as seen by another process. */
export interface Observed {
  holder: Holder | undefined
  ino: number
  mtimeMs: number
}

let identity: Promise<Identity> | undefined

/** This process's identity. */
export function self(): Promise<Identity> {
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
 * or cannot be told from here (`undefined`: another host or pid namespace). A stopped process
 * (SIGSTOP) is alive.
 */
export async function holderAlive(holder: Holder): Promise<boolean | undefined> {
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

/** Reads a lock or holder file: who wrote it, its inode and when it was last touched; undefined when it is gone. */
export async function observe(path: string): Promise<Observed | undefined> {
  try {
    const [st, text] = await Promise.all([stat(path), readFile(path, 'utf8')])
    return { holder: parseHolder(text), ino: st.ino, mtimeMs: st.mtimeMs }
  } catch (err) {
    if (isMissing(err)) return undefined
    throw err
  }
}

/** `observe`, synchronously (for the few steps of breaking a lock that must follow each other closely). */
export function observeSync(path: string): Observed | undefined {
  try {
    const st = statSync(path)
    return { holder: parseHolder(readFileSync(path, 'utf8')), ino: st.ino, mtimeMs: st.mtimeMs }
  } catch (err) {
    if (isMissing(err)) return undefined
    throw err
  }
}

function parseHolder(text: string): Holder | undefined {
  try {
    const parsed = JSON.parse(text) as Holder
    return typeof parsed?.token === 'string' && typeof parsed.pid === 'number' ? parsed : undefined
  } catch {
    return undefined
  }
}

/** A holder token is a UUID: only such names are ever turned into paths. */
const TOKEN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
/** Name of the identity file inside a holder directory (the one its locks are hard links of). */
const HOLDER_FILE = 'holder'
/** A copy of it left in a revoked holder directory. */
const IDENTITY_FILE = 'identity'
/** Suffix of a holder directory revoked by another process. */
export const REVOKED = '.revoked-'
/** Holder files of earlier versions: `<token>.holder` beside the locks. */
const LEGACY_SUFFIX = '.holder'

/** The directory of the holder a lock file names (its own, for a lock made by exclusive create); undefined when it names none. */
function holderDirOf(locks: string, holder: Holder | undefined): string | undefined {
  const token = holder?.holder ?? holder?.token
  return token !== undefined && TOKEN.test(token) ? join(locks, token) : undefined
}

/**
 * This process's holder directory in one lock directory, `locks/<token>/`: the file `holder`
 * (its identity as JSON), which taking a lock hard-links to the lock's name — one `link`, the
 * name appears with its content in one step — and the temporary files of the atomic writes it
 * makes under its locks (its *staging* area). The file is kept open, so its inode can never be
 * reused while this process lives: a lock whose inode is this one is ours.
 *
 * A process that breaks a lock of a holder that may still be alive (stopped, say) renames the
 * directory away: the holder's pending renames out of it fail, and its next lock makes a new
 * directory. Removed when the process exits; a dead process's is removed by whoever breaks
 * its lock, or by the next process that starts locking in the directory.
 */
export interface HolderDir {
  token: string
  dir: string
  path: string
  body: string
  fd: number
  ino: bigint
  dev: bigint
  /** When this process last set the file's mtime (creating it, or touching one of its locks). */
  touchedAt: number
  /** How many locks this process holds as hard links of the file: its link count is one more while it is not revoked. */
  linked: number
}

const holderDirs = new Map<string, HolderDir>()
let exitHook = false

/** This process's holder directory in `locks`, made on first use. */
export function holderDir(locks: string, me: Identity): HolderDir {
  const known = holderDirs.get(locks)
  if (known) return known
  makeDirs(locks)
  const token = randomUUID()
  const body = JSON.stringify({ ...me, token, at: Date.now() })
  const dir = join(locks, token)
  mkdirSync(dir)
  const path = join(dir, HOLDER_FILE)
  const fd = openSync(path, 'wx')
  try {
    writeSync(fd, body)
  } catch (err) {
    closeSync(fd)
    throw err
  }
  const st = fstatSync(fd, { bigint: true })
  const made: HolderDir = { token, dir, path, body, fd, ino: st.ino, dev: st.dev, touchedAt: Date.now(), linked: 0 }
  holderDirs.set(locks, made)
  if (!exitHook) {
    exitHook = true
    process.once('exit', () => {
      for (const h of holderDirs.values()) rmQuietly(h.dir)
    })
  }
  void sweepDeadHolders(locks, dir).catch(() => {})
  return made
}

/** Forgets this process's holder directory in `locks` (revoked by another process); the next lock makes a new one. */
export function dropHolderDir(locks: string): void {
  const h = holderDirs.get(locks)
  if (!h) return
  holderDirs.delete(locks)
  try {
    closeSync(h.fd)
  } catch {
    // already closed
  }
}

/** Whether this process's holder directory in `locks` is still in place. */
export function holderDirIntact(h: HolderDir): boolean {
  // Revoking renames the directory, and no one ever makes a file at a holder's path again.
  return existsSync(h.path)
}

/**
 * Removes holder directories (and holder files of earlier versions) of processes that are
 * provably dead, revoked ones included, and unreadable ones once they are a minute old.
 * Best effort.
 */
async function sweepDeadHolders(locks: string, mine: string): Promise<void> {
  for (const name of await readdir(locks)) {
    const path = join(locks, name)
    if (path === mine) continue
    const token = name.split(REVOKED)[0] ?? ''
    const legacy = name.endsWith(LEGACY_SUFFIX)
    if (!legacy && !TOKEN.test(token)) continue
    const seen = await observe(legacy ? path : join(path, name.includes(REVOKED) ? IDENTITY_FILE : HOLDER_FILE))
    const dead = seen?.holder
      ? (await holderAlive(seen.holder)) === false
      : Date.now() - (seen?.mtimeMs ?? (await stat(path)).mtimeMs) > 60_000
    if (dead) await rm(path, { recursive: true, force: true })
  }
}

/**
 * Revokes the holder a lock file names (one that may still be alive): renames its directory
 * away, so it can no longer rename anything out of it, and removes its holder file there, so
 * its link count drops and it knows, on releasing any lock, that it was revoked. Its identity
 * stays in the revoked directory (`identity`) until that process is gone.
 */
export function revokeHolder(locks: string, holder: Holder | undefined): void {
  const dir = holderDirOf(locks, holder)
  if (!dir) return
  const revoked = `${dir}${REVOKED}${randomUUID()}`
  try {
    renameSync(dir, revoked)
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return // revoked already (it held another lock), or never made
    throw err
  }
  writeFileSync(join(revoked, IDENTITY_FILE), JSON.stringify(holder))
  unlinkSyncIfExists(join(revoked, HOLDER_FILE))
}

/** Removes a dead holder's directory (and its legacy holder file). */
export async function removeDeadHolder(locks: string, holder: Holder): Promise<void> {
  const dir = holderDirOf(locks, holder)
  if (dir) await rm(dir, { recursive: true, force: true })
  if (TOKEN.test(holder.token)) await unlinkIfExists(join(locks, `${holder.token}${LEGACY_SUFFIX}`))
}

function rmQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true })
  } catch {
    // best effort
  }
}
