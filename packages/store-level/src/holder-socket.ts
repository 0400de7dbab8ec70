import { createHash, randomBytes } from 'node:crypto'
import { unlinkSync } from 'node:fs'
import { chmod, lstat, mkdir, realpath, rename, unlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

/**
 * The longest socket path, in bytes, that binds everywhere: `sun_path` holds 104 bytes on
 * macOS and the BSDs, 108 on Linux, the terminating NUL included.
 */
const MAX_SOCKET_PATH = 103
/** `cairn-<uid>/<32 hex digits>.sock`, and what `bindPath` appends while it binds (`.<12 hex digits>`). */
const NAME_BYTES = 70

/**
 * Where the process holding the database at `location` listens:
 * `<tmpdir>/cairn-<uid>/<hash of the directory's real path>.sock`, in a directory only this
 * user can open (`/tmp` stands in for a temp directory whose path is too long to bind a socket
 * under); on Windows the named pipe `\\.\pipe\cairn-<hash>`. Not in the database directory
 * itself: a socket there would make copying the directory fail (`cp -r`, a backup) while a
 * run holds it. Also the directory's real path (the holder names it when it greets). Null
 * when the directory does not exist (then nobody holds it).
 */
export async function socketPathFor(location: string): Promise<{ path: string; real: string } | null> {
  let real: string
  try {
    real = await realpath(location)
  } catch {
    return null
  }
  const key = createHash('sha256')
    .update(process.platform === 'win32' ? real.toLowerCase() : real)
    .digest('hex')
    .slice(0, 32)
  if (process.platform === 'win32') return { path: `\\\\.\\pipe\\cairn-${key}`, real }
  const base = tmpdir()
  const dir = join(Buffer.byteLength(base) + NAME_BYTES <= MAX_SOCKET_PATH ? base : '/tmp', `cairn-${process.getuid?.() ?? 'user'}`)
  return { path: join(dir, `${key}.sock`), real }
}

/**
 * Makes sure the socket at `path` may be trusted, or created there: its directory exists (made
 * now when `create`), is a real directory owned by this user that nobody else may open (mode
 * 0700), and the socket, if any, is a socket of this user's. Returns why not, or null.
 */
export async function untrustedReason(path: string, create: boolean): Promise<string | null> {
  if (process.platform === 'win32') return null
  const uid = process.getuid?.()
  const dir = dirname(path)
  if (create) await mkdir(dir, { mode: 0o700 }).catch(() => undefined)
  const info = await lstat(dir).catch(() => null)
  if (!info) return `${dir} does not exist`
  if (!info.isDirectory() || info.uid !== uid || (info.mode & 0o077) !== 0)
    return `${dir} is not a directory of this user's that only they can open (mode 0700)`
  const socket = await lstat(path).catch(() => null)
  if (socket && (!socket.isSocket() || socket.uid !== uid)) return `${path} is not a socket of this user's`
  return null
}

/**
 * Binds `listen` to `path` so that nobody but this user can ever connect: it binds a temporary
 * name beside it, makes that owner-only (0600), then renames it over `path` — replacing a socket
 * a killed holder left behind, which connects to nothing. The caller holds the database's lock,
 * so no other live process serves at `path`. Returns the bound path (`path`).
 */
export async function bindPath(path: string, listen: (path: string) => Promise<void>): Promise<void> {
  if (process.platform === 'win32') return listen(path)
  const temporary = `${path}.${randomBytes(6).toString('hex')}`
  await listen(temporary)
  try {
    await chmod(temporary, 0o600)
    await rename(temporary, path)
  } catch (err) {
    await unlink(temporary).catch(() => undefined)
    throw err
  }
}

/** Removes the socket file at `path` (nothing on Windows, where a pipe goes with its server). */
export async function removeSocket(path: string): Promise<void> {
  forgetOnExit(path)
  if (process.platform !== 'win32') await unlink(path).catch(() => undefined)
}

/** Sockets this process serves on: removed when it exits without closing its stores (a killed one leaves its socket for the next holder to replace). */
const serving = new Set<string>()

/** Removes the socket at `path` when the process exits, unless `removeSocket` did before. */
export function removeOnExit(path: string): void {
  if (process.platform === 'win32') return
  if (serving.size === 0) process.on('exit', removeAll)
  serving.add(path)
}

function forgetOnExit(path: string): void {
  if (!serving.delete(path) || serving.size > 0) return
  process.off('exit', removeAll)
}

function removeAll(): void {
  for (const path of serving) {
    try {
      unlinkSync(path)
    } catch {
      // already gone
    }
  }
}
