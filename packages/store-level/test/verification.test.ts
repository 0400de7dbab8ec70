/**
 * What the store reads is checked against the head: trial records missing or damaged, a head
 * older than its trial log, a listing record that disagrees with its head, trial records with
 * no head. Each is `CheckpointCorruptError` naming it; the session is listed `corrupt`, and no
 * commit or create writes over it.
 */
import { mkdir, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { CheckpointCorruptError, NotFoundError, StoreIoError } from '@cairn/core'
import { decodeTrial, encodeTrial } from '@cairn/core/store-kit'
import { Level } from 'level'
import { describe, expect, it, vi } from 'vitest'
import { levelError } from '../src/errors.js'
import { createLevelStore, LevelLockedError, type LevelStore } from '../src/index.js'
import { SEAL_FILE } from '../src/seal.js'
import { corruptTrial, dropTrial } from '../src/testing.js'
import { advance, newHead, levelStoreEachTest, trialAt, withRawDatabase, writeCompletedSession } from './helpers.js'

let dir: string
let store: LevelStore
levelStoreEachTest(
  (d, s) => {
    dir = d
    store = s
  },
  () => store,
)

/** Closes the store, runs `fn` on the raw database (as a disk fault or another tool would), and opens a new store. */
async function underTheStore(fn: (db: Level<string, Uint8Array>) => Promise<void>): Promise<void> {
  await store.close()
  await withRawDatabase(dir, fn)
  store = createLevelStore({ location: dir })
}

const sub = (db: Level<string, Uint8Array>, name: string) =>
  db.sublevel<string, Uint8Array>(name, { keyEncoding: 'utf8', valueEncoding: 'view' })
const listingSub = (db: Level<string, Uint8Array>) => db.sublevel<string, string>('listing', { keyEncoding: 'utf8', valueEncoding: 'utf8' })

describe('a trial record missing or damaged', () => {
  it('missing: readTrials names it (never a short list), list says corrupt, commits are refused — in this process and the next', async () => {
    const trials = await writeCompletedSession(store, 's', 6)
    await dropTrial(store, 's', 2)
    await expect(store.readTrials('s')).rejects.toThrow(CheckpointCorruptError)
    await expect(store.readTrials('s')).rejects.toThrow(
      /the trial log of session "s" in the LevelDB database at ".*" is corrupt: trial 2 is missing; the head counts 6 trials/,
    )
    await expect(store.readTrials('s', { from: 1, limit: 3 })).rejects.toThrow(/trial 2 is missing/)
    // The intact part stays readable for inspection; the head too.
    expect(await store.readTrials('s', { from: 3 })).toEqual(trials.slice(3))
    expect((await store.load('s')).status).toBe('completed')
    const listed = (await store.list()).items[0]
    expect(listed).toMatchObject({ sessionId: 's', status: 'corrupt' })
    expect(listed?.problem).toMatch(/trial 2 is missing/)

    await underTheStore(async () => {})
    expect((await store.list()).items[0]).toMatchObject({ sessionId: 's', status: 'corrupt' })
    await expect(store.readTrials('s')).rejects.toThrow(/trial 2 is missing/)
    const head = await store.load('s')
    const next = advance({ ...head, status: 'running' }, [trialAt(6)])
    await expect(store.commit('s', { expectedRevision: head.revision, fencingToken: 1, head: next, trials: [trialAt(6)] })).rejects.toThrow(
      /session "s" in the LevelDB database at ".*" is corrupt: it was found damaged, so nothing is written over it \(the trial log of session "s" .* trial 2 is missing/,
    )
    expect((await store.load('s')).revision).toBe(head.revision)
    expect(await store.readTrials('s', { from: 3 })).toEqual(trials.slice(3))
  })

  it('the last one missing: still reported (a log one short is not a shorter session)', async () => {
    await writeCompletedSession(store, 's', 4)
    await dropTrial(store, 's', 3)
    await expect(store.readTrials('s')).rejects.toThrow(/trial 3 is missing; the head counts 4 trials/)
  })

  it('damaged bytes: CheckpointCorruptError naming the trial, the session listed corrupt', async () => {
    await writeCompletedSession(store, 's', 4)
    await corruptTrial(store, 's', 1)
    await expect(store.readTrials('s')).rejects.toThrow(/trial 1 of session "s" is corrupt/)
    expect((await store.list()).items[0]).toMatchObject({ status: 'corrupt' })
    expect(await store.readTrials('s', { from: 2 })).toEqual([trialAt(2), trialAt(3)])
  })

  it('a record stored under the key of another trial: reported, not returned as that trial', async () => {
    await writeCompletedSession(store, 's', 4)
    await corruptTrial(store, 's', 2, encodeTrial(trialAt(1)))
    await expect(store.readTrials('s')).rejects.toThrow(/a record is stored under the key of another trial; the head counts 4 trials/)
  })
})

describe('a head that does not match the rest of its session', () => {
  it('a head (and listing) older than the trial log → load and commit refuse; trial records are never overwritten', async () => {
    const head = newHead('s')
    await store.create(head)
    let current = head
    let older: { head: Uint8Array; listing: string } | undefined
    for (let i = 0; i < 5; i++) {
      if (i === 3)
        await underTheStore(async (db) => {
          older = { head: (await sub(db, 'head').get('s')) as Uint8Array, listing: (await listingSub(db).get('s')) as string }
        })
      const next = advance(current, [trialAt(i)])
      const { revision } = await store.commit('s', {
        expectedRevision: current.revision,
        fencingToken: 1,
        head: next,
        trials: [trialAt(i)],
      })
      current = { ...next, revision }
    }
    // The head and its listing record go back to revision 3 (3 trials); trials 3 and 4 remain.
    await underTheStore(async (db) => {
      await sub(db, 'head').put('s', older?.head as Uint8Array)
      await listingSub(db).put('s', older?.listing as string)
    })
    await expect(store.load('s')).rejects.toThrow(
      /session "s" in the LevelDB database at ".*" is corrupt: its head counts 3 trials but trial 3 is stored: the head is older than its trial log/,
    )
    // A driver that loaded the rolled-back head before (or ignores the error) commits trial 3 again.
    const base = newHead('s', { revision: 3 })
    const stale = advance({ ...base, progress: { ...base.progress, attempts: 3 } }, [trialAt(3)], { optimizerState: new Uint8Array([7]) })
    await expect(
      store.commit('s', { expectedRevision: 3, fencingToken: 1, head: stale, trials: [{ ...trialAt(3), score: -1 }] }),
    ).rejects.toThrow(CheckpointCorruptError)
    await expect(store.readTrials('s')).rejects.toThrow(CheckpointCorruptError)
    expect((await store.list()).items[0]).toMatchObject({ status: 'corrupt' })
    // Trial 3 is still the one first written.
    await underTheStore(async (db) => {
      const bytes = (await sub(db, 'trial').get('s:000000000003')) as Uint8Array
      expect(decodeTrial(bytes, 'trial 3')).toEqual(trialAt(3))
    })
  })

  it('a listing record that disagrees with its head (revision, trial count, status) → neither is trusted', async () => {
    await writeCompletedSession(store, 's', 3)
    await underTheStore(async (db) => {
      const record = JSON.parse((await listingSub(db).get('s')) as string) as Record<string, unknown>
      await listingSub(db).put('s', JSON.stringify({ ...record, attempts: 2, status: 'running' }))
    })
    await expect(store.load('s')).rejects.toThrow(
      /its head and listing record disagree \(trial count: head 3, listing 2; status: head "completed", listing "running"\)/,
    )
    expect((await store.list()).items[0]).toMatchObject({ sessionId: 's', status: 'corrupt' })
  })

  it('trial records left without a head → create of that id is refused, the records kept', async () => {
    await writeCompletedSession(store, 's', 3)
    await underTheStore(async (db) => {
      await sub(db, 'head').del('s')
      await listingSub(db).del('s')
    })
    await expect(store.create(newHead('s'))).rejects.toThrow(
      /session "s" in the LevelDB database at ".*" is corrupt: its head is missing but trial records remain \(from trial 0\)/,
    )
    await store.delete('s')
    await store.create(newHead('s'))
    expect(await store.readTrials('s')).toEqual([])
  })
})

describe('errors name the store', () => {
  it("LevelDB's failures are typed: I/O → StoreIoError, corruption → CheckpointCorruptError, lock → LevelLockedError", () => {
    const io = levelError(
      Object.assign(new Error('IO error: 000005.log: No space left on device'), { code: 'LEVEL_IO_ERROR' }),
      '/db',
      'session "s"',
    )
    expect(io).toBeInstanceOf(StoreIoError)
    expect(io.message).toBe(
      '[@cairn/store-level] session "s" in the LevelDB database at "/db": LevelDB failed (LEVEL_IO_ERROR): IO error: 000005.log: No space left on device',
    )
    const opened = Object.assign(new Error('Database failed to open'), {
      code: 'LEVEL_DATABASE_NOT_OPEN',
      cause: Object.assign(new Error('Corruption: bad block type'), { code: 'LEVEL_CORRUPTION' }),
    })
    const corrupt = levelError(opened, '/db')
    expect(corrupt).toBeInstanceOf(CheckpointCorruptError)
    expect(corrupt.message).toBe(
      '[@cairn/store-level] the LevelDB database at "/db" is corrupt: LevelDB reports: Corruption: bad block type. Nothing was changed',
    )
    const locked = levelError({ code: 'LEVEL_DATABASE_NOT_OPEN', cause: { code: 'LEVEL_LOCKED' } }, '/db')
    expect(locked).toBeInstanceOf(LevelLockedError)
    const bug = new TypeError('not a LevelDB error')
    expect(levelError(bug, '/db')).toBe(bug)
  })

  it('a LevelDB I/O failure in a commit (injected) → StoreIoError naming the session; nothing half-written, the next commit lands', async () => {
    await store.create(newHead('s'))
    const batch = vi
      .spyOn(Level.prototype, 'batch')
      .mockRejectedValueOnce(Object.assign(new Error('IO error: 000003.log: Input/output error'), { code: 'LEVEL_IO_ERROR' }) as never)
    try {
      const head = await store.load('s')
      const request = { expectedRevision: 0, fencingToken: 1, head: advance(head, [trialAt(0)]), trials: [trialAt(0)] }
      await expect(store.commit('s', request)).rejects.toThrow(StoreIoError)
      expect(batch).toHaveBeenCalledTimes(1)
      expect((await store.load('s')).revision).toBe(0)
      expect(await store.readTrials('s')).toEqual([])
      await store.commit('s', request)
      expect(await store.readTrials('s')).toEqual([trialAt(0)])
    } finally {
      batch.mockRestore()
    }
  })

  it('NotFoundError names the session and the location', async () => {
    await expect(store.load('nope')).rejects.toThrow(NotFoundError)
    await expect(store.load('nope')).rejects.toThrow(`session "nope" in the LevelDB store at "${dir}" was not found`)
  })

  it('an I/O failure reading the database is a StoreIoError (code STORE_IO) naming the file, not bad input', async () => {
    await writeCompletedSession(store, 's', 2)
    await store.close()
    const log = (await readdir(dir)).find((n) => n.endsWith('.log')) as string
    await rm(join(dir, log))
    await mkdir(join(dir, log))
    // As after a crash: no seal, so the sizes are not compared and the log is read.
    await rm(join(dir, SEAL_FILE))
    store = createLevelStore({ location: dir })
    const err = await store.open().then(
      () => null,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(StoreIoError)
    expect(err).toMatchObject({ code: 'STORE_IO' })
    expect((err as Error).message).toMatch(new RegExp(`the LevelDB file "${join(dir, log)}": EISDIR`))
  })
})
