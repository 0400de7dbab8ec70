/**
 * The driver yields to the event loop between trials, so timers, abort signals, lease renewal
 * and `compile`/`wait` timeouts work even when neither the store (memory) nor the objective
 * (synchronous) ever awaits real I/O.
 *
 * Every session here has no trial limit; its optimizer halts after SAFETY_CAP trials only so
 * that a driver that starves the event loop gives a wrong result instead of hanging the worker.
 */
import { describe, expect, test } from 'vitest'
import {
  compile,
  createMemoryStore,
  isCairnError,
  OptimizerError,
  startSession,
  TimeoutError,
  type Optimizer,
  type StartOptions,
} from '../src/index.js'
import { sphere, stepper, uniform } from './helpers/optimizers.js'

const SAFETY_CAP = 50_000

const drivers: Array<[string, () => Optimizer<any>, Partial<StartOptions>]> = [
  ['step optimizer', () => stepper({ haltAfter: SAFETY_CAP }), {}],
  ['ask/tell optimizer', () => uniform({ haltAfter: SAFETY_CAP }), {}],
  ['ask/tell optimizer, parallelism 3', () => uniform({ haltAfter: SAFETY_CAP }), { parallelism: 3 }],
]

/** Polls `check` from a timer (so it only runs when the event loop does). */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 5))
}

/** Blocks the thread for `ms`: a CPU-bound synchronous objective. */
function busyWait(ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end) {
    // spin
  }
}

describe.each(drivers)('a synchronous objective on the memory store (%s)', (_, optimizer, extra) => {
  test('compile({ timeoutMs }) rejects with OptimizerError caused by TimeoutError, and the session is cancelled', async () => {
    const store = createMemoryStore()
    const err = await compile({ ...extra, store, sessionId: 'timed', optimizer: optimizer(), objective: sphere, timeoutMs: 50 }).catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(OptimizerError)
    expect((err as OptimizerError).cause).toBeInstanceOf(TimeoutError)
    await until(async () => (await store.load('timed')).status !== 'running')
    const head = await store.load('timed')
    expect(head.status).toBe('cancelled')
    expect(await store.readTrials('timed')).toHaveLength(head.progress.attempts)
  })

  test('wait({ timeoutMs }) rejects with TimeoutError while the session keeps running', async () => {
    const handle = await startSession({ ...extra, optimizer: optimizer(), objective: sphere })
    await expect(handle.wait({ timeoutMs: 20 })).rejects.toBeInstanceOf(TimeoutError)
    expect(handle.poll().status).toBe('running')
    await handle.cancel()
    expect((await handle.wait()).status).toBe('cancelled')
  })

  test('AbortSignal.timeout cancels the session', async () => {
    const handle = await startSession({ ...extra, optimizer: optimizer(), objective: sphere, signal: AbortSignal.timeout(50) })
    const result = await handle.wait()
    expect(result).toMatchObject({ status: 'cancelled', terminalReason: 'cancelled' })
  })

  test('pause() and cancel() called from a timer take effect', async () => {
    const store = createMemoryStore()
    const handle = await startSession({ ...extra, store, optimizer: optimizer(), objective: sphere })
    setTimeout(() => void handle.pause(), 20)
    expect((await handle.wait()).status).toBe('paused')
    const paused = await store.load(handle.id)
    expect(paused.status).toBe('paused')
    expect((await store.readTrials(handle.id)).map((t) => t.trialIdx)).toEqual([...Array(paused.progress.attempts).keys()])

    await handle.resume()
    setTimeout(() => void handle.cancel(), 20)
    const result = await handle.wait()
    expect(result.status).toBe('cancelled')
    expect(result.progress.attempts).toBeGreaterThanOrEqual(paused.progress.attempts)
  })

  test('the lease is renewed during a long run of fast trials: no other owner can take it, no LEASE_LOST', async () => {
    // The other owner's attempt below is judged at the moment the renewed lease was read, so a
    // stall of this whole process on a loaded machine (the session's timers stall with it) is
    // not mistaken for a lease that lapsed.
    let judgedAt: number | null = null
    const store = createMemoryStore({ clock: { now: () => judgedAt ?? Date.now() } })
    const ttl = 400
    const handle = await startSession({ ...extra, store, optimizer: optimizer(), objective: sphere, leaseTtlMs: ttl })
    const first = (await store.load(handle.id)).lease
    // Until a renewal lands two TTLs after the first lease: the session has outlived it twice over.
    await until(async () => {
      const lease = (await store.load(handle.id)).lease
      return handle.poll().status !== 'running' || (lease !== null && lease.expiresAt > (first?.expiresAt ?? 0) + 2 * ttl)
    })
    expect(handle.poll().status).toBe('running')
    const readAt = Date.now()
    const renewed = (await store.load(handle.id)).lease
    expect(renewed?.fencingToken).toBe(first?.fencingToken)
    judgedAt = readAt
    const taken = await store.acquireLease(handle.id, 'another-owner', 60_000).catch((e: unknown) => e)
    judgedAt = null
    expect(isCairnError(taken, 'ALREADY_RUNNING')).toBe(true)
    await handle.cancel()
    expect((await handle.wait()).status).toBe('cancelled')
  })
})

describe.each(drivers.slice(0, 2))('trialTimeoutMs with a synchronous objective (%s)', (_, optimizer) => {
  test('a trial that blocks past its limit is recorded as a timeout error; quick trials stay ok', async () => {
    const limit = 200
    const store = createMemoryStore()
    const objective = (c: { x: number }, ctx: { trialIdx: number }): number => {
      if (ctx.trialIdx === 1) busyWait(limit * 2.5)
      return sphere(c)
    }
    const handle = await startSession({ store, optimizer: optimizer(), objective, trialTimeoutMs: limit, maxTrials: 3 })
    expect((await handle.wait()).status).toBe('completed')
    const trials = await store.readTrials(handle.id)
    expect(trials.map((t) => [t.status, t.errorClass])).toEqual([
      ['ok', undefined],
      ['error', 'timeout'],
      ['ok', undefined],
    ])
    expect(trials[1]?.error).toMatchObject({ name: 'TimeoutError', message: `trial 1 timed out after ${limit} ms` })
  })
})
