import { describe, expect, test } from 'vitest'
import {
  askTell,
  CheckpointCorruptError,
  createMemoryStore,
  float,
  InvalidInputError,
  NotFoundError,
  ResumeMismatchError,
  resumeSession,
  space,
  startSession,
  type MemoryStore,
} from '../src/index.js'
import { corruptHead } from '../src/testing.js'
import { sphere, uniform, uniformSampler } from './helpers/optimizers.js'

async function pausedSession(store: MemoryStore, extra: Record<string, unknown> = {}): Promise<string> {
  const h = await startSession({
    store,
    optimizer: uniform(),
    ...extra,
    objective: async (c: { x: number }, ctx) => {
      if (ctx.trialIdx === 1) void h.pause()
      return sphere(c)
    },
  } as Parameters<typeof startSession>[0])
  await h.wait()
  return h.id
}

describe('resume refuses what does not match, and changes nothing', () => {
  test('a different optimizer id', async () => {
    const store = createMemoryStore()
    const id = await pausedSession(store)
    const before = await store.load(id)
    const other = askTell({ ...uniformSampler(), id: 'test/other' })
    const err = await resumeSession(store, id, { optimizer: other, objective: sphere }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ResumeMismatchError)
    expect(err).toMatchObject({ code: 'RESUME_MISMATCH', reason: 'optimizer-id', expected: 'test/uniform', got: 'test/other' })
    expect(await store.load(id)).toEqual(before)
  })

  test('a different state version', async () => {
    const store = createMemoryStore()
    const id = await pausedSession(store)
    const v2 = askTell({ ...uniformSampler(), stateVersion: 2 })
    await expect(resumeSession(store, id, { optimizer: v2, objective: sphere })).rejects.toMatchObject({
      reason: 'state-version',
      expected: 1,
      got: 2,
    })
  })

  test('a different trainset', async () => {
    const store = createMemoryStore()
    const program = (config: unknown, example: number): number => (config as { x: number }).x * example
    const metric = (example: number, output: number): number => -Math.abs(output - example)
    const h = await startSession({
      store,
      optimizer: uniform(),
      trainset: [1, 2, 3],
      metric,
      program: (config, example: number, _ctx) => {
        if (example === 3) void h.pause()
        return program(config, example)
      },
    })
    await h.wait()
    await expect(resumeSession(store, h.id, { optimizer: uniform(), program, metric, trainset: [1, 2, 4] })).rejects.toMatchObject({
      reason: 'trainset-hash',
    })
    const ok = await resumeSession(store, h.id, { optimizer: uniform(), program, metric, trainset: [1, 2, 3], maxTrials: 4 })
    expect((await ok.wait()).status).toBe('completed')
  })

  test('a caller-supplied trainset hash must be given again on resume (it cannot be recomputed)', async () => {
    const store = createMemoryStore()
    const program = (config: unknown, example: number): number => (config as { x: number }).x * example
    const metric = (example: number, output: number): number => -Math.abs(output - example)
    const h = await startSession({
      store,
      optimizer: uniform(),
      trainset: [1, 2],
      trainsetHash: 'f'.repeat(64),
      metric,
      program: (config, example: number) => {
        void h.pause()
        return program(config, example)
      },
    })
    await h.wait()
    await expect(resumeSession(store, h.id, { optimizer: uniform(), program, metric, trainset: [1, 2] })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'trainsetHash',
    })
    await expect(
      resumeSession(store, h.id, { optimizer: uniform(), program, metric, trainset: [1, 2], trainsetHash: 'e'.repeat(64) }),
    ).rejects.toMatchObject({ reason: 'trainset-hash' })
    const ok = await resumeSession(store, h.id, {
      optimizer: uniform(),
      program,
      metric,
      trainset: [1, 2],
      trainsetHash: 'f'.repeat(64),
      maxTrials: 2,
    })
    expect((await ok.wait()).status).toBe('completed')
  })

  test('a different search space', async () => {
    const store = createMemoryStore()
    const id = await pausedSession(store, { space: space({ x: float(-5, 5) }) })
    await expect(
      resumeSession(store, id, { optimizer: uniform(), objective: sphere, space: space({ x: float(-1, 1) }) }),
    ).rejects.toMatchObject({ reason: 'space' })
  })

  test('an unknown session id gives NotFoundError; a malformed one InvalidInputError', async () => {
    const store = createMemoryStore()
    await expect(resumeSession(store, 'nope', { optimizer: uniform(), objective: sphere })).rejects.toBeInstanceOf(NotFoundError)
    await expect(resumeSession(store, '../etc', { optimizer: uniform(), objective: sphere })).rejects.toBeInstanceOf(InvalidInputError)
  })

  test('a corrupt head gives CheckpointCorruptError naming the session, and the bytes stay as they were', async () => {
    const store = createMemoryStore()
    const id = await pausedSession(store)
    const garbage = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16])
    await corruptHead(store, id, garbage)
    const err = await resumeSession(store, id, { optimizer: uniform(), objective: sphere }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CheckpointCorruptError)
    expect((err as Error).message).toContain(id)
    const listing = (await store.list()).items.find((l) => l.sessionId === id)
    expect(listing?.status).toBe('corrupt')
  })
})

describe('bad options are InvalidInputError naming the field', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['optimizer', { optimizer: undefined }],
    // Without an objective a session is driven by ask/tell; shared evaluation still needs one.
    ['objective', { objective: undefined, evaluation: 'shared' }],
    ['objective', { objective: 42 }],
    ['maxTrials', { maxTrials: -1 }],
    ['maxTrials', { maxTrials: 1.5 }],
    ['maxErrors', { maxErrors: -2 }],
    ['parallelism', { parallelism: 0 }],
    ['trialTimeoutMs', { trialTimeoutMs: 0 }],
    ['leaseTtlMs', { leaseTtlMs: 10 }],
    ['seed', { seed: 1.5 }],
    ['direction', { direction: 'up' }],
    ['sessionId', { sessionId: 'a/b' }],
    ['settings', { settings: { f: () => 1 } }],
    ['space', { space: { version: 1, params: { x: { kind: 'float', low: 3, high: 1, log: false } } } }],
    ['trainset', { objective: undefined, program: () => 1, metric: () => 1, trainset: [] }],
  ]
  test.each(cases)('%s', async (field, patch) => {
    const err = await startSession({ optimizer: uniform(), objective: sphere, ...patch } as never).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InvalidInputError)
    expect((err as InvalidInputError).field ?? (err as Error).message).toContain(field)
  })
})

describe('changed optimizer options', () => {
  test('resuming with other optimizer options is refused', async () => {
    const store = createMemoryStore()
    const id = await pausedSession(store)
    const tuned = askTell({ ...uniformSampler(), options: { width: 2 } })
    await expect(resumeSession(store, id, { optimizer: tuned, objective: sphere })).rejects.toMatchObject({
      reason: 'optimizer-options',
      expected: null,
      got: { width: 2 },
    })
  })
})
