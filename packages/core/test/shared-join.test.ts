import { describe, expect, test } from 'vitest'
import {
  createMemoryStore,
  InvalidInputError,
  joinSession,
  NotFoundError,
  NotJoinableError,
  resumeSession,
  startSession,
  UnknownOptionError,
  type NotJoinableReason,
} from '../src/index.js'
import { nearBest, sphere, stepper } from './helpers/optimizers.js'
import { gate, unsharedStore, until } from './helpers/shared.js'

const score = (c: { x: number }): number => (c.x - 1) ** 2

async function joinRefusal(promise: Promise<unknown>): Promise<{ reason: NotJoinableReason; message: string }> {
  const err = await promise.then(
    () => {
      throw new Error('expected joinSession to refuse')
    },
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(NotJoinableError)
  return { reason: (err as NotJoinableError).reason, message: (err as Error).message }
}

describe('joinSession refuses what it cannot join', () => {
  test('an unknown session is a NotFoundError', async () => {
    await expect(joinSession(createMemoryStore(), 'no-such-session', { objective: score })).rejects.toBeInstanceOf(NotFoundError)
  })

  test('finished, paused and local sessions are not joinable, each with its reason', async () => {
    const store = createMemoryStore()
    const done = await startSession({ store, optimizer: nearBest(), objective: score, evaluation: 'shared', maxTrials: 2 })
    await done.wait()
    expect(await joinRefusal(joinSession(store, done.id, { objective: score }))).toMatchObject({ reason: 'finished' })

    const paused = await startSession({
      store,
      optimizer: nearBest(),
      objective: score,
      evaluation: 'shared',
      maxTrials: 50,
      pollIntervalMs: 1,
    })
    await paused.pause()
    expect(await joinRefusal(joinSession(store, paused.id, { objective: score }))).toMatchObject({ reason: 'paused' })

    const held = gate()
    const local = await startSession({ store, optimizer: nearBest(), objective: () => held.wait.then(() => 1), maxTrials: 2 })
    const notShared = await joinRefusal(joinSession(store, local.id, { objective: score }))
    expect(notShared.reason).toBe('not-shared')
    expect(notShared.message).toContain("evaluation: 'shared'")
    held.open()
    await local.wait()
  })

  test("a store that cannot share trials is refused, naming the stores that can; startSession({ evaluation: 'shared' }) on it creates nothing", async () => {
    const inner = createMemoryStore()
    const store = unsharedStore(inner)
    const local = await startSession({ store, optimizer: nearBest(), objective: score, maxTrials: 1 })
    await local.wait()
    const refused = await joinRefusal(joinSession(store, local.id, { objective: score }))
    expect(refused.reason).toBe('store-unsupported')
    expect(refused.message).toMatch(/@cairn\/store-fs.*@cairn\/store-dynamodb.*@cairn\/store-level admits one process/)

    const err = await startSession({
      store,
      sessionId: 'shared-here',
      optimizer: nearBest(),
      objective: score,
      evaluation: 'shared',
    }).catch((e) => e)
    expect(err).toBeInstanceOf(InvalidInputError)
    expect(err).toMatchObject({ field: 'evaluation' })
    expect((err as Error).message).toMatch(/@cairn\/store-fs.*@cairn\/store-dynamodb/)
    await expect(inner.load('shared-here')).rejects.toBeInstanceOf(NotFoundError)
  })

  test('a step-based optimizer cannot coordinate shared evaluation', async () => {
    const store = createMemoryStore()
    const err = await startSession({ store, optimizer: stepper(), objective: sphere, evaluation: 'shared' }).catch((e) => e)
    expect(err).toBeInstanceOf(InvalidInputError)
    expect(err).toMatchObject({ field: 'evaluation' })
    expect((err as Error).message).toContain('ask/tell')
    expect((await store.list()).items).toEqual([])
  })

  test('malformed join options are refused before anything is read', async () => {
    const store = createMemoryStore()
    await expect(joinSession(store, 'x', { objective: score, pollInterval: 5 } as never)).rejects.toBeInstanceOf(UnknownOptionError)
    await expect(joinSession(store, 'x', {} as never)).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'objective' })
    await expect(joinSession(store, 'x', { objective: score, trialLeaseTtlMs: 10 })).rejects.toMatchObject({ field: 'trialLeaseTtlMs' })
    await expect(joinSession(store, 'x', { objective: score, takeOver: { objective: score } as never })).rejects.toMatchObject({
      field: 'optimizer',
    })
    await expect(joinSession(store, '../x', { objective: score })).rejects.toMatchObject({ field: 'sessionId' })
  })
})

describe('a joined worker and its session', () => {
  test('a worker whose session is deleted stops: wait() rejects with NotFoundError', async () => {
    const store = createMemoryStore()
    const coordinator = await startSession({
      store,
      optimizer: nearBest(),
      objective: score,
      evaluation: 'shared',
      evaluateLocally: false,
      pollIntervalMs: 1,
    })
    const held = gate()
    const started = gate()
    const worker = await joinSession(store, coordinator.id, {
      objective: async () => {
        started.open()
        await held.wait
        return 1
      },
      pollIntervalMs: 1,
    })
    await started.wait
    await coordinator.cancel()
    await store.delete(coordinator.id)
    held.open()
    await expect(worker.wait()).rejects.toBeInstanceOf(NotFoundError)
  })
})

describe('evaluation mode across resumes', () => {
  test('a resume keeps shared evaluation unless told; resumed local, workers can no longer join', async () => {
    const store = createMemoryStore()
    const first = await startSession({
      store,
      optimizer: nearBest(),
      objective: score,
      evaluation: 'shared',
      maxTrials: 6,
      pollIntervalMs: 1,
    })
    await first.pause()
    const again = await resumeSession(store, first.id, { optimizer: nearBest(), objective: score, pollIntervalMs: 1 })
    await until(() => again.head().revision > first.head().revision, 'the resumed session committed')
    expect(again.head().evaluation).toBe('shared')
    await again.pause()
    const local = await resumeSession(store, first.id, { optimizer: nearBest(), objective: score, evaluation: 'local', maxTrials: 50 })
    await until(async () => (await store.load(first.id)).evaluation === undefined, 'the local mode is committed')
    expect((await joinRefusal(joinSession(store, first.id, { objective: score }))).reason).toBe('not-shared')
    await local.cancel()
  })

  test('a stored shared session on a store without the capability resumes only with evaluation: local', async () => {
    const inner = createMemoryStore()
    const started = await startSession({
      store: inner,
      optimizer: nearBest(),
      objective: score,
      evaluation: 'shared',
      maxTrials: 20,
      pollIntervalMs: 1,
    })
    await started.pause()
    const store = unsharedStore(inner)
    const err = await resumeSession(store, started.id, { optimizer: nearBest(), objective: score }).catch((e) => e)
    expect(err).toMatchObject({ code: 'INVALID_INPUT', field: 'evaluation' })
    expect((err as Error).message).toContain("resume it with evaluation: 'local'")
    const local = await resumeSession(store, started.id, { optimizer: nearBest(), objective: score, evaluation: 'local' })
    expect(await local.wait()).toMatchObject({ status: 'completed', progress: { attempts: 20 } })
  })
})
