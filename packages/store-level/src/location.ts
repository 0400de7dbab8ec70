import { readdir, stat } from 'node:fs/promises'
import { corruptDatabase, invalidInput, ioError } from './errors.js'
import { isDataFile, SEAL_FILE } from './seal.js'

/** What a location holds before the store opens it. */
export type LocationState =
  /** Nothing yet, or an empty directory: a new database is created there. */
  | { kind: 'new' }
  /** A LevelDB database: `names` are the directory's entries. */
  | { kind: 'database'; names: string[] }

/**
 * What a directory may hold and still take a new database: what LevelDB leaves where opening
 * failed before a database existed (its lock and text logs), and what it writes while creating
 * one (the first MANIFEST and CURRENT's temporary file; CURRENT comes last). A database being
 * created by another process then gives `LevelLockedError` from LevelDB itself.
 */
function isLeftover(name: string): boolean {
  return ['LOCK', 'LOG', 'LOG.old', SEAL_FILE, 'MANIFEST-000001'].includes(name) || /^\d+\.dbtmp$/.test(name)
}
/** Entries of an `@cairn/store-fs` directory. */
const FS_STORE_ENTRIES = ['sessions', 'warm-start', 'locks']

/**
 * Looks at `location` without changing anything. A missing path or an empty directory is
 * `new`; a directory with LevelDB's `CURRENT` file is a `database`. A regular file, or a
 * directory holding anything else (an `@cairn/store-fs` store, a project folder…), is
 * `InvalidInputError`: LevelDB would create its files among them. LevelDB files without
 * `CURRENT` are a damaged database (`CheckpointCorruptError`): opening it would start an empty
 * one over the data.
 */
export async function inspectLocation(location: string): Promise<LocationState> {
  let isDirectory: boolean
  try {
    isDirectory = (await stat(location)).isDirectory()
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return { kind: 'new' }
    if (code === 'ENOTDIR') throw invalidInput(`"${location}" cannot be a directory: a part of the path is a file`, 'location')
    throw ioError(`the LevelDB location "${location}"`, err)
  }
  if (!isDirectory)
    throw invalidInput(
      `"${location}" is a file, not a directory. A LevelDB store keeps its database in a directory of its own: give a new or empty one`,
      'location',
    )
  let names: string[]
  try {
    names = await readdir(location)
  } catch (err) {
    throw ioError(`the LevelDB location "${location}"`, err)
  }
  if (names.includes('CURRENT')) return { kind: 'database', names }
  const data = names.filter((n) => isDataFile(n) && !isLeftover(n))
  if (data.length > 0)
    throw corruptDatabase(
      location,
      `its CURRENT file is missing, so LevelDB cannot tell which MANIFEST describes its files (${listed(data)}). ` +
        'Nothing was changed. Restore CURRENT from a backup: it holds the name of the newest MANIFEST-<n> file and a newline',
    )
  const others = names.filter((n) => !isLeftover(n))
  if (others.length === 0) return { kind: 'new' }
  const fsStore = FS_STORE_ENTRIES.some((n) => others.includes(n))
  throw invalidInput(
    `"${location}" is not a LevelDB database: it holds ${listed(others)}. Nothing was created in it. ` +
      (fsStore
        ? `It looks like an @cairn/store-fs store: open it with @cairn/store-fs (fs:${location} in the cairn CLI), or give a new or empty directory for the database`
        : 'Give a new or empty directory for the database'),
    'location',
  )
}

function listed(names: readonly string[]): string {
  const shown = [...names].sort().slice(0, 5)
  return shown.join(', ') + (names.length > shown.length ? ` and ${names.length - shown.length} more` : '')
}
