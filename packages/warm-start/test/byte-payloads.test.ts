import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createMemoryStore, type WarmStartStore } from '@cairn/core'
import { createFsStore } from '@cairn/store-fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WarmStartSession } from '../src/index.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-ws-bytes-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const stores: Array<[string, () => WarmStartStore & { close?(): Promise<void> }]> = [
  ['memory', () => createMemoryStore()],
  ['fs', () => createFsStore({ dir, durable: false })],
]

describe.each(stores)('byte payloads (%s store)', (_name, make) => {
  it('a Uint8Array checkpoint and final come back as the same bytes, to another run too', async () => {
    const store = make()
    const model = Uint8Array.from({ length: 4096 }, (_, i) => (i * 31 + 7) % 256)
    const a = await WarmStartSession.open(store, 'b'.repeat(64), { runId: 'a', minIntervalMs: 0 })
    expect(await a.checkpoint(model.subarray(1, 4001), 0.5, 1)).toBe(true)
    const b = await WarmStartSession.open(store, 'b'.repeat(64), { runId: 'b' })
    const loaded = await b.tryLoad()
    expect(loaded?.payload).toBeInstanceOf(Uint8Array)
    expect(Buffer.from(loaded!.payload as Uint8Array).equals(Buffer.from(model.subarray(1, 4001)))).toBe(true)
    expect(await a.finalize(new Uint8Array([0, 255]), 0.4, 2)).toBe(true)
    expect((await b.tryLoad())?.payload).toEqual(new Uint8Array([0, 255]))
    // JSON payloads are unchanged, even an array of byte-sized numbers.
    expect(await b.checkpoint([0, 255], 0.1, 3)).toBe(true)
    const c = await WarmStartSession.open(store, 'b'.repeat(64), { runId: 'c' })
    expect((await c.peekLoad())?.payload).toEqual(new Uint8Array([0, 255])) // the final still ranks first
    expect((await store.lookupLatest('b'.repeat(64)))?.payload).toEqual([0, 255])
    await store.close?.()
  })
})
