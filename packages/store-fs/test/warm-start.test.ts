import diagnostics from 'node:diagnostics_channel'
import { readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CHANNEL_NAMES, InvalidInputError } from '@cairn/core'
import { createFsStore, type FsStore } from '../src/index.js'
import { encodeName } from '../src/layout.js'
import { tempDir } from './helpers.js'

let dir: string
let cleanup: () => Promise<void>
let store: FsStore
let reports: unknown[]
const onCorrupt = (msg: unknown): void => {
  reports.push(msg)
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

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

const fp = 'ab'.repeat(32)

describe('warm-start entries on disk', () => {
  it('one file per (key, runId); any string is a safe file name', async () => {
    const keys = [fp, '../../etc/passwd', 'Key With Spaces/and/slashes', 'UPPER', 'é', 'x'.repeat(256)]
    for (const key of keys) await store.saveOverwrite(key, '../run', { kind: 'final', objective: 1, iteration: 1, payload: key })
    for (const key of keys) expect(await store.lookup(key)).toMatchObject({ key, runId: '../run', payload: key })
    const dirs = await readdir(join(dir, 'warm-start'))
    expect(dirs).toHaveLength(keys.length)
    expect(dirs).toContain(`p-${fp}`)
    for (const d of dirs) expect(d).toMatch(/^(p-[a-z0-9_-]+|h-[0-9a-f]{64})$/)
    expect(await readdir(dir)).toEqual(['locks', 'warm-start'])
    // Case-insensitive filesystems cannot merge two keys.
    expect(encodeName('UPPER')).not.toBe(encodeName('upper'))
  })

  it('ranks, refreshes access time and overwrites', async () => {
    await store.saveOverwrite(fp, 'r1', { kind: 'checkpoint', objective: 3, iteration: 1, payload: 1 })
    await sleep(5)
    await store.saveOverwrite(fp, 'r2', { kind: 'checkpoint', objective: 2, iteration: 1, payload: 2 })
    await sleep(5)
    await store.saveOverwrite(fp, 'r3', { kind: 'checkpoint', objective: 5, iteration: 1, payload: 3 })
    expect((await store.lookup(fp))?.runId).toBe('r2')
    expect((await store.lookupLatest(fp))?.runId).toBe('r3')
    const first = await store.lookup(fp)
    await sleep(5)
    const again = await store.lookup(fp)
    expect(again!.lastAccessedAt).toBeGreaterThan(first!.lastAccessedAt)
    await store.saveOverwrite(fp, 'r1', { kind: 'final', objective: 9, iteration: 2, payload: 'done' })
    expect(await store.lookup(fp)).toMatchObject({ runId: 'r1', kind: 'final', payload: 'done' })
    expect(await readdir(join(dir, 'warm-start', `p-${fp}`))).toHaveLength(3)
  })

  it('a corrupt entry is deleted and reported, never returned; the others still are', async () => {
    await store.saveOverwrite(fp, 'good', { kind: 'checkpoint', objective: 3, iteration: 1, payload: 1 })
    await store.saveOverwrite(fp, 'bad', { kind: 'final', objective: 1, iteration: 1, payload: 2 })
    const path = join(dir, 'warm-start', `p-${fp}`, 'p-bad.entry')
    const bytes = await readFile(path)
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0xff
    await writeFile(path, bytes)
    expect((await store.lookup(fp))?.runId).toBe('good')
    expect(reports).toMatchObject([{ key: fp, runId: 'bad' }])
    expect(await readdir(join(dir, 'warm-start', `p-${fp}`))).toEqual(['p-good.entry'])
  })

  it('an entry copied under another name is not trusted', async () => {
    await store.saveOverwrite(fp, 'a', { kind: 'final', objective: 1, iteration: 1, payload: 'a' })
    const from = join(dir, 'warm-start', `p-${fp}`, 'p-a.entry')
    await writeFile(join(dir, 'warm-start', `p-${fp}`, 'p-b.entry'), await readFile(from))
    expect((await store.lookupLatest(fp))?.runId).toBe('a')
    expect(reports).toHaveLength(1)
  })

  it('evicts by TTL and size budget, removing emptied key directories', async () => {
    await store.saveOverwrite('k1', 'r', { kind: 'final', objective: 1, iteration: 1, payload: 'x'.repeat(100) })
    await sleep(5)
    await store.saveOverwrite('k2', 'r', { kind: 'final', objective: 1, iteration: 1, payload: 'y'.repeat(100) })
    const size = (await store.lookup('k2'))!.sizeBytes
    const report = await store.evict({ maxBytes: size })
    expect(report).toEqual({ evicted: 1, bytesFreed: expect.any(Number) })
    expect(await store.lookup('k1')).toBeNull()
    expect(await readdir(join(dir, 'warm-start'))).toEqual(['p-k2'])
    expect(await store.evict({ ttlMs: 1, now: Date.now() + 1000 })).toMatchObject({ evicted: 1 })
    expect(await readdir(join(dir, 'warm-start'))).toEqual([])
  })

  it('validates input', async () => {
    await expect(store.saveOverwrite('', 'r', { kind: 'final', objective: 1, iteration: 1, payload: 1 })).rejects.toBeInstanceOf(
      InvalidInputError,
    )
    await expect(store.saveOverwrite('k', 'r', { kind: 'best' as 'final', objective: 1, iteration: 1, payload: 1 })).rejects.toBeInstanceOf(
      InvalidInputError,
    )
  })
})
