/**
 * `AlreadyRunningError` says when the lease that refused the caller expires, and
 * `resumeSession(…, { waitForLease })` waits for it instead of failing.
 */
import { describe, expect, test } from 'vitest'
import {
  AlreadyRunningError,
  createMemoryStore,
  InvalidInputError,
  resumeSession,
  startSession,
  TimeoutError,
  type CheckpointStore,
} from '../src/index.js'
import { sphere, uniform } from './helpers/optimizers.js'

/** A session with no driver: started, paused at once (no trial run), lease released. */
async function pausedSession(store: CheckpointStore, sessionId: string): Promise<void> {
  const handle = await startSession({ store, sessionId, optimizer: uniform(), objective: sphere, maxTrials: 4 })
  await handle.pause()
  expect((await handle.wait()).status).toBe('paused')
}

const resumeOpts = { optimizer: uniform(), objective: sphere }

describe('AlreadyRunningError says when the lease expires', () => {
  test('resumeSession and startSession refusals carry leaseExpiresAt and say it in the message', async () => {
    const store = createMemoryStore()
    await pausedSession(store, 'held')
    const lease = await store.acquireLease('held', 'worker-a', 60_000)

    const resumed = await resumeSession(store, 'held', resumeOpts).catch((e: unknown) => e)
    expect(resumed).toBeInstanceOf(AlreadyRunningError)
    expect(resumed).toMatchObject({ code: 'ALREADY_RUNNING', owner: 'worker-a', leaseExpiresAt: lease.expiresAt })
    expect((resumed as Error).message).toMatch(/^session "held" is already being driven by worker-a \(lease expires in (59|60) s\)/)

    const started = await startSession({ store, sessionId: 'held', ...resumeOpts }).catch((e: unknown) => e)
    expect(started).toMatchObject({ code: 'ALREADY_RUNNING', owner: 'worker-a', leaseExpiresAt: lease.expiresAt })
    expect((await store.load('held')).lease).toEqual(lease)
  })
})

describe('resumeSession({ waitForLease })', () => {
  test('waits for a lease that expires (its holder died), then resumes with the next fencing token', async () => {
    const store = createMemoryStore()
    await pausedSession(store, 'orphan')
    const dead = await store.acquireLease('orphan', 'worker-a', 150)
    const handle = await resumeSession(store, 'orphan', { ...resumeOpts, waitForLease: true })
    expect(handle.head().lease?.fencingToken).toBe(dead.fencingToken + 1)
    expect(await handle.wait()).toMatchObject({ status: 'completed', progress: { attempts: 4 } })
  })

  test('waits for a driver in this process to pause and release its lease', async () => {
    const store = createMemoryStore()
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    let started!: () => void
    const running = new Promise<void>((resolve) => (started = resolve))
    const first = await startSession({
      store,
      sessionId: 'busy',
      optimizer: uniform(),
      maxTrials: 4,
      objective: async (c: { x: number }, ctx: { trialIdx: number }) => {
        if (ctx.trialIdx === 1) {
          started()
          await released
        }
        return sphere(c)
      },
    })
    await running
    const waiting = resumeSession(store, 'busy', { ...resumeOpts, waitForLease: { timeoutMs: 30_000 } })
    const pausing = first.pause()
    release()
    await pausing
    expect((await first.wait()).progress.attempts).toBe(2)
    const second = await waiting
    expect(await second.wait()).toMatchObject({ status: 'completed', progress: { attempts: 4 } })
  })

  test('gives up after timeoutMs with TimeoutError (cause: the AlreadyRunningError) and changes nothing', async () => {
    const store = createMemoryStore()
    await pausedSession(store, 'live')
    const lease = await store.acquireLease('live', 'worker-a', 60_000)
    const err = await resumeSession(store, 'live', { ...resumeOpts, waitForLease: { timeoutMs: 50 } }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TimeoutError)
    expect((err as Error).message).toMatch(
      /^waiting for the lease of session "live" held by worker-a \(lease expires in \d+ s\) timed out after 50 ms$/,
    )
    expect((err as TimeoutError).cause).toBeInstanceOf(AlreadyRunningError)
    expect((await store.load('live')).lease).toEqual(lease)
    expect((await store.load('live')).status).toBe('paused')
  })

  test('aborting the signal stops the wait with its reason', async () => {
    const store = createMemoryStore()
    await pausedSession(store, 'abandon')
    await store.acquireLease('abandon', 'worker-a', 60_000)
    const controller = new AbortController()
    const waiting = resumeSession(store, 'abandon', { ...resumeOpts, waitForLease: true, signal: controller.signal })
    const reason = new Error('the user gave up')
    setTimeout(() => controller.abort(reason), 20)
    await expect(waiting).rejects.toBe(reason)
  })

  test('without it (the default) the refusal is immediate; a malformed value is refused', async () => {
    const store = createMemoryStore()
    await pausedSession(store, 'strict')
    await store.acquireLease('strict', 'worker-a', 60_000)
    await expect(resumeSession(store, 'strict', { ...resumeOpts, waitForLease: false })).rejects.toBeInstanceOf(AlreadyRunningError)
    for (const [value, field] of [
      ['yes', 'waitForLease'],
      [{ timeoutMs: -1 }, 'waitForLease.timeoutMs'],
    ] as const) {
      const err = await resumeSession(store, 'strict', { ...resumeOpts, waitForLease: value as never }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(InvalidInputError)
      expect((err as InvalidInputError).field).toBe(field)
    }
  })
})
