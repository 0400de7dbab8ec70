import { readdir } from 'node:fs/promises'
import { Level } from 'level'
import { levelError } from './errors.js'
import { SUBLEVEL } from './keys.js'
import { inspectLocation } from './location.js'
import { writeSeal } from './seal.js'
import { verifyDatabase } from './verify-database.js'

/** Key range of an iterator (utf8 keys). */
export interface KeyRange {
  gt?: string
  gte?: string
  lt?: string
  lte?: string
  limit?: number
}

/** Durability of a write: `sync: true` fsyncs before resolving. */
export interface WriteOptions {
  sync: boolean
}

/**
 * The part of an abstract-level sublevel (string keys, values of type `V`) this store uses.
 * Declared here so the public declarations never name abstract-level's internal types.
 */
export interface Sublevel<V> {
  get(key: string): Promise<V | undefined>
  put(key: string, value: V, options: WriteOptions): Promise<void>
  batch(operations: Array<{ type: 'put'; key: string; value: V } | { type: 'del'; key: string }>, options: WriteOptions): Promise<void>
  iterator(range: KeyRange): AsyncIterable<[string, V]> & { all(): Promise<Array<[string, V]>> }
  keys(range: KeyRange): { all(): Promise<string[]> }
  values(range: KeyRange & { highWaterMarkBytes?: number }): { all(): Promise<V[]> }
}

/** One operation of an atomic batch across sublevels. */
export type BatchOperation =
  | { type: 'put'; sublevel: Sublevel<Uint8Array>; key: string; value: Uint8Array }
  | { type: 'put'; sublevel: Sublevel<string>; key: string; value: string }
  | { type: 'del'; sublevel: Sublevel<Uint8Array> | Sublevel<string>; key: string }

/** The root database: atomic batches across sublevels. */
export interface RootDatabase {
  batch(operations: BatchOperation[], options: WriteOptions): Promise<void>
  close(): Promise<void>
}

/** An open database and its sublevels (see `SUBLEVEL` for the key layout). */
export interface OpenDatabase {
  db: RootDatabase
  heads: Sublevel<Uint8Array>
  trials: Sublevel<Uint8Array>
  listings: Sublevel<string>
  warm: Sublevel<Uint8Array>
  /** Closes the database, then seals it (see `seal.ts`) so the next open can tell it was cut short. */
  close(): Promise<void>
  damaged: Sublevel<Uint8Array>
  /** Trial progress: manifests and chunks (see progress-record.ts). */
  progress: Sublevel<Uint8Array>
}

/**
 * Opens the database at `location`, creating it only where there is none yet (a missing path
 * or an empty directory). An existing database is verified first (`verifyDatabase`) and never
 * handed to LevelDB when it fails, since LevelDB's recovery would skip the damage and rewrite
 * the files. Errors: `InvalidInputError` for a location that is a file or holds something
 * else, `CheckpointCorruptError` for a damaged database, `LevelLockedError` when another
 * process holds it, `StoreIoError` for an I/O failure.
 */
export async function openDatabase(location: string): Promise<OpenDatabase> {
  const state = await inspectLocation(location)
  if (state.kind === 'database') await verifyDatabase(location, state.names)
  const db = new Level<string, Uint8Array>(location, {
    keyEncoding: 'utf8',
    valueEncoding: 'view',
    createIfMissing: state.kind === 'new',
  })
  try {
    await db.open()
  } catch (err) {
    await db.close().catch(() => {})
    throw levelError(err, location)
  }
  const sublevel = <V>(name: string, valueEncoding: 'view' | 'utf8') =>
    db.sublevel<string, V>(name, { keyEncoding: 'utf8', valueEncoding }) as unknown as Sublevel<V>
  return {
    db: db as unknown as RootDatabase,
    heads: sublevel<Uint8Array>(SUBLEVEL.head, 'view'),
    trials: sublevel<Uint8Array>(SUBLEVEL.trial, 'view'),
    listings: sublevel<string>(SUBLEVEL.listing, 'utf8'),
    warm: sublevel<Uint8Array>(SUBLEVEL.warm, 'view'),
    async close() {
      await db.close()
      // Best effort: without a seal the next open checks as after a crash (every record's
      // checksum, a torn last append allowed), which is still safe.
      await readdir(location)
        .then((names) => writeSeal(location, names))
        .catch(() => {})
    },
    damaged: sublevel<Uint8Array>(SUBLEVEL.damaged, 'view'),
    progress: sublevel<Uint8Array>(SUBLEVEL.progress, 'view'),
  }
}
