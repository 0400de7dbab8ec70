import { SPECIFICATION_VERSION, type WarmStartEntryInput, type WarmStartStore } from '@cairn/core'
import type { StoreFactory, StoreFixture } from '../fixture.js'
import { closeQuietly, withFixture } from '../fixture.js'
import { rejectedWith, settle } from '../helpers/outcome.js'
import { sleep } from '../helpers/time.js'
import { testIf, vitestRunner, type Needs, type Runner } from '../runner.js'
import { registerWarmStartInputs } from './inputs.js'

const entry = (overrides: Partial<WarmStartEntryInput> = {}): WarmStartEntryInput => ({
  kind: 'checkpoint',
  objective: 1,
  iteration: 1,
  payload: { weights: [1, 2, 3] },
  ...overrides,
})

/** Saves in order with a pause between saves, so `updatedAt` strictly increases. */
async function saveInOrder(store: WarmStartStore, key: string, items: Array<[runId: string, WarmStartEntryInput]>): Promise<void> {
  for (const [runId, input] of items) {
    await store.saveOverwrite(key, runId, input)
    await sleep(5)
  }
}

/**
 * Registers the `WarmStartStore` conformance suite: save and lookup, overwrite per
 * `(key, runId)`, ranking (see `rankWarmStartEntries`), `lookupLatest`, access-time refresh,
 * eviction by TTL and by size budget, corrupt entries (needs `corruptWarmStartEntry`), and
 * bad input (the checks of `@cairn/core/store-kit`). `factory` gives a fresh, empty store per test.
 */
