import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { makeHead, makeTrial, nextHead, TEST_OWNER } from '@cairn/testkit'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFsStore, type FsStore } from '../src/index.js'
import { PREAMBLE_BYTES } from '../src/journal.js'
import { walkJournal } from '../src/salvage.js'
import { damageHead } from '../src/testing.js'
import { tempDir } from './helpers.js'

let dir: string
let cleanup: () => Promise<void>
let store: FsStore

beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir('cairn-fs-salvage-'))
  // A tiny journal budget: the journal is folded into trials.log every eight records.
  store = createFsStore({ dir, durable: false, journalBytes: 1 })
})
afterEach(async () => {
  await store.close()
  await cleanup()
})

/** Commits one trial at a time until the journal was just folded (one record left); returns the trials. */
async function foldedSession(id: string) {
  const created = makeHead({ sessionId: id, name: 'salvage me', job: 'the-job' })
  await store.create(created)
  for (let i = 0; i < 30; i++) {
    const head = await store.load(id)
    const trials = [makeTrial(i)]
    await store.commit(id, { expectedRevision: head.revision, fencingToken: 1, head: nextHead(head, trials), trials })
    // One record, after the preamble: its length (at byte 8 of its header) is the rest of the file.
    const journal = await readFile(join(dir, 'sessions', id, 'journal'))
    if (journal.readUInt32BE(PREAMBLE_BYTES + 8) === journal.length - PREAMBLE_BYTES && i >= 8) return store.readTrials(id)
  }
  throw new Error('the journal was never folded')
}

