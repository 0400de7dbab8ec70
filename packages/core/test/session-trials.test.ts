import { describe, expect, test } from 'vitest'
import { createMemoryStore, startSession, resumeSession, type CheckpointStore, type CommitRequest } from '../src/index.js'
import { sphere, uniform } from './helpers/optimizers.js'

describe('trial outcomes', () => {
  test('maxErrors: the sixth error fails the session (default 5)', async () => {
    const store = createMemoryStore()
    const h = await startSession({
      store,
      optimizer: uniform(),
      objective: () => {
        throw new TypeError('bad objective')
      },
    })
    const r = await h.wait()
    expect(r.status).toBe('failed')
    expect(r.terminalReason).toBe('max-errors')
    expect(r.progress.errors).toBe(6)
    const trials = await store.readTrials(h.id)
    expect(trials).toHaveLength(6)
    expect(trials[0]).toMatchObject({ status: 'error', errorClass: 'objective', error: { name: 'TypeError', message: 'bad objective' } })
  })

  test('trialTimeoutMs aborts the objective signal and records a timeout error', async () => {
    const store = createMemoryStore()
    let sawAbort = false
    const h = await startSession({
      store,
      optimizer: uniform(),
      maxTrials: 2,
      trialTimeoutMs: 30,
      objective: (c: { x: number }, ctx) =>
        ctx.trialIdx === 0
          ? new Promise<number>((_, reject) => ctx.signal.addEventListener('abort', () => ((sawAbort = true), reject(ctx.signal.reason))))
          : sphere(c),
    })
    const r = await h.wait()
    expect(sawAbort).toBe(true)
    const [first, second] = await store.readTrials(h.id)
    expect(first).toMatchObject({ status: 'error', errorClass: 'timeout' })
    expect(second?.status).toBe('ok')
    expect(r.progress).toMatchObject({ attempts: 2, completed: 1, errors: 1 })
  })

  test('a timed-out objective that ignores its signal does not hold the session', async () => {
    const h = await startSession({ optimizer: uniform(), maxTrials: 1, trialTimeoutMs: 20, objective: () => new Promise<number>(() => {}) })
    const r = await h.wait({ timeoutMs: 2000 })
    expect(r.progress.errors).toBe(1)
  })

  test('NaN, infinite and non-numeric scores are failed trials that never become the best', async () => {
    const store = createMemoryStore()
    const scores = [Number.NaN, 3, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 'x' as unknown as number, 2]
    const h = await startSession({
      store,
      optimizer: uniform(),
      maxTrials: scores.length,
      objective: (_c, ctx) => scores[ctx.trialIdx] as number,
    })
    const r = await h.wait()
    expect(r.bestScore).toBe(2)
    expect(r.bestTrialIdx).toBe(5)
    const trials = await store.readTrials(h.id)
    expect(trials.filter((t) => t.errorClass === 'invalid-score').map((t) => t.trialIdx)).toEqual([0, 2, 3, 4])
  })

  test('direction maximize keeps the highest score; objective stats and artifact are stored', async () => {
    const store = createMemoryStore()
    const h = await startSession({
      store,
      optimizer: uniform(),
      direction: 'maximize',
      maxTrials: 6,
      objective: (c: { x: number }) => ({ score: c.x, stats: { squared: c.x * c.x }, artifact: { model: `m${c.x.toFixed(3)}` } }),
    })
    const r = await h.wait()
    const trials = await store.readTrials(h.id)
    const best = trials.reduce((a, b) => ((b.score as number) > (a.score as number) ? b : a))
    expect(r.bestScore).toBe(best.score)
    expect(r.bestArtifact).toEqual({ model: `m${(best.score as number).toFixed(3)}` })
    expect(best.stats).toEqual({ squared: (best.score as number) ** 2 })
  })

  test('an optimizer that halts completes the session with its reason', async () => {
    const h = await startSession({ optimizer: uniform({ haltAfter: 4 }), objective: sphere })
    const r = await h.wait()
    expect(r).toMatchObject({ status: 'completed', terminalReason: 'exhausted' })
    expect(r.progress.attempts).toBe(4)
  })

  test('program × trainset × metric: the score is the mean metric', async () => {
    const trainset = [1, 2, 3, 4]
    const h = await startSession({
      optimizer: uniform(),
      maxTrials: 3,
      program: (config, example: number) => (config as { x: number }).x * example,
      trainset,
      metric: (example: number, output: number) => -Math.abs(output - example),
    })
    const r = await h.wait()
    expect(r.status).toBe('completed')
    expect(h.head().direction).toBe('maximize')
    expect(h.head().trainsetHash).toMatch(/^cairn-sha256:[0-9a-f]{64}$/)
  })
})

