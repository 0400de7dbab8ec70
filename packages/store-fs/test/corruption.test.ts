// Bad ids, corrupt files and crash leftovers: refused or reported, never papered over.
import diagnostics from 'node:diagnostics_channel'
import { mkdir, readFile, readdir, stat, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CHANNEL_NAMES, CheckpointCorruptError, InvalidInputError, RevisionConflictError } from '@cairn/core'
import { encodeTrial } from '@cairn/core/store-kit'
import { createFsStore, type FsStore } from '../src/index.js'
import { PREAMBLE_BYTES, parseHeader } from '../src/journal.js'
import { advance, newHead, tempDir, trial } from './helpers.js'

let dir: string
let cleanup: () => Promise<void>
let store: FsStore
let reports: unknown[]
const onCorrupt = (msg: unknown): void => {
  reports.push(msg)
}

beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir())
  store = createFsStore({ dir })
  reports = []
  diagnostics.subscribe(CHANNEL_NAMES.storeCorrupt, onCorrupt)
})
afterEach(async () => {
  diagnostics.unsubscribe(CHANNEL_NAMES.storeCorrupt, onCorrupt)
  await store.close()
  await cleanup()
})

const sessionFile = (id: string, name: string) => join(dir, 'sessions', id, name)

async function withTrials(id: string, n: number): Promise<void> {
  await store.create(newHead(id))
  const h = await store.load(id)
  await store.commit(id, {
    expectedRevision: 0,
    fencingToken: 1,
    head: advance(h, n),
    trials: Array.from({ length: n }, (_, i) => trial(i)),
  })
}

describe('session ids', () => {
  const bad = ['../escape', '..', '.', 'a/b', 'a\\b', '/abs', '', 'a..b', '-lead', 'x'.repeat(129), 'nul\0', 'sp ace']
  it.each(bad)('refuses %j everywhere, touching nothing', async (id) => {
    const calls = [
      () => store.create(newHead(id)),
      () => store.load(id),
      () => store.commit(id, { expectedRevision: 0, fencingToken: 1, head: newHead(id), trials: [] }),
      () => store.readTrials(id),
      () => store.delete(id),
      () => store.acquireLease(id, 'o', 1000),
      () => store.renewLease(id, { owner: 'o', fencingToken: 1, expiresAt: 0 }, 1000),
      () => store.releaseLease(id, { owner: 'o', fencingToken: 1, expiresAt: 0 }),
      () => store.requestControl(id, 'pause'),
    ]
    for (const call of calls) await expect(call()).rejects.toBeInstanceOf(InvalidInputError)
    expect(await readdir(dir)).toEqual([])
  })

  it('list ignores directory entries that are not session ids', async () => {
    await store.create(newHead('ok'))
    await mkdir(join(dir, 'sessions', '.hidden'), { recursive: true })
    await writeFile(join(dir, 'sessions', 'stray file'), 'x')
    await mkdir(join(dir, 'sessions', 'no-head-yet'))
    expect((await store.list()).items.map((l) => l.sessionId)).toEqual(['ok'])
  })
})

/** Where `needle` occurs in `haystack`, every time. */
function occurrences(haystack: Buffer, needle: Buffer | string): number[] {
  const out: number[] = []
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) out.push(i)
  return out
}