describe('salvaging a damaged head (fs)', () => {
  it('a head damaged in the only journal record: trials vouched for by the record header, then replaced, the damage kept', async () => {
    const trials = await foldedSession('s1')
    expect(await damageHead(store, 's1')).toEqual({ records: 1 })
    await expect(store.load('s1')).rejects.toMatchObject({ code: 'CHECKPOINT_CORRUPT' })
    expect((await store.list()).items[0]).toMatchObject({ sessionId: 's1', status: 'corrupt' })
    const damagedBytes = await readFile(join(dir, 'sessions', 's1', 'journal'))

    const found = await store.salvage('s1')
    expect(found).toMatchObject({
      sessionId: 's1',
      revision: trials.length,
      listing: { sessionId: 's1', name: 'salvage me', job: 'the-job', status: 'running', completed: trials.length },
      lease: { fencingToken: 1 },
    })
    expect(found?.trials).toEqual(trials)

    const lease = await store.acquireLease('s1', TEST_OWNER, 60_000)
    const head = nextHead(makeHead({ sessionId: 's1', name: 'rebuilt' }), trials)
    const result = await store.replaceDamagedHead('s1', { damage: found!.damage, fencingToken: lease.fencingToken, head })
    expect(result.revision).toBe(trials.length + 1)
    expect(await readFile(result.keptAs)).toEqual(damagedBytes)
    expect((await readdir(join(dir, 'sessions', 's1'))).filter((f) => f.startsWith('journal.damaged.'))).toHaveLength(1)
    expect(await store.load('s1')).toMatchObject({ name: 'rebuilt', revision: trials.length + 1, progress: { attempts: trials.length } })
    expect(await store.readTrials('s1')).toEqual(trials)
    // The session goes on: the next commit lands on the rebuilt head.
    const next = [makeTrial(trials.length)]
    const loaded = await store.load('s1')
    await store.commit('s1', {
      expectedRevision: loaded.revision,
      fencingToken: lease.fencingToken,
      head: nextHead(loaded, next),
      trials: next,
    })
    expect((await store.readTrials('s1')).length).toBe(trials.length + 1)
    // delete removes the kept copy with the session.
    await store.delete('s1')
    expect(await readdir(join(dir, 'sessions'))).toEqual([])
  })

  it('a journal whose records cannot be told apart is not vouched for: salvage says why, a replacement is refused', async () => {
    // A fresh session: its journal is one record (after the preamble); its header damaged, nothing delimits the records any more.
    await store.create(makeHead({ sessionId: 's2' }))
    const path = join(dir, 'sessions', 's2', 'journal')
    const bytes = await readFile(path)
    bytes.fill(0x41, PREAMBLE_BYTES, PREAMBLE_BYTES + 8)
    await writeFile(path, bytes)
    const found = await store.salvage('s2')
    expect(found?.trials).toBeNull()
    expect(found?.trialsProblem).toMatch(/cannot be told apart/)
    const lease = await store.acquireLease('s2', TEST_OWNER, 1000)
    await expect(
      store.replaceDamagedHead('s2', { damage: found!.damage, fencingToken: lease.fencingToken, head: makeHead({ sessionId: 's2' }) }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    expect(await readFile(path)).toEqual(bytes)
  })

  it('a damaged preamble (its records intact, a floor slot left): every trial vouched for, then replaced, the damage kept', async () => {
    const trials = await session('s3', 3)
    const path = join(dir, 'sessions', 's3', 'journal')
    const bytes = await readFile(path)
    bytes.write('XXXX', 0, 'latin1') // the preamble's magic
    await writeFile(path, bytes)
    await expect(store.load('s3')).rejects.toThrow(/head of session "s3".*preamble/)

    const found = await store.salvage('s3')
    expect(found).toMatchObject({ revision: 3, listing: { sessionId: 's3', status: 'running', completed: 3 } })
    expect(found?.trials).toEqual(trials)
    const lease = await store.acquireLease('s3', TEST_OWNER, 60_000)
    expect(await readFile(path)).toEqual(bytes)
    const head = nextHead(makeHead({ sessionId: 's3', name: 'rebuilt' }), trials)
    const result = await store.replaceDamagedHead('s3', { damage: found!.damage, fencingToken: lease.fencingToken, head })
    expect(result.revision).toBe(4)
    expect(await readFile(result.keptAs)).toEqual(bytes)
    expect(await store.load('s3')).toMatchObject({ name: 'rebuilt', revision: 4, progress: { attempts: 3 } })
    expect(await store.readTrials('s3')).toEqual(trials)
  })

  it('a preamble whose floor slots are both damaged is not vouched for: it cannot tell whether commits were cut off', async () => {
    await session('s4', 2)
    const path = join(dir, 'sessions', 's4', 'journal')
    const bytes = await readFile(path)
    for (const slot of [8, 32]) bytes[slot + 7] = (bytes[slot + 7] as number) ^ 0x01
    await writeFile(path, bytes)
    await expect(store.load('s4')).rejects.toThrow(/both floor slots/)
    const found = await store.salvage('s4')
    expect(found?.trials).toBeNull()
    expect(found?.trialsProblem).toMatch(/both floor slots.*cut off cannot be told/)
    const lease = await store.acquireLease('s4', TEST_OWNER, 60_000)
    const head = nextHead(makeHead({ sessionId: 's4' }), [makeTrial(0), makeTrial(1)])
    await expect(store.replaceDamagedHead('s4', { damage: found!.damage, fencingToken: lease.fencingToken, head })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    })
    expect(await readFile(path)).toEqual(bytes)
  })

  it('a journal cut at a record boundary below its floor is not vouched for: acknowledged trials are never given up', async () => {
    await session('s5', 3)
    const path = join(dir, 'sessions', 's5', 'journal')
    const intact = await readFile(path)
    const records = walkJournal(intact, path).records!
    expect(records.map((r) => r.revision)).toEqual([0, 1, 2, 3])
    // Revisions 2 and 3 cut off: what is left is a well-formed journal of revisions 0 and 1.
    const cut = intact.subarray(0, records[2]!.offset)
    await writeFile(path, cut)
    await expect(store.load('s5')).rejects.toThrow(/revision 2 .*was committed/)
    const found = await store.salvage('s5')
    expect(found?.trials).toBeNull()
    expect(found?.trialsProblem).toMatch(/revision 2 .*was committed: the journal was cut short/)
    const lease = await store.acquireLease('s5', TEST_OWNER, 60_000)
    const head = nextHead(makeHead({ sessionId: 's5' }), [makeTrial(0)])
    await expect(store.replaceDamagedHead('s5', { damage: found!.damage, fencingToken: lease.fencingToken, head })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    })
    expect(await readFile(path)).toEqual(cut)
  })
})

/** A session with `n` commits of one trial each (a journal of n + 1 records); returns its trials. */
async function session(id: string, n: number) {
  await store.create(makeHead({ sessionId: id }))
  for (let i = 0; i < n; i++) {
    const head = await store.load(id)
    const trials = [makeTrial(i)]
    await store.commit(id, { expectedRevision: head.revision, fencingToken: 1, head: nextHead(head, trials), trials })
  }
  return store.readTrials(id)
}
