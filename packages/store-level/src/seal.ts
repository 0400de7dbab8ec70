import { open, readFile, rename, stat } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * The seal a store leaves beside a database it closed: the sizes of LevelDB's files then.
 *
 * LevelDB's own checks cannot tell a log cut short (a truncated `.log` or `MANIFEST`) from an
 * append a crash interrupted, and recover the writes before the cut as if nothing had happened.
 * After a clean close nothing was interrupted, so the next open compares the files with the
 * seal: any file shorter, longer, missing or new is damage. The seal names the `MANIFEST` that
 * `CURRENT` pointed at; every open of a LevelDB database writes a new one, so a database
 * opened since (by this store after a crash, or by another tool) has outgrown its seal, which
 * is then ignored. LevelDB itself ignores the file: its name is none of LevelDB's.
 */
export const SEAL_FILE = 'cairn-seal.json'

/** What a seal records. */
export interface Seal {
  v: 1
  /** The content of `CURRENT` at close: the name of the MANIFEST in force, and a newline. */
  current: string
  /** Size in bytes of each of LevelDB's data files (`CURRENT`, `MANIFEST-*`, `*.log`, `*.ldb`, `*.sst`). */
  files: Record<string, number>
}

/** LevelDB's files that hold data or describe it (not its `LOCK`, nor its `LOG` text logs). */
export function isDataFile(name: string): boolean {
  return name === 'CURRENT' || /^MANIFEST-\d+$/.test(name) || /^\d+\.(log|ldb|sst)$/.test(name)
}

/**
 * Records the sizes of the data files of a closed database (`names`: the directory's entries).
 * The logs are flushed to disk first (with `sync: false` their last writes may still be in the
 * page cache), so the seal never promises more than a power loss leaves. Written aside,
 * flushed, then renamed over the previous seal.
 */
export async function writeSeal(location: string, names: readonly string[]): Promise<void> {
  const files: Record<string, number> = {}
  for (const name of names.filter(isDataFile).sort()) {
    const path = join(location, name)
    if (name.endsWith('.log')) await flush(path)
    files[name] = (await stat(path)).size
  }
  const seal: Seal = { v: 1, current: await readFile(join(location, 'CURRENT'), 'latin1'), files }
  const temporary = join(location, `${SEAL_FILE}.tmp`)
  const handle = await open(temporary, 'w')
  try {
    await handle.writeFile(JSON.stringify(seal))
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(temporary, join(location, SEAL_FILE))
}

/** The seal of a database, or null when there is none (never closed by this store, or a crash). An unreadable seal counts as none. */
export async function readSeal(location: string): Promise<Seal | null> {
  let text: string
  try {
    text = await readFile(join(location, SEAL_FILE), 'utf8')
  } catch {
    return null
  }
  try {
    const seal = JSON.parse(text) as Partial<Seal> | null
    if (seal?.v !== 1 || typeof seal.current !== 'string' || seal.files === null || typeof seal.files !== 'object') return null
    const sizes = Object.values(seal.files)
    if (!sizes.every((n) => Number.isSafeInteger(n) && n >= 0)) return null
    return seal as Seal
  } catch {
    return null
  }
}

async function flush(path: string): Promise<void> {
  const handle = await open(path, 'r')
  try {
    await handle.datasync()
  } finally {
    await handle.close()
  }
}