describe('corrupt files', () => {
  it('a journal with no intact record: listed as corrupt and reported, the others list; load, readTrials, control and commit refuse; nothing overwritten', async () => {
    await store.create(newHead('a'))
    await withTrials('b', 2)
    await store.create(newHead('c'))
    const path = sessionFile('b', 'journal')
    const bytes = await readFile(path)
    // A flipped byte in the listing block of each of its two records.
    const listings = occurrences(bytes, '"sessionId":"b"')
    expect(listings).toHaveLength(4) // listing block and head of each record
    for (const at of [listings[0]!, listings[2]!]) bytes[at + 3] = bytes[at + 3]! ^ 0xff
    await writeFile(path, bytes)

    const page = await store.list()
    expect(page.items.map((l) => [l.sessionId, l.status])).toEqual([
      ['a', 'running'],
      ['b', 'corrupt'],
      ['c', 'running'],
    ])
    expect(page.items[1]?.problem).toMatch(/session "b".*no intact journal record.*checksum/)
    expect(reports).toMatchObject([{ sessionId: 'b' }])

    const err = await store.load('b').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CheckpointCorruptError)
    expect((err as Error).message).toMatch(/\[@cairn\/store-fs\] head of session "b"/)
    const h = await store.load('a')
    await expect(
      store.commit('b', {
        expectedRevision: 1,
        fencingToken: 1,
        head: advance({ ...h, sessionId: 'b', progress: { ...h.progress, attempts: 2 } }, 1),
        trials: [trial(2)],
      }),
    ).rejects.toBeInstanceOf(CheckpointCorruptError)
    await expect(store.readTrials('b')).rejects.toBeInstanceOf(CheckpointCorruptError)
    await expect(store.requestControl('b', 'pause')).rejects.toBeInstanceOf(CheckpointCorruptError)
    expect((await readFile(path)).equals(bytes)).toBe(true)
  })

  it('garbage over the journal (or a journal cut below one record): corrupt, not missing', async () => {
    await withTrials('a', 1)
    await writeFile(sessionFile('a', 'journal'), 'this is not a head')
    await expect(store.load('a')).rejects.toThrow(/head of session "a".*corrupt.*too short/)
    await withTrials('b', 1)
    await truncate(sessionFile('b', 'journal'), 50)
    await expect(store.load('b')).rejects.toBeInstanceOf(CheckpointCorruptError)
    expect((await store.list()).items.map((l) => l.status)).toEqual(['corrupt', 'corrupt'])
  })

  it('a damaged last record reads as a torn append: the session is as of the commit before, and its writer is refused; the bytes are set aside', async () => {
    await withTrials('a', 1)
    const h1 = await store.load('a')
    await store.commit('a', { expectedRevision: 1, fencingToken: 1, head: advance(h1, 1), trials: [trial(1)] })
    const path = sessionFile('a', 'journal')
    const bytes = await readFile(path)
    bytes[bytes.length - 30] = bytes[bytes.length - 30]! ^ 0x01 // inside the last record's head envelope
    await writeFile(path, bytes)

    // Indistinguishable from a commit cut short by a crash, which was never acknowledged.
    expect((await store.load('a')).revision).toBe(1)
    expect(await store.readTrials('a')).toEqual([trial(0)])
    expect((await store.list()).items).toMatchObject([{ sessionId: 'a', status: 'running', completed: 1 }])
    // The writer that made revision 2 holds it: refused, and the damaged bytes are kept for inspection.
    const h2 = advance(h1, 1)
    await expect(
      store.commit('a', { expectedRevision: 2, fencingToken: 1, head: advance({ ...h2, revision: 2 }, 1), trials: [trial(2)] }),
    ).rejects.toBeInstanceOf(RevisionConflictError)
    const kept = (await readdir(join(dir, 'sessions', 'a'))).filter((n) => n.endsWith('.dropped'))
    expect(kept).toHaveLength(1)
    const now = await readFile(path)
    expect(Buffer.concat([now, await readFile(sessionFile('a', kept[0]!))]).equals(bytes)).toBe(true)
  })

  it('a head that is intact but does not decode: load refuses, commit still checks revision and lease', async () => {
    await store.create(newHead('a'))
    const path = sessionFile('a', 'journal')
    const bytes = await readFile(path)
    // Damage the head envelope's magic and fix every checksum: an intact record holding a bad head.
    const at = bytes.indexOf('CAIR')
    bytes[at] = 0x58
    bytes.writeUInt32BE(crc32(bytes.subarray(PREAMBLE_BYTES, bytes.length - 12)), bytes.length - 8)
    await writeFile(path, bytes)
    await expect(store.load('a')).rejects.toThrow(/head of session "a".*corrupt.*magic/)
    expect((await store.list()).items).toMatchObject([{ sessionId: 'a', status: 'running' }])
  })

  it('a corrupt or missing lease file: load refuses, list reports the session as corrupt', async () => {
    await store.create(newHead('a'))
    await store.create(newHead('b'))
    await writeFile(sessionFile('a', 'lease'), 'garbage')
    await expect(store.load('a')).rejects.toThrow(/lease of session "a".*corrupt/)
    await expect(store.acquireLease('a', 'o', 1000)).rejects.toBeInstanceOf(CheckpointCorruptError)
    expect((await store.list()).items.map((l) => l.status)).toEqual(['corrupt', 'running'])
    await store.delete('a')
    expect((await store.list()).items.map((l) => l.sessionId)).toEqual(['b'])
  })

  it('a corrupt trial record in the journal: readTrials names the trial, the head still loads', async () => {
    await withTrials('a', 3)
    const h = await store.load('a')
    await store.commit('a', { expectedRevision: 1, fencingToken: 1, head: advance(h, 1), trials: [trial(3)] })
    const path = sessionFile('a', 'journal')
    const bytes = await readFile(path)
    const [at] = occurrences(bytes, Buffer.from(encodeTrial(trial(1))))
    bytes[at! + 20] = bytes[at! + 20]! ^ 0xff
    await writeFile(path, bytes)
    expect(await store.readTrials('a', { limit: 1 })).toEqual([trial(0)])
    await expect(store.readTrials('a')).rejects.toThrow(/trial 1 of session "a" \(.*journal\).*corrupt/)
    expect((await store.load('a')).progress.attempts).toBe(4)
  })

  it('a corrupt trial record in the trial log: readTrials names the trial', async () => {
    const small = createFsStore({ dir, journalBytes: 1 })
    await small.create(newHead('a'))
    let h = await small.load('a')
    for (let i = 0; i < 12; i++) {
      const next = advance(h, 1)
      h = {
        ...next,
        revision: (await small.commit('a', { expectedRevision: h.revision, fencingToken: 1, head: next, trials: [trial(i)] })).revision,
      }
    }
    const log = sessionFile('a', 'trials.log')
    const bytes = await readFile(log)
    const one = encodeTrial(trial(0)).length
    bytes[one + 20] = bytes[one + 20]! ^ 0xff
    await writeFile(log, bytes)
    expect(await small.readTrials('a', { limit: 1 })).toEqual([trial(0)])
    await expect(small.readTrials('a')).rejects.toThrow(/trial 1 of session "a" \(.*trials\.log\).*corrupt/)
  })

  it('a trial log shorter than the journal says: readTrials refuses', async () => {
    const small = createFsStore({ dir, journalBytes: 1 })
    await small.create(newHead('a'))
    const h = await small.load('a')
    await small.commit('a', {
      expectedRevision: 0,
      fencingToken: 1,
      head: advance(h, 20),
      trials: Array.from({ length: 20 }, (_, i) => trial(i)),
    })
    for (let i = 0; i < 8; i++) {
      const cur = await small.load('a')
      await small.commit('a', {
        expectedRevision: cur.revision,
        fencingToken: 1,
        head: { ...cur, updatedAt: cur.updatedAt + 1 },
        trials: [],
      })
    }
    expect((await stat(sessionFile('a', 'trials.idx'))).size).toBe(20 * 8)
    await truncate(sessionFile('a', 'trials.log'), 10)
    await expect(small.readTrials('a')).rejects.toBeInstanceOf(CheckpointCorruptError)
  })
})

