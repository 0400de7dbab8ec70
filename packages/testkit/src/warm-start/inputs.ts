import type { EvictOptions, LookupOptions, WarmStartEntryInput, WarmStartStore } from '@cairn/core'
import type { StoreFixture } from '../fixture.js'
import { rejectedWith, settle } from '../helpers/outcome.js'
import type { Runner } from '../runner.js'

type It = (title: string, fn: (fx: StoreFixture<WarmStartStore>) => Promise<void>) => void

const entry: WarmStartEntryInput = { kind: 'checkpoint', objective: 1, iteration: 1, payload: { w: [1, 2] } }
const LONG = 'k'.repeat(257)

/**
 * Malformed warm-start input: every store refuses the same things with `InvalidInputError`
 * before it reads or writes anything (core's shared checks, `@cairn/core/store-kit`).
 */
export function registerWarmStartInputs(it: It, expect: Runner['expect']): void {
  it('saveOverwrite refuses an over-long key or runId and an entry with an unknown key → InvalidInputError', async ({ store }) => {
    const bad: Array<[string, string, unknown]> = [
      [LONG, 'run', entry],
      ['k', LONG, entry],
      ['k', 'run', { ...entry, weight: 1 }],
      ['k', 'run', null],
    ]
    for (const [key, runId, input] of bad) {
      const got = await settle(store.saveOverwrite(key, runId, input as WarmStartEntryInput))
      expect({ key: key.length, runId: runId.length, input, ...got }).toMatchObject({ input, ...rejectedWith('INVALID_INPUT') })
    }
    expect(await store.lookup('k')).toBeNull()
  })

  it('lookup and lookupLatest refuse a malformed key or options → InvalidInputError', async ({ store }) => {
    await store.saveOverwrite('k', 'run', entry)
    const bad: Array<[string, () => Promise<unknown>]> = [
      ['lookup ""', () => store.lookup('')],
      ['lookup 5', () => store.lookup(5 as never)],
      ['lookup long', () => store.lookup(LONG)],
      ['lookup producerVersion 5', () => store.lookup('k', { producerVersion: 5 } as never)],
      ['lookup unknown option', () => store.lookup('k', { producer: '1' } as LookupOptions)],
      ['lookupLatest ""', () => store.lookupLatest('')],
      ['lookupLatest long', () => store.lookupLatest(LONG)],
    ]
    for (const [label, call] of bad) expect({ label, ...(await settle(call)) }).toMatchObject({ label, ...rejectedWith('INVALID_INPUT') })
    expect(await store.lookup('k')).toMatchObject({ runId: 'run' })
  })

  it('evict refuses malformed options (unknown key, negative or fractional sizes, NaN) → InvalidInputError, nothing evicted', async ({
    store,
  }) => {
    await store.saveOverwrite('k', 'run', entry)
    const bad: unknown[] = [
      null,
      { maxByte: 0 },
      { maxBytes: -1 },
      { maxBytes: 1.5 },
      { ttlMs: -1 },
      { ttlMs: Number.NaN },
      { now: Number.NaN },
    ]
    for (const options of bad)
      expect({ options, ...(await settle(store.evict(options as EvictOptions))) }).toMatchObject({
        options,
        ...rejectedWith('INVALID_INPUT'),
      })
    expect(await store.lookup('k')).toMatchObject({ runId: 'run' })
  })
}
