import { describe, expect, test } from 'vitest'
import {
  AlreadyRunningError,
  AlreadyTerminalError,
  compile,
  createMemoryStore,
  NotPausedError,
  OptimizerError,
  resumeSession,
  startSession,
  TimeoutError,
  type SessionEvent,
} from '../src/index.js'
import { waiterCount } from '../src/testing.js'
import { sphere, uniform } from './helpers/optimizers.js'

function gate(): { open: () => void; wait: Promise<void> } {
  let open!: () => void
  const wait = new Promise<void>((r) => (open = r))
  return { open, wait }
}

/** An objective that holds trial `trialIdx` in flight until `release.open()`; `started` opens when it begins. */
function holdTrial(trialIdx: number) {
  const started = gate()
  const release = gate()
  const objective = async (c: { x: number }, ctx: { trialIdx: number }): Promise<number> => {
    if (ctx.trialIdx === trialIdx) {
      started.open()
      await release.wait
    }
    return sphere(c)
  }
  return { started, release, objective }
}

describe('soft pause and cancel', () => {
  test('pause lets the trial in flight finish and commits it before the status moves', async () => {
    const store = createMemoryStore()
    const { started, release, objective } = holdTrial(2)
    const handle = await startSession({ store, optimizer: uniform(), maxTrials: 50, objective })
    await started.wait
    const paused = handle.pause()
    expect(handle.poll().status).toBe('running')
    release.open()
    await paused
    const snap = handle.poll()
    expect(snap.status).toBe('paused')
    expect(snap.progress.attempts).toBe(3)
    expect((await store.load(handle.id)).status).toBe('paused')
    expect(await store.readTrials(handle.id)).toHaveLength(3)
  })

  test('cancel lets the trial in flight finish, then the session is cancelled and cannot be resumed', async () => {
    const store = createMemoryStore()
    const { started, release, objective } = holdTrial(1)
    const handle = await startSession({ store, optimizer: uniform(), objective })
    await started.wait
    const cancelled = handle.cancel()
    release.open()
    await cancelled
    const result = await handle.wait()
    expect(result.status).toBe('cancelled')
    expect(result.progress.attempts).toBe(2)
    await expect(resumeSession(store, handle.id, { optimizer: uniform(), objective: sphere })).rejects.toBeInstanceOf(AlreadyTerminalError)
  })

  test('resume() on the handle continues a paused session; resume() when not paused rejects with NotPausedError', async () => {
    const store = createMemoryStore()
    const handle = await startSession({
      store,
      optimizer: uniform(),
      maxTrials: 6,
      objective: async (c: { x: number }, ctx) => {
        if (ctx.trialIdx === 1) void handle.pause()
        return sphere(c)
      },
    })
    expect((await handle.wait()).status).toBe('paused')
    await handle.resume()
    await expect(handle.resume()).rejects.toBeInstanceOf(NotPausedError)
    const result = await handle.wait()
    expect(result.status).toBe('completed')
    expect(result.progress.attempts).toBe(6)
    await expect(handle.resume()).rejects.toBeInstanceOf(NotPausedError)
  })

  test('cancel() of a paused handle cancels it in the store', async () => {
    const store = createMemoryStore()
    const handle = await startSession({
      store,
      optimizer: uniform(),
      objective: async (c: { x: number }, ctx) => {
        if (ctx.trialIdx === 0) void handle.pause()
        return sphere(c)
      },
    })
    await handle.wait()
    await handle.cancel()
    expect((await store.load(handle.id)).status).toBe('cancelled')
  })

  test('another process asks for a pause through the store; honoured at the next trial boundary', async () => {
    const store = createMemoryStore()
    const handle = await startSession({
      store,
      optimizer: uniform(),
      objective: async (c: { x: number }, ctx) => {
        if (ctx.trialIdx === 3) await store.requestControl(handle.id, 'pause')
        return sphere(c)
      },
    })
    const result = await handle.wait()
    expect(result.status).toBe('paused')
    // trial 3 commits and returns the flag; the next boundary pauses without running trial 4
    expect(result.progress.attempts).toBe(4)
  })

  test('an aborted start signal soft-cancels', async () => {
    const controller = new AbortController()
    const handle = await startSession({
      optimizer: uniform(),
      signal: controller.signal,
      objective: (c: { x: number }, ctx) => {
        if (ctx.trialIdx === 2) controller.abort()
        return sphere(c)
      },
    })
    const result = await handle.wait()
    expect(result.status).toBe('cancelled')
    expect(result.progress.attempts).toBe(3)
  })
})

