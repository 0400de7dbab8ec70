import { describe, expect, test } from 'vitest'
import {
  createMemoryStore,
  resumeSession,
  Rng,
  startSession,
  warmStartKeys,
  type CheckpointHead,
  type Direction,
  type TrialView,
  type WarmStartEntryInput,
  type WarmStartStore,
} from '../src/index.js'
import { BestTrials } from '../src/session/best-trials.js'
import { WarmStartWriter } from '../src/session/warm-start.js'
import { uniform } from './helpers/optimizers.js'

/** What the warm-start writer saved before it kept its best trials incrementally: filter, sort the whole history, slice. */
function reference(history: readonly TrialView[], direction: Direction, maxSeeds: number): TrialView[] {
  const ok = history.filter((t) => t.status === 'ok' && t.score !== undefined && !t.seeded)
  const sign = direction === 'maximize' ? -1 : 1
  return ok
    .slice()
    .sort((a, b) => sign * ((a.score as number) - (b.score as number)) || a.trialIdx - b.trialIdx)
    .slice(0, maxSeeds)
}

const asSaved = (trials: readonly TrialView[]) => trials.map((t) => ({ candidate: t.candidate, score: t.score as number }))

// Few distinct scores, so ties (0 and -0 included) are common; infinities too (a step optimizer's scores are not checked).
const SCORES = [0, -0, 1, 1, 2, 2, 3, -1, 0.5, 1e9, -1e9, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]

/** A history as the driver holds it: warm-start seeds, then trials (some failed, with or without a score; some ok without one). */
function randomHistory(rng: Rng, opts: { length: number; duplicateIdx?: boolean }): TrialView[] {
  const history: TrialView[] = []
  const seeds = rng.int(0, 4)
  for (let i = 0; i < seeds; i++)
    history.push({ trialIdx: i - seeds, candidate: { seed: i }, score: rng.pick(SCORES), status: 'ok', seeded: true })
  for (let i = 0; i < opts.length; i++) {
    const trialIdx = opts.duplicateIdx ? rng.int(0, 5) : i
    const kind = rng.next()
    if (kind < 0.1) history.push({ trialIdx, candidate: { i }, status: 'error' })
    else if (kind < 0.2) history.push({ trialIdx, candidate: { i }, score: rng.pick(SCORES), status: 'error' })
    else if (kind < 0.25) history.push({ trialIdx, candidate: { i }, status: 'ok' })
    else history.push({ trialIdx, candidate: { i }, score: kind < 0.9 ? rng.pick(SCORES) : rng.uniform(-3, 3), status: 'ok' })
  }
  return history
}

const DIRECTIONS: Direction[] = ['minimize', 'maximize']

describe('BestTrials', () => {
  test.each(DIRECTIONS)('equals sort-and-slice of the history after every batch of appended trials (%s)', (direction) => {
    const rng = Rng.fromSeed(7)
    for (let run = 0; run < 300; run++) {
      const full = randomHistory(rng, { length: rng.int(0, 120), duplicateIdx: run % 5 === 0 })
      const capacity = rng.pick([0, 1, 2, 3, 5, 10, 40, 1000, Number.POSITIVE_INFINITY])
      const best = new BestTrials(capacity, direction)
      const history: TrialView[] = []
      let next = 0
      do {
        const batch = rng.int(0, 8)
        for (let i = 0; i < batch && next < full.length; i++) history.push(full[next++] as TrialView)
        best.update(history)
        expect(best.list()).toStrictEqual(reference(history, direction, capacity))
      } while (next < full.length)
    }
  })

  test('starts over when given another history array or a shorter one', () => {
    const rng = Rng.fromSeed(3)
    const best = new BestTrials(5, 'minimize')
    const a = randomHistory(rng, { length: 50 })
    best.update(a)
    const b = randomHistory(rng, { length: 50 })
    best.update(b)
    expect(best.list()).toStrictEqual(reference(b, 'minimize', 5))
    b.length = 20
    best.update(b)
    expect(best.list()).toStrictEqual(reference(b, 'minimize', 5))
  })
})

/** A warm-start store that records what was saved under one key (the writer only saves). */
function recordingStore(key: string): WarmStartStore & { saved: WarmStartEntryInput[] } {
  const saved: WarmStartEntryInput[] = []
  const saveOverwrite = async (k: string, _runId: string, entry: WarmStartEntryInput): Promise<void> => {
    if (k === key) saved.push(structuredClone(entry))
  }
  return { saved, saveOverwrite } as unknown as WarmStartStore & { saved: WarmStartEntryInput[] }
}

const headAt = (direction: Direction, attempts: number, status: CheckpointHead['status'] = 'running'): CheckpointHead =>
  // A new best score on every commit, so the writer saves every time.
  ({
    sessionId: 's',
    direction,
    status,
    progress: { attempts, completed: attempts, errors: 0, bestScore: attempts, bestTrialIdx: 0, startedAt: 0 },
  }) as unknown as CheckpointHead

