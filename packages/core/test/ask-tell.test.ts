import { describe, expect, test } from 'vitest'
import {
  askTell,
  askTrial,
  createMemoryStore,
  enqueueTrial,
  float,
  int,
  outstandingTrials,
  resumeSession,
  space,
  startSession,
  tellTrial,
  type CheckpointStore,
  type Json,
  type Sampler,
  type SessionHandle,
} from '../src/index.js'
import { nearBest, sphere, stepper, uniform, uniformSampler } from './helpers/optimizers.js'

const score = (c: Json): number => sphere(c as { x: number })

/** Remembers the order it is told trials in; its candidates depend on that order. */
function recorder(): Sampler<{ told: number[] }> {
  return {
    id: 'test/recorder',
    stateVersion: 1,
    init: () => ({ told: [] }),
    ask: (state, ctx) => ({
      kind: 'candidate',
      state,
      candidate: { x: ctx.rng.uniform(-1, 1) + state.told.reduce((h, i, at) => (h * 31 + i * (at + 1)) % 997, 7) / 997 },
    }),
    tell: (state, view) => ({ told: [...state.told, view.trialIdx] }),
    encodeState: (s) => new TextEncoder().encode(JSON.stringify(s)),
    decodeState: (bytes) => JSON.parse(new TextDecoder().decode(bytes)) as { told: number[] },
  }
}

/** Asks in batches of `batch`, tells each batch in the order `order` gives, until `maxTrials`. */
async function batches(h: SessionHandle, batch: number, order: (ids: number[]) => number[]): Promise<void> {
  for (;;) {
    const asked = []
    for (let i = 0; i < batch; i++) {
      const t = await h.ask()
      if (t) asked.push(t)
    }
    if (asked.length === 0) return
    const byIdx = new Map(asked.map((t) => [t.trialIdx, t.candidate]))
    for (const idx of order([...byIdx.keys()])) await h.tell(idx, score(byIdx.get(idx) as Json))
  }
}

async function log(store: CheckpointStore, id: string): Promise<Array<{ trialIdx: number; candidate: Json; score?: number }>> {
  return (await store.readTrials(id)).map((t) => ({
    trialIdx: t.trialIdx,
    candidate: t.candidate,
    ...(t.score !== undefined ? { score: t.score } : {}),
  }))
}