export function describeWarmStartStore(name: string, factory: StoreFactory<WarmStartStore>, runner: Runner = vitestRunner): void {
  const { describe, test, expect } = runner
  describe(`WarmStartStore conformance: ${name}`, async () => {
    const probe = await factory()
    const canCorrupt = typeof probe.corruptWarmStartEntry === 'function'
    await closeQuietly(probe.store)
    await probe.cleanup?.()
    type Body = (fx: StoreFixture<WarmStartStore>) => Promise<void>
    const it = (title: string, fn: Body): void => test(title, () => withFixture(factory, fn))
    const itIf = (needs: Needs, title: string, fn: Body): void => testIf(runner, needs, title, () => withFixture(factory, fn))

    it(`declares specificationVersion "${SPECIFICATION_VERSION}", the contract version this @cairn/core knows`, async ({ store }) => {
      expect(store.specificationVersion).toBe(SPECIFICATION_VERSION)
    })

    it('saveOverwrite then lookup returns the entry; unknown keys give null', async ({ store }) => {
      const before = Date.now()
      const input: WarmStartEntryInput = {
        kind: 'final',
        objective: 0.25,
        direction: 'maximize',
        iteration: 7,
        payload: { weights: [0.5, -1, 1e-9], meta: { name: 'run', tags: ['a', 'b'], none: null } },
        producerVersion: '1.2.3',
      }
      await store.saveOverwrite('key-1', 'run-1', input)
      const got = await store.lookup('key-1')
      expect(got).toMatchObject({ key: 'key-1', runId: 'run-1', ...input })
      expect(got!.updatedAt).toBeGreaterThanOrEqual(before)
      expect(got!.lastAccessedAt).toBeGreaterThanOrEqual(got!.updatedAt)
      expect(got!.sizeBytes).toBeGreaterThan(0)
      expect(await store.lookup('key-2')).toBeNull()
      expect(await store.lookupLatest('key-2')).toBeNull()
      // Defaults: direction minimize; a null objective is kept.
      await store.saveOverwrite('key-3', 'run-1', { kind: 'checkpoint', objective: null, iteration: 0, payload: 'p' })
      expect(await store.lookup('key-3')).toMatchObject({ direction: 'minimize', objective: null, payload: 'p' })
    })

    it('a byte payload (Uint8Array) comes back as the same bytes, through lookup and lookupLatest', async ({ store }) => {
      const payload = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) % 256)
      await store.saveOverwrite('bytes', 'run-1', { kind: 'final', objective: 2, iteration: 1, payload: payload.subarray(10, 290) })
      for (const got of [await store.lookup('bytes'), await store.lookupLatest('bytes')]) {
        expect(got?.payload).toBeInstanceOf(Uint8Array)
        expect(Array.from(got!.payload as Uint8Array)).toEqual(Array.from(payload.subarray(10, 290)))
      }
      await store.saveOverwrite('bytes', 'run-2', { kind: 'checkpoint', objective: 1, iteration: 1, payload: new Uint8Array(0) })
      expect((await store.lookupLatest('bytes'))?.payload).toEqual(new Uint8Array(0))
    })

    it('saving the same (key, runId) again overwrites it', async ({ store }) => {
      await saveInOrder(store, 'k', [
        ['run-1', entry({ kind: 'final', payload: 'first', iteration: 1 })],
        ['run-1', entry({ kind: 'checkpoint', payload: 'second', iteration: 2 })],
      ])
      expect(await store.lookup('k')).toMatchObject({ runId: 'run-1', kind: 'checkpoint', payload: 'second', iteration: 2 })
      expect(await store.lookupLatest('k')).toMatchObject({ payload: 'second' })
      // Exactly one entry is left: evicting everything removes one.
      expect((await store.evict({ maxBytes: 0 })).evicted).toBe(1)
      expect(await store.lookup('k')).toBeNull()
    })

    it('ranking: final beats checkpoint; the newest final wins', async ({ store }) => {
      await saveInOrder(store, 'k', [
        ['run-z', entry({ kind: 'final', objective: 5, payload: 'old final' })],
        ['run-a', entry({ kind: 'final', objective: 9, payload: 'new final' })],
        ['run-m', entry({ kind: 'checkpoint', objective: -100, payload: 'great checkpoint' })],
      ])
      expect(await store.lookup('k')).toMatchObject({ runId: 'run-a', payload: 'new final' })
      expect(await store.lookup('other')).toBeNull()
    })

    it('ranking: the best-objective checkpoint wins (by its direction), ties go to the newest', async ({ store }) => {
      await saveInOrder(store, 'min', [
        ['run-1', entry({ objective: 3 })],
        ['run-9', entry({ objective: 1, payload: 'older best' })],
        ['run-5', entry({ objective: 1, payload: 'newer best' })],
        ['run-7', entry({ objective: 2 })],
        ['run-8', entry({ objective: null })],
      ])
      expect(await store.lookup('min')).toMatchObject({ runId: 'run-5', payload: 'newer best' })
      await saveInOrder(store, 'max', [
        ['run-1', entry({ objective: 3, direction: 'maximize', payload: 'best' })],
        ['run-2', entry({ objective: 1, direction: 'maximize' })],
        ['run-3', entry({ objective: null, direction: 'maximize' })],
      ])
      expect(await store.lookup('max')).toMatchObject({ runId: 'run-1', payload: 'best' })
      await saveInOrder(store, 'nulls', [
        ['run-1', entry({ objective: null })],
        ['run-2', entry({ objective: 10, payload: 'scored' })],
        ['run-3', entry({ objective: null })],
      ])
      expect(await store.lookup('nulls')).toMatchObject({ runId: 'run-2' })
    })

    it('ranking: a final of another producerVersion ranks as a checkpoint', async ({ store }) => {
      await saveInOrder(store, 'k', [
        ['run-final', entry({ kind: 'final', objective: 5, producerVersion: '1.0.0', payload: 'final v1' })],
        ['run-ckpt', entry({ kind: 'checkpoint', objective: 2, producerVersion: '2.0.0', payload: 'checkpoint v2' })],
      ])
      expect(await store.lookup('k')).toMatchObject({ payload: 'final v1' })
      expect(await store.lookup('k', { producerVersion: '1.0.0' })).toMatchObject({ payload: 'final v1' })
      expect(await store.lookup('k', { producerVersion: '2.0.0' })).toMatchObject({ payload: 'checkpoint v2' })
      await store.saveOverwrite('k', 'run-final-2', entry({ kind: 'final', objective: 50, producerVersion: '2.0.0', payload: 'final v2' }))
      expect(await store.lookup('k', { producerVersion: '2.0.0' })).toMatchObject({ payload: 'final v2' })
    })

    it('lookupLatest returns the most recently saved entry, whatever its rank', async ({ store }) => {
      await saveInOrder(store, 'k', [
        ['run-b', entry({ kind: 'final', payload: 'final' })],
        ['run-a', entry({ kind: 'checkpoint', objective: 99, payload: 'latest' })],
      ])
      expect(await store.lookupLatest('k')).toMatchObject({ runId: 'run-a', payload: 'latest' })
      expect(await store.lookup('k')).toMatchObject({ runId: 'run-b' })
    })

    it('lookup and lookupLatest refresh lastAccessedAt', async ({ store }) => {
      await store.saveOverwrite('k', 'run-1', entry())
      const first = await store.lookup('k')
      await sleep(20)
      const second = await store.lookup('k')
      expect(second!.lastAccessedAt).toBeGreaterThan(first!.lastAccessedAt)
      expect(second!.updatedAt).toBe(first!.updatedAt)
      await sleep(20)
      const third = await store.lookupLatest('k')
      expect(third!.lastAccessedAt).toBeGreaterThan(second!.lastAccessedAt)
    })

    it('evict by ttlMs counts from the last access (using `now`)', async ({ store }) => {
      await store.saveOverwrite('kept', 'run-1', entry({ payload: 'kept' }))
      await store.saveOverwrite('gone', 'run-1', entry({ payload: 'gone' }))
      await sleep(40)
      const touched = await store.lookup('kept')
      const now = touched!.lastAccessedAt + 5
      expect(await store.evict({ ttlMs: 1_000_000, now })).toEqual({ evicted: 0, bytesFreed: 0 })
      const report = await store.evict({ ttlMs: 20, now })
      expect(report.evicted).toBe(1)
      expect(report.bytesFreed).toBeGreaterThan(0)
      expect(await store.lookup('gone')).toBeNull()
      expect(await store.lookup('kept')).toMatchObject({ payload: 'kept' })
    })

    it('evict by maxBytes removes the least recently used first', async ({ store }) => {
      for (const k of ['k1', 'k2', 'k3']) await store.saveOverwrite(k, 'run-1', entry({ payload: { k, blob: 'x'.repeat(200) } }))
      // Access order k2, k3, k1: k2 is now the least recently used.
      const sizes: Record<string, number> = {}
      for (const k of ['k2', 'k3', 'k1']) {
        await sleep(5)
        sizes[k] = (await store.lookup(k))!.sizeBytes
      }
      const budget = sizes.k1! + sizes.k3! + Math.floor(sizes.k2! / 2)
      expect(await store.evict({ maxBytes: 1_000_000 })).toEqual({ evicted: 0, bytesFreed: 0 })
      const report = await store.evict({ maxBytes: budget })
      expect(report.evicted).toBe(1)
      expect(report.bytesFreed).toBeGreaterThan(0)
      expect(await store.lookup('k2')).toBeNull()
      expect(await store.lookup('k3')).not.toBeNull()
      expect(await store.lookup('k1')).not.toBeNull()
    })

    itIf(
      { ok: canCorrupt, what: 'corruptWarmStartEntry' },
      'a corrupt entry is dropped, never returned; a good entry under the same key still is',
      async (fx) => {
        const { store } = fx
        await saveInOrder(store, 'k', [
          ['good', entry({ kind: 'checkpoint', objective: 5, payload: 'good' })],
          ['bad', entry({ kind: 'final', objective: 1, payload: 'bad' })],
        ])
        await store.saveOverwrite('only-bad', 'bad', entry({ payload: 'bad' }))
        await fx.corruptWarmStartEntry!('k', 'bad')
        await fx.corruptWarmStartEntry!('only-bad', 'bad')
        expect(await store.lookup('k')).toMatchObject({ runId: 'good', payload: 'good' })
        expect(await store.lookupLatest('k')).toMatchObject({ runId: 'good', payload: 'good' })
        expect(await store.lookup('k')).toMatchObject({ runId: 'good' })
        expect(await store.lookup('only-bad')).toBeNull()
        expect(await store.lookupLatest('only-bad')).toBeNull()
        // Saving again under the corrupt entry's id works.
        await store.saveOverwrite('only-bad', 'bad', entry({ payload: 'repaired' }))
        expect(await store.lookup('only-bad')).toMatchObject({ payload: 'repaired' })
      },
    )

    it('bad input → InvalidInputError, nothing saved', async ({ store }) => {
      const bad: Array<[string, string, unknown]> = [
        ['', 'run', entry()],
        ['k', '', entry()],
        ['k', 'run', entry({ kind: 'bogus' as never })],
        ['k', 'run', entry({ objective: Number.NaN })],
        ['k', 'run', entry({ objective: Number.POSITIVE_INFINITY })],
        ['k', 'run', entry({ iteration: Number.NaN })],
        ['k', 'run', entry({ direction: 'sideways' as never })],
      ]
      for (const [key, runId, input] of bad) {
        const got = await settle(store.saveOverwrite(key, runId, input as WarmStartEntryInput))
        expect({ key, runId, input, ...got }).toMatchObject({ key, runId, ...rejectedWith('INVALID_INPUT') })
      }
      expect(await store.lookup('k')).toBeNull()
      expect(await store.evict({ maxBytes: 0 })).toEqual({ evicted: 0, bytesFreed: 0 })
    })

    registerWarmStartInputs(it, expect)
  })
}
