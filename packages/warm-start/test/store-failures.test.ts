import diagnostics from 'node:diagnostics_channel'
import { createMemoryStore, InvalidInputError, type WarmStartEntryInput, type WarmStartStore } from '@cairn/core'
import { afterEach, describe, expect, it } from 'vitest'
import { WARM_START_CHANNEL_NAMES, WarmStartSession, type WarmStartErrorEvent } from '../src/index.js'

const KEY = 'a'.repeat(64)

/** A memory store whose calls fail while `down` is set (a disk full, a network partition). */
function flakyStore(): WarmStartStore & { down: boolean } {
  const inner = createMemoryStore()
  const store = {
    specificationVersion: 'v1' as const,
    down: true,
    async saveOverwrite(key: string, runId: string, entry: WarmStartEntryInput) {
      if (store.down) throw new Error('disk full')
      return inner.saveOverwrite(key, runId, entry)
    },
    async lookup(key: string) {
      if (store.down) throw new Error('connection reset')
      return inner.lookup(key)
    },
    async lookupLatest(key: string) {
      return inner.lookupLatest(key)
    },
    evict: (options: Parameters<WarmStartStore['evict']>[0]) => inner.evict(options),
  }
  return store
}

const events: WarmStartErrorEvent[] = []
const listen = (e: unknown): void => void events.push(e as WarmStartErrorEvent)
diagnostics.subscribe(WARM_START_CHANNEL_NAMES.error, listen)
afterEach(() => {
  events.length = 0
})

describe('WarmStartSession on a failing store', () => {
  it('checkpoint resolves false, tryLoad and peekLoad null, finalize false; each failure is an event; nothing throws', async () => {
    const store = flakyStore()
    let t = 0
    const ws = await WarmStartSession.open(store, KEY, { runId: 'run-1', now: () => t })
    expect(await ws.checkpoint({ step: 1 }, 0.5, 1)).toBe(false)
    expect(ws.lastWrite).toBeNull()
    expect(await ws.tryLoad()).toBeNull()
    expect(await ws.peekLoadWithSource()).toBeNull()
    expect(await ws.finalize({ done: true }, 0.5, 2)).toBe(false)
    expect(ws.finalized).toBe(false)
    expect(events.map((e) => [e.operation, e.key, e.runId, (e.error as Error).message])).toEqual([
      ['checkpoint', KEY, 'run-1', 'disk full'],
      ['load', KEY, 'run-1', 'connection reset'],
      ['load', KEY, 'run-1', 'connection reset'],
      ['finalize', KEY, 'run-1', 'disk full'],
    ])

    // A failed write does not start the rate-limit window: once the store is back, the next checkpoint writes.
    store.down = false
    t += 1
    expect(await ws.checkpoint({ step: 2 }, 0.6, 2)).toBe(true)
    expect(await ws.tryLoad()).toMatchObject({ payload: { step: 2 }, objective: 0.6 })
    // A failed write of a better objective does not count as the best: the same objective still writes.
    store.down = true
    expect(await ws.checkpoint({ step: 3 }, 0.1, 3)).toBe(false)
    store.down = false
    expect(await ws.checkpoint({ step: 4 }, 0.1, 4)).toBe(true)
    expect(await ws.finalize({ done: true }, 0.1, 5)).toBe(true)
    expect(ws.finalized).toBe(true)
  })

  it('a pending seed is still returned while the store is down', async () => {
    const store = flakyStore()
    const ws = await WarmStartSession.open(store, KEY)
    const seed = {
      key: 'b'.repeat(64),
      runId: 'fold-1',
      kind: 'final' as const,
      objective: 1,
      direction: 'minimize' as const,
      iteration: 1,
      payload: null,
      updatedAt: 1,
      lastAccessedAt: 1,
      sizeBytes: 1,
    }
    ws.preload(seed)
    expect(await ws.tryLoadWithSource()).toEqual({ source: 'preloaded', entry: seed })
    expect(await ws.tryLoadWithSource()).toBeNull()
    expect(events.map((e) => e.operation)).toEqual(['load'])
  })

  it('bad arguments still throw InvalidInputError, store or no store', async () => {
    const ws = await WarmStartSession.open(flakyStore(), KEY)
    await expect(ws.checkpoint({}, Number.NaN, 1)).rejects.toThrow(InvalidInputError)
    await expect(ws.checkpoint(new Map() as never, 1, 1)).rejects.toThrow(/payload: must be JSON or a Uint8Array/)
    expect(events).toEqual([])
  })
})
