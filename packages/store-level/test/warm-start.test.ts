import diagnostics from 'node:diagnostics_channel'
import { CHANNEL_NAMES, InvalidInputError } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { createLevelStore, type LevelStore } from '../src/index.js'
import { corruptWarmStartEntry } from '../src/testing.js'
import { levelStoreEachTest } from './helpers.js'

let dir: string
let store: LevelStore
levelStoreEachTest(
  (d, s) => {
    dir = d
    store = s
  },
  () => store,
)

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('warm-start entries', () => {
  it('ranks final over checkpoint, best objective among checkpoints, and overwrites per run', async () => {
    expect(await store.lookup('k')).toBeNull()
    await store.saveOverwrite('k', 'r1', { kind: 'checkpoint', objective: 3, iteration: 1, payload: { w: 1 } })
    await store.saveOverwrite('k', 'r2', { kind: 'checkpoint', objective: 1, iteration: 1, payload: { w: 2 } })
    expect((await store.lookup('k'))?.runId).toBe('r2')
    await store.saveOverwrite('k', 'r1', { kind: 'checkpoint', objective: 0.5, iteration: 2, payload: { w: 3 } })
    const best = await store.lookup('k')
    expect(best).toMatchObject({ key: 'k', runId: 'r1', objective: 0.5, iteration: 2, payload: { w: 3 }, direction: 'minimize' })
    expect(best?.sizeBytes).toBeGreaterThan(0)
    await sleep(2)
    await store.saveOverwrite('k', 'r3', { kind: 'final', objective: 9, iteration: 5, payload: null, producerVersion: '1' })
    expect((await store.lookup('k'))?.runId).toBe('r3')
    // A final of another producer version ranks as a checkpoint.
    expect((await store.lookup('k', { producerVersion: '2' }))?.runId).toBe('r1')
    expect((await store.lookupLatest('k'))?.runId).toBe('r3')
    expect(await store.lookup('other')).toBeNull()
  })

  it('keeps keys apart, even ones that are prefixes of each other or hold separator bytes', async () => {
    const keys = ['a', 'a\u0000', 'a\u0000b', 'a\u0001', 'ab', '\u0001']
    for (const [i, key] of keys.entries())
      await store.saveOverwrite(key, `r\u0000${i}`, { kind: 'final', objective: i, iteration: i, payload: i })
    for (const [i, key] of keys.entries()) expect(await store.lookup(key)).toMatchObject({ key, runId: `r\u0000${i}`, payload: i })
    await expect(store.saveOverwrite('\uD800', 'r', { kind: 'final', objective: 1, iteration: 1, payload: 1 })).rejects.toThrow(
      InvalidInputError,
    )
    await expect(store.saveOverwrite('k', 'r', { kind: 'best' as 'final', objective: 1, iteration: 1, payload: 1 })).rejects.toThrow(
      /entry.kind/,
    )
  })

  it('survives a reopen', async () => {
    await store.saveOverwrite('k', 'r', { kind: 'final', objective: 1, iteration: 3, payload: { deep: [1, 2] } })
    await store.close()
    store = createLevelStore({ location: dir })
    expect(await store.lookup('k')).toMatchObject({ runId: 'r', payload: { deep: [1, 2] } })
  })

  it('evicts by TTL from last access, then least recently used past the size budget', async () => {
    for (const run of ['r1', 'r2', 'r3'])
      await store.saveOverwrite('k', run, { kind: 'checkpoint', objective: 1, iteration: 1, payload: run })
    await store.saveOverwrite('j', 'r1', { kind: 'checkpoint', objective: 1, iteration: 1, payload: 'x' })
    await sleep(5)
    const touched = await store.lookupLatest('j') // refresh its access time
    expect(touched?.lastAccessedAt).toBeGreaterThan(touched?.updatedAt ?? Infinity)
    // 'j' was accessed exactly ttlMs before `now` (kept); the 'k' entries at least 5 ms earlier (expired).
    const ttl = await store.evict({ ttlMs: 1000, now: (touched?.lastAccessedAt ?? 0) + 1000 })
    expect(ttl.evicted).toBe(3)
    expect(ttl.bytesFreed).toBeGreaterThan(0)
    expect(await store.lookup('k')).toBeNull()
    expect(await store.lookup('j')).not.toBeNull()

    for (const run of ['a', 'b', 'c']) {
      await store.saveOverwrite('m', run, { kind: 'checkpoint', objective: 1, iteration: 1, payload: 'y'.repeat(100) })
      await sleep(2)
    }
    const size = (await store.lookupLatest('m'))?.sizeBytes ?? 0
    const lru = await store.evict({ maxBytes: size * 2 + 10 })
    expect(lru.evicted).toBe(2) // j and the oldest of m go; c was just looked up
    expect((await store.lookupLatest('m'))?.runId).toBe('c')
    expect(await store.evict({})).toEqual({ evicted: 0, bytesFreed: 0 })
    await expect(store.evict({ maxBytes: -1 })).rejects.toThrow(InvalidInputError)
  })

  it('drops a corrupt entry instead of returning it, and reports it on cairn:store:corrupt', async () => {
    await store.saveOverwrite('k', 'good', { kind: 'checkpoint', objective: 2, iteration: 1, payload: 1 })
    await store.saveOverwrite('k', 'bad', { kind: 'checkpoint', objective: 1, iteration: 1, payload: 2 })
    await corruptWarmStartEntry(store, 'k', 'bad', new Uint8Array([0x43, 0x41, 0x49, 0x52, 0x57, 9, 9]))
    const seen: unknown[] = []
    const onCorrupt = (message: unknown) => seen.push(message)
    diagnostics.subscribe(CHANNEL_NAMES.storeCorrupt, onCorrupt)
    try {
      expect((await store.lookup('k'))?.runId).toBe('good')
      expect((await store.lookup('k'))?.runId).toBe('good')
    } finally {
      diagnostics.unsubscribe(CHANNEL_NAMES.storeCorrupt, onCorrupt)
    }
    expect(seen).toHaveLength(1) // dropped the first time, gone the second
    expect(seen[0]).toMatchObject({ key: 'k', runId: 'bad' })
  })
})
