import { describe, expect, test } from 'vitest'
import {
  askTell,
  createMemoryStore,
  float,
  InvalidInputError,
  int,
  ResumeMismatchError,
  resumeSession,
  space,
  startSession,
  type MemoryStore,
  type ResumeOptions,
  type SessionHandle,
} from '../src/index.js'
import { sphere, uniform, uniformSampler } from './helpers/optimizers.js'

/** Starts a session and pauses it once `pauseAt` trials are recorded; returns its id. */
async function pausedAt(store: MemoryStore, pauseAt: number, extra: Record<string, unknown> = {}): Promise<string> {
  const h: SessionHandle = await startSession({
    store,
    optimizer: uniform(),
    seed: 11,
    ...extra,
    objective: async (c: { x: number }, ctx) => {
      if (ctx.trialIdx === pauseAt - 1) void h.pause()
      return sphere(c)
    },
  } as Parameters<typeof startSession>[0])
  expect((await h.wait()).status).toBe('paused')
  return h.id
}

/** Resume options that pause the resumed run once `pauseAt` trials are recorded. */
function pausingAt(pauseAt: number, extra: Partial<ResumeOptions> = {}): { opts: ResumeOptions; handle: { current?: SessionHandle } } {
  const handle: { current?: SessionHandle } = {}
  const opts: ResumeOptions = {
    optimizer: uniform(),
    objective: async (c: { x: number }, ctx) => {
      if (ctx.trialIdx === pauseAt - 1) void handle.current?.pause()
      return sphere(c)
    },
    ...extra,
  }
  return { opts, handle }
}

describe('resumeSession refuses a different direction or seed', () => {
  test.each<[string, Partial<ResumeOptions>, string, RegExp]>([
    ['direction', { direction: 'maximize' }, 'direction', /^cannot resume: direction differs \(stored "minimize", got "maximize"\)/],
    ['seed', { seed: 12 }, 'seed', /^cannot resume: seed differs \(stored 11, got 12\)/],
  ])('a different %s → ResumeMismatchError, nothing changed', async (_what, patch, reason, message) => {
    const store = createMemoryStore()
    const id = await pausedAt(store, 2)
    const before = await store.load(id)
    const err = await resumeSession(store, id, { optimizer: uniform(), objective: sphere, ...patch }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ResumeMismatchError)
    expect(err).toMatchObject({ reason })
    expect((err as Error).message).toMatch(message)
    expect(await store.load(id)).toEqual(before)
  })

  test('the same direction and seed are accepted', async () => {
    const store = createMemoryStore()
    const id = await pausedAt(store, 2, { maxTrials: 3 })
    const h = await resumeSession(store, id, { optimizer: uniform(), objective: sphere, direction: 'minimize', seed: 11 })
    expect((await h.wait()).status).toBe('completed')
  })
})

