import { readFileSync } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { corruptDatabase, ioError, LevelLockedError } from './errors.js'
import { crc32c, scanLog, type LogDamage } from './log-format.js'
import { readSeal, isDataFile, type Seal } from './seal.js'
import { touchedByLog } from './touched.js'

/**
 * Checks an existing database before LevelDB opens it, the way LevelDB's `paranoid_checks`
 * would (an option `classic-level` does not expose), and throws `CheckpointCorruptError`
 * naming the damage instead of letting LevelDB skip it:
 *
 * - `CURRENT` must name an existing `MANIFEST-<n>`, followed by a newline;
 * - every record of that MANIFEST and of every write-ahead log (`<n>.log`) must pass its
 *   checksum and fit its framing: LevelDB would otherwise drop the rest of a 32 KiB block of
 *   committed writes and roll sessions back without a word;
 * - after a clean close (see `seal.ts`), the data files must be exactly as the store left them:
 *   none cut short, grown, missing or added, and no log may end inside a record.
 *
 * It reads and writes nothing else, so a database that fails is left exactly as found. When the
 * files changed while they were read, another process is opening the database: that gives
 * `LevelLockedError`, not a corruption report.
 */
export async function verifyDatabase(location: string, names: readonly string[]): Promise<void> {
  const problem = await findProblem(location, names)
  if (problem === null) return
  if (await changedSince(location, problem.snapshot)) throw new LevelLockedError(location)
  throw corruptDatabase(location, `${problem.detail}. Nothing was changed: the database is left as found for inspection or restore`)
}

/** Sizes of the data files (and `CURRENT`'s content) when a check began. */
interface Snapshot {
  current: string
  sizes: Record<string, number>
}

async function findProblem(location: string, names: readonly string[]): Promise<{ detail: string; snapshot: Snapshot } | null> {
  const current = await read(location, 'CURRENT')
  const text = Buffer.from(current).toString('latin1')
  const snapshot: Snapshot = { current: text, sizes: await sizesOf(location, names) }
  const manifest = /^(MANIFEST-\d+)\n$/.exec(text)?.[1]
  if (manifest === undefined)
    return { detail: `its CURRENT file does not name a MANIFEST (it holds ${JSON.stringify(text.slice(0, 60))})`, snapshot }
  if (!names.includes(manifest)) return { detail: `its CURRENT file names ${manifest}, which is missing`, snapshot }

  const seal = await readSeal(location)
  const sealed = seal !== null && seal.current === text ? seal : null
  if (sealed) {
    const changed = sealProblem(sealed, snapshot.sizes)
    if (changed) return { detail: changed, snapshot }
  }

  const crc = await crc32c()
  const logs = [manifest, ...names.filter((n) => n.endsWith('.log')).sort()]
  for (const name of logs) {
    const bytes = await read(location, name)
    const scan = scanLog(bytes, crc, name.endsWith('.log'))
    if (scan.damage) return { detail: damageDetail(name, scan.damage), snapshot }
    if (sealed && scan.tornAt !== null)
      return {
        detail: `${name} ends inside a record (at byte ${scan.tornAt} of ${bytes.length}) although the store closed it cleanly: the file was cut short`,
        snapshot,
      }
  }
  return null
}

/** How the data files differ from the seal, or null. */
function sealProblem(seal: Seal, sizes: Record<string, number>): string | null {
  for (const [name, size] of Object.entries(seal.files)) {
    const now = sizes[name]
    if (now === undefined) return `${name} is missing (the store closed the database with it, ${size} bytes)`
    if (now !== size)
      return `${name} is ${now} bytes, ${size} when the store closed the database: it was ${now < size ? 'cut short' : 'written to since'}`
  }
  const added = Object.keys(sizes).filter((n) => seal.files[n] === undefined)
  if (added.length > 0) return `${added.join(', ')} appeared after the store closed the database`
  return null
}

function damageDetail(name: string, damage: LogDamage): string {
  const touched = touchedByLog(damage.dropped)
  return (
    `${name} is damaged at byte ${damage.offset} (${damage.reason}); LevelDB would skip the records from there to the end ` +
    `of its 32 KiB block${touched ? `, which hold writes to ${touched}` : ''}`
  )
}

async function sizesOf(location: string, names: readonly string[]): Promise<Record<string, number>> {
  const sizes: Record<string, number> = {}
  for (const name of names.filter(isDataFile).sort()) {
    try {
      sizes[name] = (await stat(join(location, name))).size
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(`the LevelDB file "${join(location, name)}"`, err)
    }
  }
  return sizes
}

async function changedSince(location: string, snapshot: Snapshot): Promise<boolean> {
  try {
    const names = await readdir(location)
    const current = Buffer.from(await read(location, 'CURRENT')).toString('latin1')
    const sizes = await sizesOf(location, names)
    return current !== snapshot.current || JSON.stringify(sizes) !== JSON.stringify(snapshot.sizes)
  } catch {
    return true
  }
}

async function read(location: string, name: string): Promise<Uint8Array> {
  const path = join(location, name)
  try {
    // One synchronous read, once per open, of at most a few MiB (LevelDB moves its log to a
    // table file past its 4 MiB write buffer): on a busy machine the thread-pool round trip of
    // each 512 KiB chunk of an asynchronous read cost four times as long.
    return readFileSync(path)
  } catch (err) {
    throw ioError(`the LevelDB file "${path}"`, err)
  }
}
