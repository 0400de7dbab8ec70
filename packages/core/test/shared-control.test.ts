import { describe, expect, test } from 'vitest'
import { createMemoryStore, joinSession, resumeSession, startSession, type ObjectiveContext, type StartOptions } from '../src/index.js'
import { nearBest } from './helpers/optimizers.js'
import { gate, killable, localRun, outcomes, until } from './helpers/shared.js'

const score = (c: { x: number }): number => (c.x - 1) ** 2
const SEED = 3
const PARALLELISM = 3
const MAX_TRIALS = 12

/** An objective that holds the given trials until released, and tags each result with the worker that produced it. */
function holding(held: readonly number[]) {
  const started = new Map(held.map((i) => [i, gate()]))
  const release = gate()
  const make =
    (owner: string) =>
    async (c: { x: number }, ctx: ObjectiveContext): Promise<{ score: number; stats: { by: string } }> => {
      const hold = started.get(ctx.trialIdx)
      if (hold) {
        hold.open()
        await release.wait
      }
      return { score: score(c), stats: { by: owner } }
    }
  return { make, started: (i: number) => started.get(i)?.wait as Promise<void>, release: release.open }
}

const sharedOptions = (objective: StartOptions['objective']): StartOptions => ({
  optimizer: nearBest(),
  objective,
  evaluation: 'shared',
  evaluateLocally: false,
  parallelism: PARALLELISM,
  seed: SEED,
  maxTrials: MAX_TRIALS,
  pollIntervalMs: 1,
})

const expected = () => localRun({ optimizer: nearBest(), objective: score, seed: SEED, parallelism: PARALLELISM, maxTrials: MAX_TRIALS })
const scores = (trials: Awaited<ReturnType<typeof outcomes>>) =>
  trials.map(({ trialIdx, candidate, status, score }) => ({ trialIdx, candidate, status, score }))