describe('a budget given on resume takes effect, is shown at once and is kept', () => {
  test('a raised maxTrials extends the run; the handle shows it before the first trial', async () => {
    const store = createMemoryStore()
    const id = await pausedAt(store, 2, { maxTrials: 4 })
    const h = await resumeSession(store, id, { optimizer: uniform(), objective: sphere, maxTrials: 7 })
    expect(h.head().limits.maxTrials).toBe(7)
    const result = await h.wait()
    expect(result).toMatchObject({ status: 'completed', terminalReason: 'max-trials', progress: { attempts: 7 } })
    expect((await store.load(id)).limits.maxTrials).toBe(7)
  })

  test('a later resume without maxTrials keeps the raised budget', async () => {
    const store = createMemoryStore()
    const id = await pausedAt(store, 2, { maxTrials: 4 })
    const first = pausingAt(5, { maxTrials: 8 })
    first.handle.current = await resumeSession(store, id, first.opts)
    expect((await first.handle.current.wait()).progress.attempts).toBe(5)
    expect((await store.load(id)).limits.maxTrials).toBe(8)
    const again = await resumeSession(store, id, { optimizer: uniform(), objective: sphere })
    expect(again.head().limits.maxTrials).toBe(8)
    expect(await again.wait()).toMatchObject({ status: 'completed', progress: { attempts: 8 } })
  })

  test('other limits (maxErrors, trialTimeoutMs, parallelism) are stored too', async () => {
    const store = createMemoryStore()
    const id = await pausedAt(store, 2, { maxTrials: 3 })
    const h = await resumeSession(store, id, { optimizer: uniform(), objective: sphere, maxErrors: 9, trialTimeoutMs: 60_000 })
    expect(h.head().limits).toMatchObject({ maxTrials: 3, maxErrors: 9, trialTimeoutMs: 60_000 })
    await h.wait()
    expect((await store.load(id)).limits).toMatchObject({ maxTrials: 3, maxErrors: 9, trialTimeoutMs: 60_000 })
  })

  test('a maxTrials below the trials recorded is refused (it used to complete the session at once), nothing changed', async () => {
    const store = createMemoryStore()
    const id = await pausedAt(store, 3, { maxTrials: 10 })
    const before = await store.load(id)
    const err = await resumeSession(store, id, { optimizer: uniform(), objective: sphere, maxTrials: 2 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InvalidInputError)
    expect(err).toMatchObject({ field: 'maxTrials' })
    expect((err as Error).message).toBe(
      `maxTrials: is 2, but session "${id}" already has 3 trials recorded; give at least 3, or cancel the session to stop it`,
    )
    expect(await store.load(id)).toEqual(before)
  })

  test('a maxTrials equal to the trials recorded completes the session at once, with no new trial', async () => {
    const store = createMemoryStore()
    const id = await pausedAt(store, 3, { maxTrials: 10 })
    expect((await store.load(id)).pending).toHaveLength(1)
    const h = await resumeSession(store, id, { optimizer: uniform(), objective: sphere, maxTrials: 3 })
    expect(await h.wait()).toMatchObject({ status: 'completed', terminalReason: 'max-trials', progress: { attempts: 3 } })
    expect(await store.readTrials(id)).toHaveLength(3)
  })

  test('candidates asked past a lowered budget are dropped: the session ends at the budget', async () => {
    const store = createMemoryStore()
    const id = await pausedAt(store, 2, { maxTrials: 10, parallelism: 3 })
    const head = await store.load(id)
    const done = head.progress.attempts
    expect(head.pending.map((p) => p.trialIdx)).toEqual([done, done + 1, done + 2])
    const h = await resumeSession(store, id, { optimizer: uniform(), objective: sphere, maxTrials: done + 1 })
    expect(await h.wait()).toMatchObject({ status: 'completed', terminalReason: 'max-trials', progress: { attempts: done + 1 } })
    const trials = await store.readTrials(id)
    expect(trials).toHaveLength(done + 1)
    expect(trials[done]?.candidate).toEqual(head.pending[0]?.candidate)
  })
})

describe('a resume mismatch names the fields that differ', () => {
  test('optimizer options: one line per option, not two JSON dumps; expected and got are kept', async () => {
    const store = createMemoryStore()
    const stored = askTell({ ...uniformSampler(), options: { n_startup_trials: 10, gamma: 0.25, prior: { weight: 1 } } })
    const id = await pausedAt(store, 2, { optimizer: stored })
    const changed = askTell({ ...uniformSampler(), options: { n_startup_trials: 20, gamma: 0.25, prior: { weight: 2 } } })
    const err = await resumeSession(store, id, { optimizer: changed, objective: sphere }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ResumeMismatchError)
    expect((err as Error).message).toBe(
      'cannot resume: optimizer-options differs (n_startup_trials: stored 10, got 20; prior.weight: stored 1, got 2); resume with the options the session was started with',
    )
    expect(err).toMatchObject({
      reason: 'optimizer-options',
      expected: { n_startup_trials: 10, gamma: 0.25, prior: { weight: 1 } },
      got: { n_startup_trials: 20, gamma: 0.25, prior: { weight: 2 } },
      differences: [
        { path: 'n_startup_trials', stored: 10, got: 20 },
        { path: 'prior.weight', stored: 1, got: 2 },
      ],
    })
  })

  test('space: the bounds that moved and the dimensions added or removed', async () => {
    const store = createMemoryStore()
    const id = await pausedAt(store, 2, { space: space({ x: float(-5, 5), n: int(0, 9) }) })
    const err = await resumeSession(store, id, {
      optimizer: uniform(),
      objective: sphere,
      space: space({ x: float(-5, 1), m: int(0, 9) }),
    }).catch((e: unknown) => e)
    expect(err).toMatchObject({ reason: 'space' })
    const message = (err as Error).message
    expect(message).toContain('params.x.high: stored 5, got 1')
    expect(message).toBe(
      'cannot resume: space differs (params.m: stored nothing, got {"high":9,"kind":"int","log":false,"low":0}; ' +
        'params.n: stored {"high":9,"kind":"int","log":false,"low":0}, got nothing; params.x.high: stored 5, got 1)',
    )
    expect(message).not.toContain('"version":1')
  })
})