describe('ask/tell sessions', () => {
  test('tells in any order give the candidates of tells in index order (the optimizer learns in index order)', async () => {
    const runs = []
    const orders = [(ids: number[]) => ids, (ids: number[]) => [...ids].reverse(), (ids: number[]) => [ids[1], ids[2], ids[0]] as number[]]
    for (const order of orders) {
      const store = createMemoryStore()
      const h = await startSession({ store, optimizer: askTell(recorder()), seed: 11, maxTrials: 12 })
      await batches(h, 3, order)
      expect(h.poll()).toMatchObject({ status: 'completed', progress: { attempts: 12, completed: 12 } })
      expect(await h.wait()).toMatchObject({ status: 'completed', terminalReason: 'max-trials' })
      const head = await store.load(h.id)
      expect(recorder().decodeState(head.optimizerState, 1).told).toEqual([...Array(12).keys()])
      runs.push(await log(store, h.id))
    }
    expect(runs[0]).toHaveLength(12)
    expect(runs[1]).toEqual(runs[0])
    expect(runs[2]).toEqual(runs[0])
  })

  test('a tell ahead of an earlier trial is kept in its pending entry, then the run is committed at once', async () => {
    const store = createMemoryStore()
    const h = await startSession({ store, optimizer: uniform(), seed: 3 })
    const [a, b, c] = [await h.ask(), await h.ask(), await h.ask()]
    expect([a?.trialIdx, b?.trialIdx, c?.trialIdx]).toEqual([0, 1, 2])
    await h.tell(2, 1.5)
    await h.tell(1, { score: 0.5, stats: { epochs: 3 } })
    const stored = await store.load(h.id)
    expect(stored.progress.attempts).toBe(0)
    expect(stored.pending.map((p) => [p.trialIdx, p.told?.score ?? null])).toEqual([
      [0, null],
      [1, 0.5],
      [2, 1.5],
    ])
    expect(await h.outstanding()).toEqual([
      { trialIdx: 0, candidate: a?.candidate, told: false },
      { trialIdx: 1, candidate: b?.candidate, told: true },
      { trialIdx: 2, candidate: c?.candidate, told: true },
    ])
    const revision = stored.revision
    await h.tell(0, { error: 'out of memory' })
    const after = await store.load(h.id)
    expect(after.revision).toBe(revision + 1)
    expect(after.pending).toEqual([])
    expect(after.status).toBe('paused')
    expect(after.progress).toMatchObject({ attempts: 3, completed: 2, errors: 1, bestScore: 0.5, bestTrialIdx: 1 })
    const trials = await store.readTrials(h.id)
    expect(trials[0]).toMatchObject({ status: 'error', errorClass: 'objective', error: { message: 'out of memory' } })
    expect(trials[1]).toMatchObject({ status: 'ok', score: 0.5, stats: { epochs: 3 }, candidate: b?.candidate })
  })

  test('bad tells are refused with a clear InvalidInputError and change nothing', async () => {
    const store = createMemoryStore()
    const h = await startSession({ store, optimizer: uniform(), seed: 4 })
    await h.ask()
    await h.ask()
    await h.tell(1, 2)
    const revision = (await store.load(h.id)).revision
    await expect(h.tell(1, 3)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/already told \(it waits for trial 0/),
    })
    await expect(h.tell(5, 3)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/never asked \(outstanding: 0, 1\)/),
    })
    await expect(h.tell(-1, 3)).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'trialIdx' })
    await h.tell(0, 1)
    await expect(h.tell(0, 1)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/trial 0 .* was already told/),
    })
    expect((await store.load(h.id)).revision).toBe(revision + 1)
    // A malformed score is recorded as an invalid-score error, as for an objective.
    await h.ask()
    await h.tell(2, Number.NaN)
    expect((await store.readTrials(h.id))[2]).toMatchObject({ status: 'error', errorClass: 'invalid-score' })
  })

  test('a session driven by its objective refuses ask and tell; a step-based optimizer cannot ask/tell', async () => {
    const h = await startSession({ optimizer: uniform(), objective: sphere, maxTrials: 2, seed: 1 })
    await expect(h.ask()).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/driven by its objective; ask\(\)/),
    })
    await expect(h.tell(0, 1)).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    await h.wait()
    await expect(startSession({ optimizer: stepper() })).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'optimizer' })
  })

  test('maxTrials: ask is null once all are asked; the session completes when the last is told', async () => {
    const h = await startSession({ optimizer: uniform(), seed: 5, maxTrials: 2 })
    const done = h.wait()
    const a = await h.ask()
    const b = await h.ask()
    expect(await h.ask()).toBeNull()
    await h.tell(b?.trialIdx as number, 1)
    expect(h.poll().status).toBe('paused')
    await h.tell(a?.trialIdx as number, 2)
    expect(await done).toMatchObject({ status: 'completed', terminalReason: 'max-trials', bestScore: 1, bestTrialIdx: 1 })
    expect(await h.ask()).toBeNull()
    await expect(h.tell(0, 1)).rejects.toMatchObject({ code: 'ALREADY_TERMINAL' })
  })

  test('an optimizer that halts completes the session once nothing is outstanding', async () => {
    const h = await startSession({ optimizer: uniform({ haltAfter: 2 }), seed: 5 })
    const a = await h.ask()
    await h.ask()
    expect(await h.ask()).toBeNull()
    expect(h.poll().status).toBe('paused')
    await h.tell(1, 1)
    await h.tell(a?.trialIdx as number, 1)
    expect(await h.ask()).toBeNull()
    expect(h.poll()).toMatchObject({ status: 'completed', terminalReason: 'exhausted' })
  })

  test('maxOutstanding bounds the asks not yet told', async () => {
    const h = await startSession({ optimizer: uniform(), seed: 5, maxOutstanding: 2 })
    await h.ask()
    await h.ask()
    await expect(h.ask()).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'maxOutstanding' })
    await h.tell(0, 1)
    expect(await h.ask()).toMatchObject({ trialIdx: 2 })
  })

  test('resumed without an objective, a session lists its outstanding trials, which can be told; the optimizer is not asked again', async () => {
    const straightStore = createMemoryStore()
    const straight = await startSession({ store: straightStore, optimizer: nearBest(), seed: 8, maxTrials: 5 })
    await batches(straight, 3, (ids) => ids)
    const store = createMemoryStore()
    const first = await startSession({ store, optimizer: nearBest(), seed: 8, maxTrials: 5, sessionId: 'at' })
    const asked = [await first.ask(), await first.ask(), await first.ask()]
    await first.tell(1, score(asked[1]?.candidate as Json))
    // The process holding the handle is gone; another one resumes the session.
    const again = await resumeSession(store, 'at', { optimizer: nearBest() })
    expect(again.poll().status).toBe('paused')
    const outstanding = await again.outstanding()
    expect(outstanding.map((t) => [t.trialIdx, t.candidate, t.told])).toEqual([
      [0, asked[0]?.candidate, false],
      [1, asked[1]?.candidate, true],
      [2, asked[2]?.candidate, false],
    ])
    await again.tell(2, score(asked[2]?.candidate as Json))
    await again.tell(0, score(asked[0]?.candidate as Json))
    await batches(again, 3, (ids) => ids)
    expect(await log(store, 'at')).toEqual(await log(straightStore, straight.id))
  })

  test('enqueue: checked against the space, durable before it resolves, asked first, told to the optimizer in order', async () => {
    const store = createMemoryStore()
    const s = space({ x: float(-5, 5), n: int(0, 9) })
    const h = await startSession({ store, optimizer: uniform(), space: s, seed: 6 })
    await expect(h.enqueue({ x: 50, n: 1 })).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'candidate.x' })
    await expect(h.enqueue({ x: 1 })).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    const mine = { x: 1.25, n: 3 }
    await h.enqueue(mine)
    mine.x = 4 // the session keeps what was enqueued
    await h.enqueue({ x: -2, n: 0 })
    expect((await store.load(h.id)).enqueued).toEqual([
      { x: 1.25, n: 3 },
      { x: -2, n: 0 },
    ])
    const a = await h.ask()
    expect(a).toEqual({ trialIdx: 0, candidate: { x: 1.25, n: 3 }, origin: 'enqueued' })
    const stored = await store.load(h.id)
    expect(stored.enqueued).toEqual([{ x: -2, n: 0 }])
    expect(stored.pending[0]).toMatchObject({ trialIdx: 0, origin: 'enqueued' })
    expect(await h.ask()).toMatchObject({ trialIdx: 1, candidate: { x: -2, n: 0 }, origin: 'enqueued' })
    const fromOptimizer = await h.ask()
    expect(fromOptimizer?.origin).toBeUndefined()
    expect((await store.load(h.id)).enqueued).toBeUndefined()
    // The optimizer was not asked for the enqueued trials: its first candidate is that of a session without them.
    const plain = await startSession({ optimizer: uniform(), space: s, seed: 6 })
    expect((await plain.ask())?.candidate).toEqual(fromOptimizer?.candidate)
  })

  test('enqueue on a session driven by its objective: the next trial the driver asks is the enqueued one', async () => {
    const store = createMemoryStore()
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    let started!: () => void
    const running = new Promise<void>((r) => (started = r))
    const h = await startSession({
      store,
      optimizer: uniform(),
      space: space({ x: float(-5, 5), n: int(0, 9) }),
      seed: 9,
      maxTrials: 3,
      objective: async (c: { x: number }, ctx) => {
        if (ctx.trialIdx === 0) {
          started()
          await gate
        }
        return sphere(c)
      },
    })
    await running
    await h.enqueue({ x: 0.5, n: 2 })
    expect((await store.load(h.id)).enqueued).toEqual([{ x: 0.5, n: 2 }])
    release()
    await h.wait()
    const trials = await store.readTrials(h.id)
    expect(trials[1]).toMatchObject({ candidate: { x: 0.5, n: 2 }, score: 0.25 })
    expect((await store.load(h.id)).enqueued).toBeUndefined()
    await expect(h.enqueue({ x: 0, n: 0 })).rejects.toMatchObject({ code: 'ALREADY_TERMINAL' })
  })

  test('the store-level functions: four loops asking and telling at once never share a trial nor lose a tell', async () => {
    const store = createMemoryStore()
    const h = await startSession({ store, optimizer: uniform(), seed: 12, sessionId: 'many' })
    await enqueueTrial(store, 'many', { x: 0, n: 0 }, { optimizer: uniform() })
    const seen: number[] = []
    await Promise.all(
      [0, 1, 2, 3].map(async (w) => {
        for (let i = 0; i < 10; i++) {
          const t = await askTrial(store, 'many', { optimizer: uniform(), owner: `w${w}` })
          if (!t) throw new Error('nothing to ask')
          seen.push(t.trialIdx)
          await tellTrial(store, 'many', t.trialIdx, score(t.candidate), { optimizer: uniform(), owner: `w${w}` })
        }
      }),
    )
    expect([...seen].sort((a, b) => a - b)).toEqual([...Array(40).keys()])
    const trials = await store.readTrials('many')
    expect(trials).toHaveLength(40)
    expect(new Set(trials.map((t) => JSON.stringify(t.candidate))).size).toBe(40)
    expect(trials[0]?.candidate).toEqual({ x: 0, n: 0 })
    expect(await outstandingTrials(store, 'many')).toEqual([])
    expect((await store.load('many')).progress).toMatchObject({ attempts: 40, completed: 40 })
    expect(h.id).toBe('many')
  })

  test('resumed with a new maxTrials, an ask/tell session stores it; resumed with an objective, its told trials are not evaluated again', async () => {
    const store = createMemoryStore()
    const h = await startSession({ store, optimizer: uniform(), seed: 7, maxTrials: 2, sessionId: 'grow' })
    await h.ask()
    await h.ask()
    expect(await h.ask()).toBeNull()
    await h.tell(1, 5)
    const more = await resumeSession(store, 'grow', { optimizer: uniform(), maxTrials: 4 })
    expect((await store.load('grow')).limits.maxTrials).toBe(4)
    expect(await more.ask()).toMatchObject({ trialIdx: 2 })
    // Now an objective finishes the session: trial 1 keeps its told score, the others are evaluated.
    const evaluated: number[] = []
    const driven = await resumeSession(store, 'grow', {
      optimizer: uniform(),
      objective: (c: { x: number }, ctx) => {
        evaluated.push(ctx.trialIdx)
        return sphere(c)
      },
    })
    expect(await driven.wait()).toMatchObject({ status: 'completed', progress: { attempts: 4 } })
    expect(evaluated).toEqual([0, 2, 3])
    expect((await store.readTrials('grow'))[1]).toMatchObject({ score: 5 })
  })

  test('several objectives: tell takes one value per direction; the result is the Pareto front', async () => {
    const store = createMemoryStore()
    const optimizer = askTell({ ...uniformSampler(), capabilities: { multiObjective: true } })
    const h = await startSession({ store, optimizer, directions: ['minimize', 'maximize'], seed: 3, maxTrials: 3 })
    const asked = [await h.ask(), await h.ask(), await h.ask()]
    await h.tell(2, [1, 1])
    await h.tell(1, [2, 5])
    await h.tell(0, 7) // one number where two are needed: an invalid-score error trial
    const result = await h.wait()
    expect(result).toMatchObject({ status: 'completed', bestScore: null, progress: { attempts: 3, completed: 2, errors: 1 } })
    expect(result.paretoFront?.map((t) => [t.trialIdx, t.values])).toEqual([
      [1, [2, 5]],
      [2, [1, 1]],
    ])
    expect((await store.readTrials(h.id))[0]).toMatchObject({
      status: 'error',
      errorClass: 'invalid-score',
      candidate: asked[0]?.candidate,
    })
  })

  test('cancel ends an ask/tell session: later asks and tells are refused', async () => {
    const h = await startSession({ optimizer: uniform(), seed: 2 })
    await h.ask()
    await h.cancel()
    expect(h.poll()).toMatchObject({ status: 'cancelled' })
    expect(await h.wait()).toMatchObject({ status: 'cancelled' })
    await expect(h.ask()).rejects.toMatchObject({ code: 'ALREADY_TERMINAL' })
  })
})
