// Stores and optimizers declare the contract version they implement; the driver refuses one it
// does not know before anything is written, with a message that says what to do.
import { describe, expect, test } from 'vitest'
import {
  askTell,
  createMemoryStore,
  InvalidInputError,
  resumeSession,
  SPECIFICATION_VERSION,
  startSession,
  type CheckpointStore,
  type WarmStartStore,
} from '../src/index.js'
import { sphere, uniform, uniformSampler } from './helpers/optimizers.js'

/** The memory store seen through an object that claims another contract version. */
function claiming<T extends object>(inner: T, version: unknown): T {
  return new Proxy(inner, {
    get: (target, prop) => {
      if (prop === 'specificationVersion') return version
      const v = Reflect.get(target, prop, target)
      return typeof v === 'function' ? v.bind(target) : v
    },
  })
}

async function refusal(run: () => Promise<unknown>): Promise<InvalidInputError> {
  const err = await run().catch((e: unknown) => e)
  expect(err).toBeInstanceOf(InvalidInputError)
  return err as InvalidInputError
}

describe('specificationVersion', () => {
  test('core, its memory store and askTell() optimizers speak "v1"', () => {
    expect(SPECIFICATION_VERSION).toBe('v1')
    expect(createMemoryStore().specificationVersion).toBe('v1')
    expect(askTell(uniformSampler()).specificationVersion).toBe('v1')
  })

  test('an optimizer of another contract version is refused, naming the field and the version', async () => {
    const store = createMemoryStore()
    const optimizer = { ...uniform(), specificationVersion: 'v2' as never }
    const err = await refusal(() => startSession({ store, optimizer, objective: sphere, maxTrials: 2 }))
    expect(err.field).toBe('optimizer.specificationVersion')
    expect(err.message).toMatch(/optimizer implements specification "v2", and this @cairn\/core knows "v1"/)
    expect((await store.list()).items).toEqual([])
  })

  test('a store that declares no version is refused by start and resume; nothing is written', async () => {
    const inner = createMemoryStore()
    const old = claiming<CheckpointStore>(inner, undefined)
    const err = await refusal(() => startSession({ store: old, optimizer: uniform(), objective: sphere, maxTrials: 2 }))
    expect(err.field).toBe('store.specificationVersion')
    expect(err.message).toMatch(/store declares no specificationVersion/)
    expect((await inner.list()).items).toEqual([])

    const done = await (await startSession({ store: inner, optimizer: uniform(), objective: sphere, maxTrials: 2 })).wait()
    const resumed = await refusal(() => resumeSession(old, done.sessionId, { optimizer: uniform(), objective: sphere }))
    expect(resumed.field).toBe('store.specificationVersion')
  })

  test('a warm-start store of another version is refused', async () => {
    const warm = claiming<WarmStartStore>(createMemoryStore(), 'v0')
    const err = await refusal(() => startSession({ optimizer: uniform(), objective: sphere, maxTrials: 2, warmStart: { store: warm } }))
    expect(err.field).toBe('warmStart.store.specificationVersion')
  })
})