describe('crash leftovers', () => {
  it('a torn append (a crash mid-commit) stays invisible and is truncated by the next commit', async () => {
    await withTrials('a', 2)
    const path = sessionFile('a', 'journal')
    const before = (await stat(path)).size
    // Make the record a crashed commit would have been writing, then keep only part of it.
    const h = await store.load('a')
    await store.commit('a', {
      expectedRevision: 1,
      fencingToken: 1,
      head: advance(h, 1),
      trials: [{ ...trial(2), candidate: { ghost: true } }],
    })
    const full = await readFile(path)
    const ghost = full.subarray(before)
    for (const torn of [
      ghost.subarray(0, ghost.length - 1),
      ghost.subarray(0, 7),
      Buffer.concat([ghost.subarray(0, 100), Buffer.alloc(ghost.length - 100)]),
    ]) {
      await writeFile(path, Buffer.concat([full.subarray(0, before), torn]))
      expect((await store.readTrials('a')).map((t) => t.trialIdx)).toEqual([0, 1])
      expect(await store.readTrials('a', { from: 2 })).toEqual([])
      expect((await store.load('a')).progress.attempts).toBe(2)
      expect((await store.list()).items).toMatchObject([{ sessionId: 'a', status: 'running', completed: 2 }])
    }
    const next = advance(h, 1)
    await store.commit('a', { expectedRevision: 1, fencingToken: 1, head: next, trials: [trial(2)] })
    expect(await store.readTrials('a')).toEqual([trial(0), trial(1), trial(2)])
    // The torn bytes are gone: the journal is what it would be without the crash, one record longer.
    const after = await readFile(path)
    expect(after.subarray(0, before).equals(full.subarray(0, before))).toBe(true)
    expect(parseHeader(after.subarray(before))).toMatchObject({
      offset: before,
      length: after.length - before,
      revision: 2,
      firstTrial: 2,
      trialCount: 1,
    })
  })

  it('trials left past the trial log by a crashed fold stay invisible and are overwritten by the next one', async () => {
    const small = createFsStore({ dir, journalBytes: 1 })
    await small.create(newHead('a'))
    let h = await small.load('a')
    const commit = async (i: number) => {
      const next = advance(h, 1)
      h = {
        ...next,
        revision: (await small.commit('a', { expectedRevision: h.revision, fencingToken: 1, head: next, trials: [trial(i)] })).revision,
      }
    }
    let i = 0
    while ((await stat(sessionFile('a', 'trials.idx')).catch(() => ({ size: 0 }))).size === 0) await commit(i++)
    const folded = (await stat(sessionFile('a', 'trials.idx'))).size / 8
    // A fold that crashed after writing the trial log, before its new journal was in place.
    await writeFile(
      sessionFile('a', 'trials.log'),
      Buffer.concat([await readFile(sessionFile('a', 'trials.log')), encodeTrial({ ...trial(folded), candidate: { ghost: 1 } })]),
    )
    await writeFile(sessionFile('a', 'trials.idx'), Buffer.concat([await readFile(sessionFile('a', 'trials.idx')), Buffer.alloc(8, 0xff)]))
    expect(await small.readTrials('a')).toEqual(Array.from({ length: i }, (_, k) => trial(k)))
    const foldedAgain = async () => (await stat(sessionFile('a', 'trials.idx'))).size / 8
    while ((await foldedAgain()) <= folded + 1) await commit(i++)
    expect(await small.readTrials('a')).toEqual(Array.from({ length: i }, (_, k) => trial(k)))
    const n = await foldedAgain()
    expect((await stat(sessionFile('a', 'trials.log'))).size).toBe(
      Array.from({ length: n }, (_, k) => encodeTrial(trial(k)).length).reduce((a, b) => a + b, 0),
    )
    // Temporary files live in the writer's own directory under locks/, never beside the session's files.
    expect((await readdir(join(dir, 'sessions', 'a'))).sort()).toEqual(['journal', 'lease', 'trials.idx', 'trials.log'])
  })

  it('a create that crashed before its journal: the id is free, and the leftovers are replaced', async () => {
    await mkdir(join(dir, 'sessions', 'a'), { recursive: true })
    await writeFile(sessionFile('a', 'lease'), 'junk')
    await expect(store.load('a')).rejects.toThrow(/not found/)
    expect((await store.list()).items).toEqual([])
    await store.create(newHead('a'))
    expect(await store.readTrials('a')).toEqual([])
    expect((await store.load('a')).lease?.fencingToken).toBe(1)
    expect((await readdir(join(dir, 'sessions', 'a'))).sort()).toEqual(['journal', 'lease'])
  })
})