describe('shared evaluation: pause, cancel and workers', () => {
  test.each([
    ['the handle', 'handle'],
    ['another process (requestControl)', 'control'],
  ] as const)(
    'a pause from %s is committed without waiting for workers; they stop after their trial in flight, and a resume commits their results and completes with the same candidates',
    async (_what, from) => {
      const store = createMemoryStore()
      const { make, started, release } = holding([4, 5])
      const coordinator = await startSession({ store, ...sharedOptions(make('coordinator')), leaseTtlMs: 400 })
      // Three workers: two hold trials 4 and 5, whichever claimed them, and one is left for trial 3.
      const workers = await Promise.all(
        ['a', 'b', 'c'].map((owner) => joinSession(store, coordinator.id, { objective: make(owner), owner, pollIntervalMs: 1 })),
      )
      await Promise.all([started(4), started(5)])
      await until(async () => (await store.load(coordinator.id)).progress.attempts === 4, 'trials 0 to 3 are committed')
      if (from === 'handle') await coordinator.pause()
      else await store.requestControl(coordinator.id, 'pause') // seen at the coordinator's next commit, made when idle
      await until(async () => (await store.load(coordinator.id)).status === 'paused', 'the pause is committed')
      expect(await coordinator.wait()).toMatchObject({ status: 'paused', progress: { attempts: 4 } })
      expect(workers.flatMap((w) => w.running()).sort()).toEqual([4, 5]) // still evaluating: the pause did not wait for them
      const holders = ['a', 'b', 'c'].filter((_, i) => (workers[i] as (typeof workers)[number]).running().length > 0)
      release()
      const ends = await Promise.all(workers.map((w) => w.wait()))
      for (const end of ends) expect(end).toMatchObject({ sessionStatus: 'paused', claimsLost: 0 })
      const slots = await store.readTrialSlots(coordinator.id, [4, 5])
      expect(slots.map((s) => s.result?.owner).sort()).toEqual(holders) // reported after the pause, kept in their slots

      const resumed = await resumeSession(store, coordinator.id, { optimizer: nearBest(), objective: make('resumed'), pollIntervalMs: 1 })
      expect(await resumed.wait()).toMatchObject({ status: 'completed' })
      const trials = await store.readTrials(coordinator.id)
      expect(
        trials
          .filter((t) => t.trialIdx === 4 || t.trialIdx === 5)
          .map((t) => (t.stats as { by: string }).by)
          .sort(),
      ).toEqual(holders)
      expect(scores(await outcomes(store, coordinator.id))).toEqual(await expected())
    },
  )

  test('a cancel commits the results already reported, then ends the session; workers stop', async () => {
    const store = createMemoryStore()
    const { make, started, release } = holding([2])
    const coordinator = await startSession({ store, ...sharedOptions(make('coordinator')) })
    const workers = await Promise.all(
      ['a', 'b'].map((owner) => joinSession(store, coordinator.id, { objective: make(owner), owner, pollIntervalMs: 1 })),
    )
    await started(2)
    // wait until the other worker reported trials 3 and 4 behind the held trial 2
    await until(
      async () => (await store.readTrialSlots(coordinator.id, [3, 4])).every((s) => s.result !== null),
      'trials 3 and 4 are reported',
    )
    await coordinator.cancel()
    expect(await coordinator.wait()).toMatchObject({ status: 'cancelled', progress: { attempts: 2 } })
    release()
    for (const end of await Promise.all(workers.map((w) => w.wait()))) expect(end.sessionStatus).toBe('cancelled')
  })

  test('a pause commits every result already reported, up to the first pending trial without one, then the status', async () => {
    const store = createMemoryStore()
    const { make, release } = holding([3])
    // a coordinator that reads results only when woken, so reported results pile up uncommitted
    const coordinator = await startSession({ store, ...sharedOptions(make('coordinator')), pollIntervalMs: 60_000 })
    const worker = await joinSession(store, coordinator.id, { objective: make('w'), owner: 'w', pollIntervalMs: 1 })
    await until(async () => {
      const { progress } = await store.load(coordinator.id)
      const open = [0, 1, 2].filter((i) => i >= progress.attempts)
      return (await store.readTrialSlots(coordinator.id, open)).every((s) => s.result !== null)
    }, 'trials 0, 1 and 2 are reported or committed')
    await coordinator.pause()
    expect(await coordinator.wait()).toMatchObject({ status: 'paused', progress: { attempts: 3 } })
    release()
    expect(await worker.wait()).toMatchObject({ sessionStatus: 'paused' })
    const resumed = await resumeSession(store, coordinator.id, { optimizer: nearBest(), objective: make('resumed'), pollIntervalMs: 1 })
    expect(await resumed.wait()).toMatchObject({ status: 'completed' })
    expect(scores(await outcomes(store, coordinator.id))).toEqual(await expected())
  })

  test('evaluateLocally: false with no worker makes no progress; one worker joining completes the run', async () => {
    const inner = createMemoryStore()
    const counted = killable(inner)
    const coordinator = await startSession({ store: counted.store, ...sharedOptions(score) })
    await until(() => counted.slotReads >= 20, 'the coordinator polled for results 20 times')
    expect((await inner.load(coordinator.id)).progress.attempts).toBe(0)
    expect(coordinator.poll()).toMatchObject({ status: 'running', inFlight: 0 })
    const worker = await joinSession(inner, coordinator.id, { objective: score, pollIntervalMs: 1 })
    expect(await coordinator.wait()).toMatchObject({ status: 'completed', progress: { attempts: MAX_TRIALS } })
    expect(await worker.wait()).toMatchObject({ trialsEvaluated: MAX_TRIALS, sessionStatus: 'completed' })
    expect(await outcomes(inner, coordinator.id)).toEqual(await expected())
  })

  test('a worker stopped by stop() or its signal finishes and reports its trial in flight; the session goes on', async () => {
    const store = createMemoryStore()
    const { make, started, release } = holding([0, 1])
    const coordinator = await startSession({ store, ...sharedOptions(make('coordinator')) })
    const stopped = await joinSession(store, coordinator.id, { objective: make('stopped'), owner: 'stopped', pollIntervalMs: 1 })
    const abort = new AbortController()
    const aborted = await joinSession(store, coordinator.id, {
      objective: make('aborted'),
      owner: 'aborted',
      pollIntervalMs: 1,
      signal: abort.signal,
    })
    await Promise.all([started(0), started(1)])
    const stopping = stopped.stop()
    abort.abort()
    release()
    const ends = await Promise.all([stopping, aborted.wait()])
    for (const end of ends) expect(end).toMatchObject({ sessionStatus: 'running', trialsEvaluated: 1, claimsLost: 0, tookOver: false })
    const last = await joinSession(store, coordinator.id, { objective: score, pollIntervalMs: 1 })
    expect(await coordinator.wait()).toMatchObject({ status: 'completed' })
    expect((await last.wait()).trialsEvaluated).toBe(MAX_TRIALS - 2)
    expect(scores(await outcomes(store, coordinator.id))).toEqual(await expected())
  })
})
