import diagnostics from 'node:diagnostics_channel'
import { CheckpointCorruptError, CHANNEL_NAMES, LeaseLostError } from '@cairn/core'
import { Level } from 'level'
import { describe, expect, it } from 'vitest'
import { createLevelStore, type LevelStore } from '../src/index.js'
import { corruptHead } from '../src/testing.js'
import { advance, newHead, levelStoreEachTest, trialAt, withRawDatabase } from './helpers.js'

let dir: string
let store: LevelStore
levelStoreEachTest(
  (d, s) => {
    dir = d
    store = s
  },
  () => store,
)

/** Writes raw bytes into the `head` sublevel with the store closed, as a disk fault would. */
async function writeRawHead(sessionId: string, mutate: (bytes: Uint8Array) => Uint8Array): Promise<void> {
  await store.close()
  await withRawDatabase(dir, async (db) => {
    const heads = db.sublevel<string, Uint8Array>('head', { keyEncoding: 'utf8', valueEncoding: 'view' })
    const bytes = await heads.get(sessionId)
    if (!bytes) throw new Error(`no head for ${sessionId}`)
    await heads.put(sessionId, mutate(Uint8Array.from(bytes)))
  })
  store = createLevelStore({ location: dir })
}

async function seedThree(): Promise<void> {
  for (const id of ['a', 'b', 'c']) {
    const head = newHead(id)
    await store.create(head)
    await store.commit(id, { expectedRevision: 0, fencingToken: 1, head: advance(head, [trialAt(0)]), trials: [trialAt(0)] })
  }
}

describe('a corrupt head', () => {
  it('fails loudly for that session only; the others load and list fine', async () => {
    await seedThree()
    await writeRawHead('b', (bytes) => {
      const at = bytes.length - 3
      bytes[at] = (bytes[at] ?? 0) ^ 0xff // flip a byte in the body: the checksum no longer matches
      return bytes
    })
    const seen: unknown[] = []
    const onCorrupt = (message: unknown) => seen.push(message)
    diagnostics.subscribe(CHANNEL_NAMES.storeCorrupt, onCorrupt)
    try {
      await expect(store.load('b')).rejects.toThrow(CheckpointCorruptError)
      await expect(store.load('b')).rejects.toThrow(/head of session "b" is corrupt: checksum mismatch/)
    } finally {
      diagnostics.unsubscribe(CHANNEL_NAMES.storeCorrupt, onCorrupt)
    }
    expect(seen[0]).toMatchObject({ sessionId: 'b' })
    expect((await store.load('a')).progress.attempts).toBe(1)
    expect((await store.load('c')).progress.attempts).toBe(1)
    const listed = (await store.list()).items
    expect(listed.map((l) => [l.sessionId, l.status])).toEqual([
      ['a', 'running'],
      ['b', 'corrupt'],
      ['c', 'running'],
    ])
    expect(listed[1]?.problem).toMatch(/checksum mismatch/)
    expect((await store.list({ status: 'corrupt' })).items.map((l) => l.sessionId)).toEqual(['b'])
    // Trials stay readable for inspection.
    expect(await store.readTrials('b')).toEqual([trialAt(0)])
  })

  it('refuses a commit on top of it, leaving the bytes for inspection', async () => {
    await seedThree()
    await writeRawHead('a', () => new TextEncoder().encode('not a cairn record at all'))
    const head = advance(newHead('a'), [trialAt(0), trialAt(1)])
    await expect(store.commit('a', { expectedRevision: 1, fencingToken: 1, head, trials: [trialAt(1)] })).rejects.toThrow(
      CheckpointCorruptError,
    )
    await expect(store.load('a')).rejects.toThrow(/bad magic bytes/)
    expect((await store.list({ status: 'corrupt' })).items.map((l) => l.sessionId)).toEqual(['a'])
    // Deleting it is the way out; the id is then free again.
    await store.delete('a')
    await store.create(newHead('a'))
    expect((await store.load('a')).revision).toBe(0)
  })

  it('is reported through the test hook too (what the conformance factory uses)', async () => {
    await seedThree()
    await corruptHead(store, 'c', new Uint8Array([1, 2, 3]))
    await expect(store.load('c')).rejects.toThrow(/truncated/)
    expect((await store.load('b')).revision).toBe(1)
  })
})

describe('a damaged listing record', () => {
  it('is rebuilt from the head; the lease it held is gone, so the old holder must acquire again', async () => {
    await seedThree()
    await store.close()
    const db = new Level<string, string>(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' })
    await db.sublevel<string, string>('listing', {}).put('b', '{"v":1,"status":"bogus"')
    await db.close()
    store = createLevelStore({ location: dir })
    const listed = (await store.list()).items
    expect(listed.map((l) => [l.sessionId, l.status])).toEqual([
      ['a', 'running'],
      ['b', 'running'],
      ['c', 'running'],
    ])
    const loaded = await store.load('b')
    expect(loaded.revision).toBe(1)
    expect(loaded.lease).toBeNull()
    const next = advance(loaded, [trialAt(1)])
    await expect(store.commit('b', { expectedRevision: 1, fencingToken: 1, head: next, trials: [trialAt(1)] })).rejects.toThrow(
      LeaseLostError,
    )
    const lease = await store.acquireLease('b', 'me', 10_000)
    await store.commit('b', { expectedRevision: 1, fencingToken: lease.fencingToken, head: next, trials: [trialAt(1)] })
    expect(await store.readTrials('b')).toHaveLength(2)
  })
})
