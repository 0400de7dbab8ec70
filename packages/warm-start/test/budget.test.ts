import diagnostics from 'node:diagnostics_channel'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createMemoryStore, type WarmStartStore } from '@cairn/core'
import { createFsStore } from '@cairn/store-fs'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { WARM_START_CHANNEL_NAMES, WarmStartSession, withWarmStartBudget, type WarmStartErrorEvent } from '../src/index.js'

const DAY = 86_400_000

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-ws-budget-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))
afterEach(() => vi.useRealTimers())

const stores: Array<[string, () => WarmStartStore & { close?(): Promise<void> }]> = [
  ['memory', () => createMemoryStore()],
  ['fs', () => createFsStore({ dir: join(dir, `s-${Math.random().toString(36).slice(2)}`), durable: false })],
]

describe.each(stores)('withWarmStartBudget (%s store)', (_name, make) => {
  it('applies the TTL on a write once the interval passed, without evict() being called', async () => {
    // The stores stamp entries with the system clock; the budget reads the same (faked) clock.
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(1_700_000_000_000)
    const inner = make()
    const store = withWarmStartBudget(inner, { ttlMs: DAY, everyMs: 60_000 })
    await store.saveOverwrite('old', 'r', { kind: 'final', objective: 1, iteration: 1, payload: 'old' })
    vi.setSystemTime(Date.now() + 2 * DAY)
    await store.saveOverwrite('new', 'r', { kind: 'final', objective: 1, iteration: 1, payload: 'new' })
    // The old entry had not been touched for two days: gone, by the second save alone.
    expect(await inner.lookup('old')).toBeNull()
    expect(await inner.lookup('new')).toMatchObject({ payload: 'new' })
    await inner.close?.()
  })

  it('keeps the store under maxBytes, evicting the least recently used; at most one eviction per interval', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(1_700_000_000_000)
    const inner = make()
    const evict = vi.spyOn(inner, 'evict')
    const one = 'x'.repeat(500)
    const store = withWarmStartBudget(inner, { maxBytes: 1_800, everyMs: 10_000 })
    for (const k of ['a', 'b', 'c', 'd', 'e']) {
      await store.saveOverwrite(k, 'r', { kind: 'final', objective: 1, iteration: 1, payload: one })
      vi.setSystemTime(Date.now() + 10)
    }
    // The first save evicted (nothing to do); the other four fell inside the interval.
    expect(evict).toHaveBeenCalledTimes(1)
    vi.setSystemTime(Date.now() + 10_000)
    await store.lookup('a') // a is now the most recently used
    vi.setSystemTime(Date.now() + 10)
    await store.saveOverwrite('f', 'r', { kind: 'final', objective: 1, iteration: 1, payload: one })
    expect(evict).toHaveBeenCalledTimes(2)
    const left = []
    for (const k of ['a', 'b', 'c', 'd', 'e', 'f']) if (await inner.lookupLatest(k)) left.push(k)
    expect(left.length).toBeLessThan(6)
    expect(left).toContain('a')
    expect(left).toContain('f')
    expect(left).not.toContain('b')
    await inner.close?.()
  })
})

describe('withWarmStartBudget options', () => {
  it('refuses an unknown key naming the nearest one, and values stores could not evict by', () => {
    const store = createMemoryStore()
    expect(() => withWarmStartBudget(store, { maxByte: 1024 } as never)).toThrow(
      '[@cairn/warm-start] withWarmStartBudget: unknown option budget.maxByte (did you mean maxBytes?)',
    )
    expect(() => withWarmStartBudget(store, { maxBytes: 1.5 })).toThrow(/^\[@cairn\/warm-start\] budget\.maxBytes: must be an integer/)
    expect(() => withWarmStartBudget(store, { ttlMs: Number.POSITIVE_INFINITY })).toThrow(/budget\.ttlMs/)
    expect(() => withWarmStartBudget(store, {})).toThrow(/budget: needs maxBytes, ttlMs or both/)
    expect(withWarmStartBudget(store, { maxBytes: 1024, ttlMs: DAY, everyMs: 0, now: Date.now }).budget).toMatchObject({ maxBytes: 1024 })
  })
})

describe('withWarmStartBudget failures', () => {
  it('an eviction that fails does not fail the save; it is reported and tried again after the interval', async () => {
    const events: WarmStartErrorEvent[] = []
    const listen = (e: unknown): void => void events.push(e as WarmStartErrorEvent)
    diagnostics.subscribe(WARM_START_CHANNEL_NAMES.error, listen)
    try {
      let now = 0
      const inner = createMemoryStore()
      const evict = vi.spyOn(inner, 'evict').mockRejectedValueOnce(new Error('throttled'))
      const store = withWarmStartBudget(inner, { ttlMs: 1, everyMs: 100, now: () => now })
      await store.saveOverwrite('k', 'r', { kind: 'final', objective: 1, iteration: 1, payload: 1 })
      expect(await inner.lookup('k')).not.toBeNull()
      expect(events).toMatchObject([{ operation: 'evict', error: { message: 'throttled' } }])
      await store.saveOverwrite('k', 'r', { kind: 'final', objective: 1, iteration: 2, payload: 2 })
      expect(evict).toHaveBeenCalledTimes(1)
      now = 100
      await store.saveOverwrite('k', 'r', { kind: 'final', objective: 1, iteration: 3, payload: 3 })
      expect(evict).toHaveBeenCalledTimes(2)
    } finally {
      diagnostics.unsubscribe(WARM_START_CHANNEL_NAMES.error, listen)
    }
  })
})

describe('WarmStartSession budget option', () => {
  it('a session with a budget keeps the store within it through its own writes', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(1_700_000_000_000)
    const store = createMemoryStore()
    await store.saveOverwrite('stale', 'r', { kind: 'final', objective: 1, iteration: 1, payload: 'stale' })
    vi.setSystemTime(Date.now() + 10 * DAY)
    const ws = await WarmStartSession.open(store, 'k'.repeat(64), { budget: { ttlMs: 7 * DAY } })
    expect(await ws.checkpoint(new Uint8Array([1, 2, 3]), 0.5, 1)).toBe(true)
    expect(await store.lookup('stale')).toBeNull()
    expect((await ws.tryLoad())?.payload).toEqual(new Uint8Array([1, 2, 3]))
  })
})