describe('WarmStartWriter saves what sort-and-slice of the history gave', () => {
  const keys = { exact: 'e'.repeat(64), seed: 's'.repeat(64) }

  test.each(DIRECTIONS)('after every commit, across a rebuilt writer (as on resume), and on stop (%s)', async (direction) => {
    const rng = Rng.fromSeed(11)
    const bounds = [0, 1, 3, 10, 100, 1000]
    for (let run = 0; run < 120; run++) {
      const maxSeeds = bounds[run % bounds.length] as number
      const full = randomHistory(rng, { length: rng.int(1, 80) })
      const store = recordingStore(keys.exact)
      const expected: { kind: string; trials: unknown }[] = []
      // Every head below carries a new best score, so every commit saves; an empty checkpoint is skipped.
      const expectSave = (kind: 'checkpoint' | 'final', history: readonly TrialView[]): void => {
        const trials = reference(history, direction, maxSeeds)
        if (trials.length > 0 || kind === 'final') expected.push({ kind, trials: asSaved(trials) })
      }
      let writer = new WarmStartWriter(store, keys, maxSeeds)
      let history = full.filter((t) => t.seeded)
      const resumeAt = rng.int(history.length, full.length)
      for (let i = history.length; i < full.length; i++) {
        if (i === resumeAt) {
          await writer.onStop(headAt(direction, i, 'paused'), history)
          expectSave('checkpoint', history)
          // resumeSession builds a new writer over a new history array holding everything so far.
          writer = new WarmStartWriter(store, keys, maxSeeds)
          history = history.slice()
        }
        history.push(full[i] as TrialView)
        writer.afterCommit(headAt(direction, i + 1), history)
        expectSave('checkpoint', history)
      }
      await writer.onStop(headAt(direction, full.length, 'completed'), history)
      expectSave('final', history)
      expect(store.saved.map((e) => ({ kind: e.kind, trials: (e.payload as { trials: unknown }).trials }))).toStrictEqual(expected)
    }
  })
})

describe('warm-start entries of a resumed session', () => {
  test.each(DIRECTIONS)('keep the best trials of the whole session, seeds and failed trials left out (%s)', async (direction) => {
    const checkpoints = createMemoryStore()
    const warm = createMemoryStore()
    const keys = warmStartKeys({ optimizerId: 'test/uniform' })
    const seeds = [
      { candidate: { x: 0, n: 0 }, score: 0 },
      { candidate: { x: 1, n: 1 }, score: 1 },
    ]
    await warm.saveOverwrite(keys.exact, 'earlier', {
      kind: 'checkpoint',
      objective: 0,
      iteration: 2,
      payload: { format: 'cairn.session-trials/1', sessionId: 'earlier', bestScore: 0, trials: seeds },
    })
    // Rounded scores tie often; every fifth trial fails.
    const objective = (c: { x: number; n: number }, ctx: { trialIdx: number }): number => {
      if (ctx.trialIdx === 12) void first.pause()
      if (ctx.trialIdx % 5 === 4) throw new Error('flaky')
      return Math.round(c.x)
    }
    const options = { optimizer: uniform(), objective, direction, maxErrors: 100, warmStart: { store: warm, maxSeedTrials: 20 } }
    const first = await startSession({ ...options, store: checkpoints, sessionId: 'resumed', maxTrials: 30, seed: 5 })
    expect((await first.wait()).status).toBe('paused')
    expect(first.head().seeds).toEqual(seeds)
    const resumed = await resumeSession(checkpoints, 'resumed', options)
    expect((await resumed.wait()).status).toBe('completed')

    const trials = await checkpoints.readTrials('resumed')
    expect(trials.some((t) => t.status === 'error')).toBe(true)
    const views = trials.map((t) => ({
      trialIdx: t.trialIdx,
      candidate: t.candidate,
      status: t.status,
      ...(t.score !== undefined ? { score: t.score } : {}),
    }))
    const entry = await warm.lookup(keys.exact)
    expect(entry).toMatchObject({ kind: 'final', runId: 'resumed' })
    expect((entry!.payload as { trials: unknown }).trials).toStrictEqual(asSaved(reference(views, direction, 20)))
  })
})

describe('resumeSession checks its warmStart option as startSession does', () => {
  test.each([-1, 2.5, Number.NaN, Number.POSITIVE_INFINITY, 1001])(
    'maxSeedTrials %s → InvalidInputError, and the session is left as it was',
    async (maxSeedTrials) => {
      const checkpoints = createMemoryStore()
      const warm = createMemoryStore()
      const options = { optimizer: uniform(), objective: (c: { x: number }) => c.x, warmStart: { store: warm } }
      const first = await startSession({ ...options, store: checkpoints, sessionId: 'paused', maxTrials: 10, seed: 1 })
      await first.pause()
      const before = await checkpoints.load('paused')
      const err = await resumeSession(checkpoints, 'paused', { ...options, warmStart: { store: warm, maxSeedTrials } }).catch(
        (e: unknown) => e,
      )
      expect(err).toMatchObject({ code: 'INVALID_INPUT', field: 'warmStart.maxSeedTrials' })
      expect(await checkpoints.load('paused')).toEqual(before)
    },
  )
})
