import { describe, expect, test } from 'vitest'
import { createMemoryStore, LeaseLostError, MAX_TRIAL_PROGRESS_BYTES, NotFoundError, startSession } from '../src/index.js'
import { uniform } from './helpers/optimizers.js'

async function session() {
  const store = createMemoryStore()
  const h = await startSession({ store, optimizer: uniform(), objective: () => 1, maxTrials: 0 })
  await h.wait()
  return { store, id: h.id }
}

describe('memory store: trial progress', () => {
  test('declares trialProgress; saves, loads the highest token (latest among equals), deletes', async () => {
    const { store, id } = await session()
    expect(store.capabilities.trialProgress).toBe(true)
    expect(await store.loadTrialProgress(id, 3)).toBeNull()
    await store.saveTrialProgress(id, 3, 5, new Uint8Array([1]))
    await store.saveTrialProgress(id, 3, 5, new Uint8Array([2]))
    await store.saveTrialProgress(id, 4, 9, new Uint8Array([9]))
    expect(await store.loadTrialProgress(id, 3)).toEqual({ token: 5, bytes: new Uint8Array([2]) })
    await store.saveTrialProgress(id, 3, 6, new Uint8Array([3]))
    const err = await store.saveTrialProgress(id, 3, 5, new Uint8Array([4])).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LeaseLostError)
    expect(await store.loadTrialProgress(id, 3)).toEqual({ token: 6, bytes: new Uint8Array([3]) })
    await store.deleteTrialProgress(id, 3)
    await store.deleteTrialProgress(id, 3)
    expect(await store.loadTrialProgress(id, 3)).toBeNull()
    expect(await store.loadTrialProgress(id, 4)).toEqual({ token: 9, bytes: new Uint8Array([9]) })
  })

  test('keeps its own copies of the bytes', async () => {
    const { store, id } = await session()
    const bytes = new Uint8Array([1, 2])
    await store.saveTrialProgress(id, 0, 1, bytes)
    bytes[0] = 7
    const loaded = await store.loadTrialProgress(id, 0)
    expect(loaded?.bytes).toEqual(new Uint8Array([1, 2]))
    ;(loaded as { bytes: Uint8Array }).bytes[1] = 7
    expect((await store.loadTrialProgress(id, 0))?.bytes).toEqual(new Uint8Array([1, 2]))
  })

  test('refuses bad input and unknown sessions; delete(session) removes its progress', async () => {
    const { store, id } = await session()
    await expect(store.saveTrialProgress(id, -1, 1, new Uint8Array())).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    await expect(store.saveTrialProgress(id, 0, 0, new Uint8Array())).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    await expect(store.saveTrialProgress(id, 0, 1, [1] as never)).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    await expect(store.saveTrialProgress(id, 0, 1, new Uint8Array(MAX_TRIAL_PROGRESS_BYTES + 1))).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    })
    await store.saveTrialProgress(id, 0, 1, new Uint8Array(MAX_TRIAL_PROGRESS_BYTES))
    await expect(store.loadTrialProgress('nope', 0)).rejects.toBeInstanceOf(NotFoundError)
    await expect(store.saveTrialProgress('nope', 0, 1, new Uint8Array())).rejects.toBeInstanceOf(NotFoundError)
    await store.delete(id)
    await expect(store.loadTrialProgress(id, 0)).rejects.toBeInstanceOf(NotFoundError)
  })
})
