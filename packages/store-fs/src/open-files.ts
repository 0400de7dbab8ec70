import { fstatSync, openSync, readSync, statSync, type BigIntStats } from 'node:fs'
import { closeQuietly, isMissing } from './io.js'

/** A file kept open; its inode cannot be reused while it is, so an equal inode at its path is this very file. */
interface OpenFile {
  fd: number
  ino: bigint
  dev: bigint
}

interface Entry {
  journal?: OpenFile
  lease?: OpenFile & { size: bigint; mtimeNs: bigint; value: unknown }
}

/**
 * The files a store keeps open between the commits it makes to a session — its journal and
 * its lease file — so a steady stream of commits does not reopen and reread them. Used only
 * under the session's lock, and checked against the path every time: one `stat` says whether
 * the path still names the same inode (a new journal, a rewritten lease file, a session
 * deleted and created again by any process all give a new one), and the caller re-reads the
 * journal's last record anyway, so a commit by another process is always seen. The lease
 * file, only ever replaced whole, is re-read when its inode, size or mtime changed.
 * At most `max` sessions are kept, least recently used first out.
 */
export class OpenFiles {
  private readonly entries = new Map<string, Entry>()

  constructor(private readonly max = 16) {}

  /** The session's journal, open read-write, and its size; undefined when it does not exist. */
  journal(id: string, path: string): { fd: number; size: number } | undefined {
    const st = statIfExists(path)
    if (!st) {
      this.forget(id)
      return undefined
    }
    const entry = this.entry(id)
    const known = entry.journal
    if (known && sameFile(known, st)) return { fd: known.fd, size: Number(st.size) }
    this.forgetJournal(id)
    let fd: number
    try {
      fd = openSync(path, 'r+')
    } catch (err) {
      if (isMissing(err)) return undefined
      throw err
    }
    const now = fstatSync(fd, { bigint: true })
    entry.journal = { fd, ino: now.ino, dev: now.dev }
    return { fd, size: Number(now.size) }
  }

  /** The session's lease file decoded by `decode` (again only when the file changed); undefined when it does not exist. */
  lease<T>(id: string, path: string, decode: (bytes: Uint8Array) => T): T | undefined {
    const st = statIfExists(path)
    if (!st) {
      this.forgetLease(id)
      return undefined
    }
    const entry = this.entry(id)
    const known = entry.lease
    if (known && sameFile(known, st) && known.size === st.size && known.mtimeNs === st.mtimeNs) return known.value as T
    this.forgetLease(id)
    let fd: number
    try {
      fd = openSync(path, 'r')
    } catch (err) {
      if (isMissing(err)) return undefined
      throw err
    }
    try {
      const now = fstatSync(fd, { bigint: true })
      const bytes = Buffer.allocUnsafe(Number(now.size))
      let done = 0
      while (done < bytes.length) {
        const n = readSync(fd, bytes, done, bytes.length - done, done)
        if (n === 0) break
        done += n
      }
      const value = decode(bytes.subarray(0, done))
      entry.lease = { fd, ino: now.ino, dev: now.dev, size: now.size, mtimeNs: now.mtimeNs, value }
      return value
    } catch (err) {
      closeQuietly(fd)
      throw err
    }
  }

  /** Closes the session's journal (it is being replaced). */
  forgetJournal(id: string): void {
    const entry = this.entries.get(id)
    if (entry?.journal) closeQuietly(entry.journal.fd)
    if (entry) delete entry.journal
  }

  /** Closes the session's lease file (it is being replaced). */
  forgetLease(id: string): void {
    const entry = this.entries.get(id)
    if (entry?.lease) closeQuietly(entry.lease.fd)
    if (entry) delete entry.lease
  }

  /** Closes everything kept for the session. */
  forget(id: string): void {
    this.forgetJournal(id)
    this.forgetLease(id)
    this.entries.delete(id)
  }

  closeAll(): void {
    for (const id of [...this.entries.keys()]) this.forget(id)
  }

  private entry(id: string): Entry {
    let entry = this.entries.get(id)
    if (entry) this.entries.delete(id)
    else {
      entry = {}
      for (const oldest of this.entries.keys()) {
        if (this.entries.size < this.max) break
        this.forget(oldest)
      }
    }
    this.entries.set(id, entry)
    return entry
  }
}

/** The file's stats; undefined when it (or a directory above it) does not exist. */
function statIfExists(path: string): BigIntStats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false, bigint: true })
  } catch (err) {
    if (isMissing(err)) return undefined
    throw err
  }
}

function sameFile(known: OpenFile, st: BigIntStats): boolean {
  return known.ino === st.ino && known.dev === st.dev
}