describe('wait and compile', () => {
  test('wait timeout rejects with TimeoutError and leaves no dangling waiter', async () => {
    const release = gate()
    const handle = await startSession({
      optimizer: uniform(),
      maxTrials: 2,
      objective: async (c: { x: number }) => {
        await release.wait
        return sphere(c)
      },
    })
    await expect(handle.wait({ timeoutMs: 20 })).rejects.toBeInstanceOf(TimeoutError)
    const controller = new AbortController()
    const aborted = handle.wait({ signal: controller.signal })
    controller.abort(new Error('caller gave up'))
    await expect(aborted).rejects.toThrow('caller gave up')
    expect(waiterCount(handle)).toBe(0)
    release.open()
    expect((await handle.wait()).status).toBe('completed')
  })

  test('compile times out: rejects with OptimizerError caused by a timeout, and the session is cancelled after its trial', async () => {
    const store = createMemoryStore()
    const err = await compile({
      store,
      sessionId: 'slow',
      optimizer: uniform(),
      timeoutMs: 50,
      objective: async (c: { x: number }) => {
        await new Promise((r) => setTimeout(r, 15))
        return sphere(c)
      },
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(OptimizerError)
    expect((err as OptimizerError).cause).toBeInstanceOf(TimeoutError)
    await expect.poll(async () => (await store.load('slow')).status, { timeout: 2000 }).toBe('cancelled')
    const head = await store.load('slow')
    expect(await store.readTrials('slow')).toHaveLength(head.progress.attempts)
  })

  test('compile rejects with OptimizerError when the session fails', async () => {
    await expect(
      compile({
        optimizer: uniform(),
        maxErrors: 0,
        objective: () => {
          throw new Error('boom')
        },
      }),
    ).rejects.toBeInstanceOf(OptimizerError)
  })

  test('events(): trial, checkpoint and status events, ending when the driver stops', async () => {
    const handle = await startSession({ optimizer: uniform(), maxTrials: 3, objective: sphere })
    const seen: SessionEvent['type'][] = []
    for await (const e of handle.events()) seen.push(e.type)
    expect(seen.filter((t) => t === 'trial')).toHaveLength(3)
    expect(seen.filter((t) => t === 'checkpoint')).toHaveLength(3)
    expect(seen.at(-1)).toBe('status')
  })
})

describe('one driver per session', () => {
  test('starting a session id already driven in this process rejects with AlreadyRunningError', async () => {
    const store = createMemoryStore()
    const release = gate()
    const h = await startSession({
      store,
      sessionId: 'dup',
      optimizer: uniform(),
      maxTrials: 1,
      objective: async () => (await release.wait, 1),
    })
    await expect(startSession({ store, sessionId: 'dup', optimizer: uniform(), objective: sphere })).rejects.toBeInstanceOf(
      AlreadyRunningError,
    )
    await expect(resumeSession(store, 'dup', { optimizer: uniform(), objective: sphere })).rejects.toBeInstanceOf(AlreadyRunningError)
    release.open()
    await h.wait()
  })

  test('a live lease held by another owner refuses resume with AlreadyRunningError', async () => {
    const store = createMemoryStore()
    const h = await startSession({
      store,
      sessionId: 'leased',
      optimizer: uniform(),
      maxTrials: 3,
      objective: async (c: { x: number }, ctx) => {
        if (ctx.trialIdx === 0) void h.pause()
        return sphere(c)
      },
    })
    await h.wait()
    await store.acquireLease('leased', 'someone-else', 60_000)
    await expect(resumeSession(store, 'leased', { optimizer: uniform(), objective: sphere })).rejects.toBeInstanceOf(AlreadyRunningError)
  })

  test('a driver whose lease is taken stops with LeaseLostError and writes nothing more', async () => {
    const store = createMemoryStore()
    const h = await startSession({
      store,
      sessionId: 'stolen',
      optimizer: uniform(),
      leaseTtlMs: 200,
      objective: async (c: { x: number }, ctx) => {
        if (ctx.trialIdx === 2) {
          const lease = await store.load('stolen').then((hd) => hd.lease!)
          // simulate expiry and a takeover by another driver
          await store.releaseLease('stolen', lease)
          await store.acquireLease('stolen', 'thief', 60_000)
        }
        return sphere(c)
      },
    })
    await expect(h.wait()).rejects.toMatchObject({ code: 'LEASE_LOST' })
    const head = await store.load('stolen')
    expect(head.progress.attempts).toBe(2)
    expect(head.lease?.owner).toBe('thief')
  })
})
