import { createMemoryStore, InvalidInputError, type WarmStartEntry, type WarmStartStore } from '@cairn/core'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { WarmStartSession, type WarmStartSessionOptions } from '../src/index.js'

const KEY = 'a'.repeat(64)

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let t = start
  return { now: () => t, advance: (ms) => void (t += ms) }
}

async function open(store: WarmStartStore, options: WarmStartSessionOptions = {}, key = KEY): Promise<WarmStartSession> {
  return WarmStartSession.open(store, key, options)
}

describe('WarmStartSession', () => {
  beforeEach(() => {
    // The store stamps entries with Date.now(); a fake system clock makes "newest" deterministic.
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(1_700_000_000_000)
  })
  afterEach(() => {
    vi.useRealTimers()
  })
  const tick = (ms = 10): void => {
    vi.setSystemTime(Date.now() + ms)
  }

  it('checkpoint then load: the entry comes back as an exact match', async () => {
    const store = createMemoryStore()
    const ws = await open(store, { runId: 'run-1', producerVersion: 'v1' })
    expect(await ws.tryLoad()).toBeNull()
    expect(await ws.checkpoint({ weights: [1, 2, 3] }, 0.5, 10)).toBe(true)
    const loaded = await ws.tryLoadWithSource()
    expect(loaded?.source).toBe('exact')
    expect(loaded?.entry).toMatchObject({
      key: KEY,
      runId: 'run-1',
      kind: 'checkpoint',
      objective: 0.5,
      iteration: 10,
      direction: 'minimize',
      producerVersion: 'v1',
      payload: { weights: [1, 2, 3] },
    })
    // Loading from the store does not consume anything.
    expect((await ws.tryLoad())?.objective).toBe(0.5)
    expect(ws.lastWrite).toMatchObject({ kind: 'checkpoint', objective: 0.5, iteration: 10 })
  })

  it('rate-limits non-improving checkpoints, but a strict improvement always writes', async () => {
    const store = createMemoryStore()
    const clock = manualClock()
    const ws = await open(store, { now: clock.now })
    expect(ws.minIntervalMs).toBe(2000)
    expect(await ws.checkpoint({ step: 1 }, 0.5, 1)).toBe(true)
    clock.advance(100)
    expect(await ws.checkpoint({ step: 2 }, 0.4, 2)).toBe(true) // improvement inside the window
    clock.advance(100)
    expect(await ws.checkpoint({ step: 3 }, 0.3, 3)).toBe(true) // and again
    expect((await store.lookup(KEY))?.payload).toEqual({ step: 3 })
  })

  it('suppresses a non-improving write inside the window, and the better entry stays', async () => {
    const store = createMemoryStore()
    const clock = manualClock()
    const ws = await open(store, { now: clock.now })
    expect(await ws.checkpoint({ step: 1 }, 0.5, 1)).toBe(true)
    clock.advance(1999)
    expect(await ws.checkpoint({ step: 2 }, 0.6, 2)).toBe(false) // worse
    expect(await ws.checkpoint({ step: 3 }, 0.5, 3)).toBe(false) // equal is not an improvement
    expect(await ws.checkpoint({ step: 4 }, null, 4)).toBe(false) // no objective is not either
    const stored = await store.lookup(KEY)
    expect(stored).toMatchObject({ objective: 0.5, iteration: 1, payload: { step: 1 } })
    expect(ws.lastWrite).toMatchObject({ objective: 0.5, iteration: 1 })
    // Once the window has passed since the last write, a checkpoint writes again.
    clock.advance(1)
    expect(await ws.checkpoint({ step: 5 }, 0.7, 5)).toBe(true)
    expect((await store.lookup(KEY))?.payload).toEqual({ step: 5 })
    // The window restarts at every write.
    clock.advance(1500)
    expect(await ws.checkpoint({ step: 6 }, 0.8, 6)).toBe(false)
  })

  it('judges an improvement against the best objective written, not the last one', async () => {
    const store = createMemoryStore()
    const clock = manualClock()
    const ws = await open(store, { now: clock.now })
    expect(await ws.checkpoint({ step: 1 }, 0.3, 1)).toBe(true)
    clock.advance(2000)
    expect(await ws.checkpoint({ step: 2 }, 0.5, 2)).toBe(true) // worse, but the window passed
    clock.advance(100)
    // Better than the last write (0.5) but not than the best (0.3): rate-limited.
    expect(await ws.checkpoint({ step: 3 }, 0.4, 3)).toBe(false)
    expect((await store.lookup(KEY))?.payload).toEqual({ step: 2 })
    // Strictly better than the best: written at once.
    expect(await ws.checkpoint({ step: 4 }, 0.2, 4)).toBe(true)
    expect((await store.lookup(KEY))?.payload).toEqual({ step: 4 })
    const max = await open(createMemoryStore(), { now: clock.now, direction: 'maximize' })
    expect(await max.checkpoint({}, 5, 1)).toBe(true)
    clock.advance(2000)
    expect(await max.checkpoint({}, 1, 2)).toBe(true)
    expect(await max.checkpoint({}, 4, 3)).toBe(false)
    expect(await max.checkpoint({}, 6, 4)).toBe(true)
  })

  it('judges improvement by the direction, and a number beats null', async () => {
    const store = createMemoryStore()
    const clock = manualClock()
    const ws = await open(store, { now: clock.now, direction: 'maximize', minIntervalMs: 60_000 })
    expect(await ws.checkpoint({}, null, 0)).toBe(true)
    expect(await ws.checkpoint({}, 0.5, 1)).toBe(true)
    expect(await ws.checkpoint({}, 0.4, 2)).toBe(false)
    expect(await ws.checkpoint({}, 0.9, 3)).toBe(true)
    expect(await store.lookup(KEY)).toMatchObject({ objective: 0.9, direction: 'maximize' })
    const noLimit = await open(createMemoryStore(), { now: clock.now, minIntervalMs: 0 })
    expect(await noLimit.checkpoint({}, 1, 0)).toBe(true)
    expect(await noLimit.checkpoint({}, 2, 1)).toBe(true)
  })

  it('applies concurrent writes in call order', async () => {
    const store = createMemoryStore()
    const clock = manualClock()
    const ws = await open(store, { now: clock.now })
    const results = await Promise.all([ws.checkpoint({ n: 1 }, 0.5, 1), ws.checkpoint({ n: 2 }, 0.9, 2), ws.checkpoint({ n: 3 }, 0.1, 3)])
    expect(results).toEqual([true, false, true])
    expect((await store.lookup(KEY))?.payload).toEqual({ n: 3 })
  })

  it('finalize writes a final entry without rate limit, which then ranks first', async () => {
    const store = createMemoryStore()
    const clock = manualClock()
    const ws = await open(store, { runId: 'mine', now: clock.now })
    expect(await ws.checkpoint({ best: true }, 0.2, 5)).toBe(true)
    clock.advance(1) // well inside the window, and worse: finalize still writes
    await ws.finalize({ done: true }, 0.3, 9)
    expect(ws.finalized).toBe(true)
    // Another run's better checkpoint does not beat a final.
    tick()
    const other = await open(store, { runId: 'other' })
    expect(await other.checkpoint({ other: true }, 0.01, 3)).toBe(true)
    const loaded = await other.tryLoadWithSource()
    expect(loaded).toMatchObject({ source: 'exact', entry: { kind: 'final', runId: 'mine', objective: 0.3, payload: { done: true } } })
    // A checkpoint after finalize would demote the final entry: refused.
    await expect(ws.checkpoint({}, 0.1, 10)).rejects.toThrow(InvalidInputError)
    await expect(ws.checkpoint({}, 0.1, 10)).rejects.toThrow(/^\[@cairn\/warm-start\] checkpoint: the session was finalized/)
    // finalize may be called again to replace the result.
    await ws.finalize({ done: 2 }, 0.25, 11)
    expect((await store.lookup(KEY))?.payload).toEqual({ done: 2 })
  })

  it('ranks entries of several runs as rankWarmStartEntries does', async () => {
    const store = createMemoryStore()
    const a = await open(store, { runId: 'a' })
    const b = await open(store, { runId: 'b' })
    const c = await open(store, { runId: 'c' })
    await a.checkpoint({ run: 'a' }, 0.5, 1)
    tick()
    await b.checkpoint({ run: 'b' }, 0.3, 1)
    tick()
    await c.checkpoint({ run: 'c' }, 0.3, 1) // ties with b: the newest wins
    expect((await a.tryLoad())?.runId).toBe('c')
    tick()
    await a.finalize({ run: 'a' }, 0.9, 2) // a final beats every checkpoint
    expect((await b.tryLoad())?.runId).toBe('a')
    tick()
    await b.finalize({ run: 'b' }, 0.95, 2) // among finals the newest wins
    expect((await c.tryLoad())?.runId).toBe('b')
  })

  it('treats a final from another producerVersion as a checkpoint', async () => {
    const store = createMemoryStore()
    const old = await open(store, { runId: 'old', producerVersion: 'v1' })
    await old.finalize({ v: 1 }, 0.5, 10)
    tick()
    const current = await open(store, { runId: 'new', producerVersion: 'v2' })
    expect((await current.tryLoad())?.runId).toBe('old') // still the only entry
    await current.checkpoint({ v: 2 }, 0.4, 3)
    // For v2 the v1 final is just a checkpoint with a worse objective.
    expect((await current.tryLoad())?.runId).toBe('new')
    // A v1 reader still sees its own final first.
    const v1reader = await open(store, { producerVersion: 'v1' })
    expect((await v1reader.tryLoad())?.runId).toBe('old')
  })

  it('returns a preloaded seed first, once, labelled preloaded; then the exact match', async () => {
    const store = createMemoryStore()
    const ws = await open(store, { runId: 'fold-2' })
    await ws.checkpoint({ own: true }, 0.7, 1)
    const seed: WarmStartEntry = {
      key: 'b'.repeat(64),
      runId: 'fold-1',
      kind: 'final',
      objective: 0.1,
      direction: 'minimize',
      iteration: 50,
      payload: { from: 'fold-1' },
      updatedAt: 1,
      lastAccessedAt: 1,
      sizeBytes: 100,
    }
    ws.preload(seed)
    // A seed, even a `final` one, is never reported as a finished fit for this key.
    expect(await ws.tryLoadWithSource()).toEqual({ source: 'preloaded', entry: seed })
    expect(await ws.tryLoadWithSource()).toMatchObject({ source: 'exact', entry: { runId: 'fold-2', payload: { own: true } } })
    expect(await ws.tryLoadWithSource()).toMatchObject({ source: 'exact' })
    // With nothing stored for the key, a consumed seed leaves nothing.
    const empty = await open(createMemoryStore())
    empty.preload(seed)
    expect(await empty.tryLoad()).toBe(seed)
    expect(await empty.tryLoad()).toBeNull()
  })

  it('peek never consumes', async () => {
    const store = createMemoryStore()
    const ws = await open(store)
    await ws.checkpoint({ own: true }, 0.7, 1)
    const seed = (await (
      await open(store, { runId: 'x' }, 'c'.repeat(64))
    )
      .checkpoint({ seed: true }, 0.2, 1)
      .then(() => store.lookupLatest('c'.repeat(64)))) as WarmStartEntry
    ws.preload(seed)
    for (let i = 0; i < 3; i++)
      expect(await ws.peekLoadWithSource()).toMatchObject({ source: 'preloaded', entry: { payload: { seed: true } } })
    expect((await ws.peekLoad())?.payload).toEqual({ seed: true })
    expect((await ws.tryLoad())?.payload).toEqual({ seed: true })
    expect(await ws.peekLoadWithSource()).toMatchObject({ source: 'exact', entry: { payload: { own: true } } })
    expect((await ws.peekLoad())?.payload).toEqual({ own: true })
    // preload(null) drops a pending seed; a later preload replaces an earlier one.
    ws.preload(seed)
    ws.preload(null)
    expect((await ws.peekLoadWithSource())?.source).toBe('exact')
    ws.preload({ ...seed, runId: 'first' })
    ws.preload({ ...seed, runId: 'second' })
    expect((await ws.tryLoad())?.runId).toBe('second')
    expect((await ws.tryLoadWithSource())?.source).toBe('exact')
  })

  it('refuses bad arguments with InvalidInputError naming the field', async () => {
    const store = createMemoryStore()
    const cases: [RegExp, () => Promise<unknown>][] = [
      [/store/, () => WarmStartSession.open({} as WarmStartStore, KEY)],
      [/key/, () => WarmStartSession.open(store, '')],
      [/key/, () => WarmStartSession.open(store, 'k'.repeat(257))],
      [/options\.runId/, () => open(store, { runId: '' })],
      [
        /unknown option options.minInterval \(did you mean minIntervalMs\?\)/,
        () => open(store, { minInterval: 5 } as WarmStartSessionOptions),
      ],
      [/options\.direction/, () => open(store, { direction: 'up' as 'maximize' })],
      [/options\.minIntervalMs/, () => open(store, { minIntervalMs: -1 })],
      [/options\.minIntervalMs: .*at most 2147483647/, () => open(store, { minIntervalMs: 2 ** 31 })],
      [/options\.now/, () => open(store, { now: 5 as unknown as () => number })],
      [/objective/, async () => (await open(store)).checkpoint({}, Number.NaN, 1)],
      [/iteration/, async () => (await open(store)).checkpoint({}, 1, -1)],
      [/objective/, async () => (await open(store)).finalize({}, Infinity, 1)],
      [/entry/, async () => (await open(store)).preload({ kind: 'best' } as unknown as WarmStartEntry)],
      [/payload: must be JSON or a Uint8Array/, async () => (await open(store)).checkpoint({ f: () => 1 } as never, 1, 1)],
      [/payload: must be JSON or a Uint8Array/, async () => (await open(store)).finalize(Number.NaN as never, 1, 1)],
      [/options\.budget: needs maxBytes, ttlMs or both/, () => open(store, { budget: {} })],
      [/options\.budget\.everyMs/, () => open(store, { budget: { ttlMs: 1, everyMs: -1 } })],
      [
        /unknown option options\.budget\.maxByte \(did you mean maxBytes\?\)/,
        () => open(store, { budget: { maxByte: 1024 } as WarmStartSessionOptions['budget'] }),
      ],
      [/options\.budget\.maxBytes: must be an integer/, () => open(store, { budget: { maxBytes: 1.5 } })],
      [/unknown option options\.budgt \(did you mean budget\?\)/, () => open(store, { budgt: { ttlMs: 1 } } as WarmStartSessionOptions)],
    ]
    for (const [field, fn] of cases) {
      const err = await fn().then(
        () => null,
        (e: unknown) => e,
      )
      expect(err, String(field)).toBeInstanceOf(InvalidInputError)
      expect((err as Error).message, String(field)).toMatch(/^\[@cairn\/warm-start\] /)
      expect((err as Error).message, String(field)).toMatch(field)
    }
  })
})