describe('parallelism', () => {
  test('trials run concurrently and are told in index order: same candidates as a sequential run with the same parallelism', async () => {
    let active = 0
    let peak = 0
    const slow = async (c: { x: number }, ctx: { trialIdx: number }): Promise<number> => {
      active++
      peak = Math.max(peak, active)
      await new Promise((r) => setTimeout(r, (7 * ctx.trialIdx) % 13))
      active--
      return sphere(c)
    }
    const store = createMemoryStore()
    const a = await startSession({ store, sessionId: 'p1', optimizer: uniform(), parallelism: 3, seed: 5, maxTrials: 12, objective: slow })
    await a.wait()
    expect(peak).toBe(3)
    const b = await startSession({
      store,
      sessionId: 'p2',
      optimizer: uniform(),
      parallelism: 3,
      seed: 5,
      maxTrials: 12,
      objective: sphere,
    })
    await b.wait()
    const ca = (await store.readTrials('p1')).map((t) => t.candidate)
    const cb = (await store.readTrials('p2')).map((t) => t.candidate)
    expect(ca).toEqual(cb)
    expect(ca).toHaveLength(12)
  })

  test('a parallel session paused and resumed proposes exactly the candidates of an uninterrupted one', async () => {
    const store = createMemoryStore()
    const straight = await startSession({
      store,
      sessionId: 'u',
      optimizer: uniform(),
      parallelism: 4,
      seed: 11,
      maxTrials: 20,
      objective: sphere,
    })
    await straight.wait()
    const h = await startSession({
      store,
      sessionId: 'i',
      optimizer: uniform(),
      parallelism: 4,
      seed: 11,
      maxTrials: 20,
      objective: (c: { x: number }, ctx) => {
        if (ctx.trialIdx === 6) void h.pause()
        return sphere(c)
      },
    })
    expect((await h.wait()).status).toBe('paused')
    const pausedHead = await store.load('i')
    expect(pausedHead.pending.length).toBeGreaterThan(0)
    const h2 = await resumeSession(store, 'i', { optimizer: uniform(), objective: sphere })
    expect((await h2.wait()).status).toBe('completed')
    expect((await store.readTrials('i')).map((t) => t.candidate)).toEqual((await store.readTrials('u')).map((t) => t.candidate))
  })
})

/** A store wrapper that dies (throws, writes nothing) at the n-th commit: a crash between trials. */
function crashingAt(inner: CheckpointStore, n: number): CheckpointStore {
  let commits = 0
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'commit')
        return async (id: string, req: CommitRequest) => {
          if (++commits >= n) throw Object.assign(new Error('simulated crash'), { code: 'CRASH' })
          return target.commit(id, req)
        }
      const v = Reflect.get(target, prop, receiver)
      return typeof v === 'function' ? v.bind(target) : v
    },
  })
}

describe('crash and resume', () => {
  test.each([1, 2, 5, 9])('killed before commit %i, resumed: same candidates as an uninterrupted run', async (n) => {
    const store = createMemoryStore()
    const base = await startSession({
      store,
      sessionId: 'base',
      optimizer: uniform(),
      seed: 99,
      maxTrials: 10,
      parallelism: 2,
      objective: sphere,
    })
    await base.wait()
    const crashing = crashingAt(store, n)
    const h = await startSession({
      store: crashing,
      sessionId: 'x',
      owner: 'w1',
      optimizer: uniform(),
      seed: 99,
      maxTrials: 10,
      parallelism: 2,
      objective: sphere,
    })
    await expect(h.wait()).rejects.toThrow('simulated crash')
    const h2 = await resumeSession(store, 'x', { owner: 'w1', optimizer: uniform(), objective: sphere })
    await h2.wait()
    expect((await store.readTrials('x')).map((t) => t.candidate)).toEqual((await store.readTrials('base')).map((t) => t.candidate))
  })
})
