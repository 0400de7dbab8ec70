// Bad ids, corrupt files and crash leftovers: refused or reported, never papered over.
import diagnostics from 'node:diagnostics_channel'
import { mkdir, open, readFile, readdir, stat, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CHANNEL_NAMES, CheckpointCorruptError, InvalidInputError, encodeTrial } from '@cairn/core'
import { createFsStore, type FsStore } from '../src/index.js'
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
  await store.commit(id, { expectedRevision: 0, fencingToken: 1, head: advance(h, n), trials: Array.from({ length: n }, (_, i) => trial(i)) })
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

describe('corrupt files', () => {
  it('a corrupt listing block: listed as corrupt and reported, the others list, load and commit refuse, nothing overwritten', async () => {
    await store.create(newHead('a'))
    await withTrials('b', 2)
    await store.create(newHead('c'))
    const path = sessionFile('b', 'head')
    const bytes = await readFile(path)
    bytes[20] = bytes[20]! ^ 0xff
    await writeFile(path, bytes)

    const page = await store.list()
    expect(page.items.map((l) => [l.sessionId, l.status])).toEqual([
      ['a', 'running'],
      ['b', 'corrupt'],
      ['c', 'running'],
    ])
    expect(page.items[1]?.problem).toMatch(/session "b".*checksum/)
    expect(reports).toMatchObject([{ sessionId: 'b' }])

    const err = await store.load('b').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CheckpointCorruptError)
    expect((err as Error).message).toMatch(/\[@cairn\/store-fs\] head of session "b"/)
    const h = await store.load('a')
    await expect(
      store.commit('b', { expectedRevision: 1, fencingToken: 1, head: advance({ ...h, sessionId: 'b', progress: { ...h.progress, attempts: 2 } }, 1), trials: [trial(2)] }),
    ).rejects.toBeInstanceOf(CheckpointCorruptError)
    await expect(store.readTrials('b')).rejects.toBeInstanceOf(CheckpointCorruptError)
    await expect(store.requestControl('b', 'pause')).rejects.toBeInstanceOf(CheckpointCorruptError)
    expect((await readFile(path)).equals(bytes)).toBe(true)
  })

  it('a flipped byte in the head envelope: load and commit refuse with CheckpointCorruptError', async () => {
    await withTrials('a', 1)
    const path = sessionFile('a', 'head')
    const bytes = await readFile(path)
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0x01
    await writeFile(path, bytes)
    await expect(store.load('a')).rejects.toBeInstanceOf(CheckpointCorruptError)
    const fresh = newHead('a')
    await expect(store.commit('a', { expectedRevision: 1, fencingToken: 1, head: advance({ ...fresh, progress: { ...fresh.progress, attempts: 1 } }, 1), trials: [trial(1)] })).rejects.toBeInstanceOf(
      CheckpointCorruptError,
    )
    expect((await readFile(path)).equals(bytes)).toBe(true)
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

  it('a corrupt trial record: readTrials names the trial', async () => {
    await withTrials('a', 3)
    const log = sessionFile('a', 'trials.log')
    const bytes = await readFile(log)
    const one = encodeTrial(trial(0)).length
    bytes[one + 20] = bytes[one + 20]! ^ 0xff
    await writeFile(log, bytes)
    expect(await store.readTrials('a', { limit: 1 })).toEqual([trial(0)])
    await expect(store.readTrials('a')).rejects.toThrow(/trial 1 of session "a".*corrupt/)
  })

  it('a trial log shorter than the head says: readTrials refuses', async () => {
    await withTrials('a', 3)
    await truncate(sessionFile('a', 'trials.log'), 10)
    await expect(store.readTrials('a')).rejects.toBeInstanceOf(CheckpointCorruptError)
  })
})

describe('crash leftovers', () => {
  it('trials written past the head (a crash between log and head) stay invisible and are overwritten by the next commit', async () => {
    await withTrials('a', 2)
    // Simulate the crash: the next commit wrote its trials (and a torn half-record) but not the head.
    const log = await open(sessionFile('a', 'trials.log'), 'a')
    const ghost = encodeTrial({ ...trial(2), candidate: { ghost: true } })
    await log.write(ghost)
    await log.write(encodeTrial(trial(3)).subarray(0, 7))
    await log.close()
    const idx = await open(sessionFile('a', 'trials.idx'), 'a')
    const slot = Buffer.alloc(8)
    slot.writeBigUInt64BE(BigInt((await stat(sessionFile('a', 'trials.log'))).size - 7))
    await idx.write(slot)
    await idx.close()

    expect((await store.readTrials('a')).map((t) => t.trialIdx)).toEqual([0, 1])
    expect(await store.readTrials('a', { from: 2 })).toEqual([])
    const h = await store.load('a')
    expect(h.progress.attempts).toBe(2)
    await store.commit('a', { expectedRevision: 1, fencingToken: 1, head: advance(h, 1), trials: [trial(2)] })
    expect(await store.readTrials('a')).toEqual([trial(0), trial(1), trial(2)])
    const sizes = [0, 1, 2].reduce((n, i) => n + encodeTrial(trial(i)).length, 0)
    expect((await stat(sessionFile('a', 'trials.log'))).size).toBe(sizes)
    expect((await stat(sessionFile('a', 'trials.idx'))).size).toBe(24)
  })

  it('a create that crashed before its head: the id is free, and the leftovers are replaced', async () => {
    await mkdir(join(dir, 'sessions', 'a'), { recursive: true })
    await writeFile(sessionFile('a', 'trials.log'), 'junk')
    await writeFile(sessionFile('a', 'lease'), 'junk')
    await expect(store.load('a')).rejects.toThrow(/not found/)
    await store.create(newHead('a'))
    expect(await store.readTrials('a')).toEqual([])
    expect((await store.load('a')).lease?.fencingToken).toBe(1)
  })

  it('a head temp file left by a crash is ignored and replaced', async () => {
    await withTrials('a', 1)
    await writeFile(sessionFile('a', 'head.tmp'), 'half a head')
    expect((await store.load('a')).progress.attempts).toBe(1)
    const h = await store.load('a')
    await store.commit('a', { expectedRevision: 1, fencingToken: 1, head: advance(h, 1), trials: [trial(1)] })
    expect(await readdir(join(dir, 'sessions', 'a'))).not.toContain('head.tmp')
  })
})
