import { describe, expect, test } from 'vitest'
import {
  createMemoryStore,
  joinSession,
  resumeSession,
  ResumeMismatchError,
  startSession,
  type ObjectiveContext,
  type TrialRecord,
} from '../src/index.js'
import { joinSessionWith } from '../src/testing.js'
import { uniform } from './helpers/optimizers.js'
import { EPOCHS, lossAt, medianAtStep, never, outcomes, trainer } from './helpers/pruning.js'
import { jumpingClock, killable, until } from './helpers/shared.js'

async function localRecords(seed: number, maxTrials: number, parallelism: number) {
  const store = createMemoryStore()
  const h = await startSession({ store, optimizer: uniform(), objective: trainer(), pruner: medianAtStep(), seed, maxTrials, parallelism })
  await h.wait()
  return outcomes(await store.readTrials(h.id))
}

describe('pruning and trial checkpoints with shared workers', () => {
  test('workers judge with the same history as a local run: the records (pruned ones too) are identical', async () => {
    const store = createMemoryStore()
    const coordinator = await startSession({
      store,
      optimizer: uniform(),
      objective: trainer(),
      pruner: medianAtStep(),
      evaluation: 'shared',
      evaluateLocally: false, // every trial (and every prune) travels through the store's result slots
      parallelism: 3,
      seed: 21,
      maxTrials: 12,
      pollIntervalMs: 1,
    })
    const workers = await Promise.all(
      ['a', 'b'].map((owner) =>
        joinSession(store, coordinator.id, { objective: trainer(), pruner: medianAtStep(), owner, pollIntervalMs: 1 }),
      ),
    )
    const r = await coordinator.wait()
    const ends = await Promise.all(workers.map((w) => w.wait()))
    expect(ends.reduce((n, e) => n + e.trialsEvaluated, 0)).toBe(12)
    const stored = outcomes(await store.readTrials(coordinator.id))
    expect(stored).toEqual(await localRecords(21, 12, 3))
    expect(r.progress.pruned).toBe(stored.filter((t) => t.status === 'pruned').length)
    expect(r.progress.pruned).toBeGreaterThan(0)
    for (const t of stored) expect(await store.loadTrialProgress(coordinator.id, t.trialIdx)).toBeNull()
  })

  test('the coordinator deletes the progress of worker trials that saved some, and only theirs (one request less per trial)', async () => {
    const store = createMemoryStore()
    const deleted: number[] = []
    const deleteTrialProgress = store.deleteTrialProgress.bind(store)
    store.deleteTrialProgress = (id, trialIdx) => (deleted.push(trialIdx), deleteTrialProgress(id, trialIdx))
    // Odd trials checkpoint; even ones only report.
    const objective = async (c: { x: number }, ctx: ObjectiveContext): Promise<number> => {
      ctx.report(0, c.x)
      if (ctx.trialIdx % 2 === 1) await ctx.checkpoint({ epoch: 1 })
      return c.x
    }
    const coordinator = await startSession({
      store,
      optimizer: uniform(),
      objective,
      evaluation: 'shared',
      evaluateLocally: false,
      parallelism: 2,
      seed: 5,
      maxTrials: 6,
      pollIntervalMs: 1,
    })
    const worker = await joinSession(store, coordinator.id, { objective, owner: 'w', pollIntervalMs: 1 })
    await coordinator.wait()
    await worker.wait()
    expect(deleted.sort((a, b) => a - b)).toEqual([1, 3, 5])
    for (const i of [1, 3, 5]) expect(await store.loadTrialProgress(coordinator.id, i)).toBeNull()
  })

  test('a worker needs the session pruner: none, or another one, is refused (reason pruner)', async () => {
    const store = createMemoryStore()
    const coordinator = await startSession({
      store,
      optimizer: uniform(),
      objective: () => never.then(() => 1),
      pruner: medianAtStep(),
      evaluation: 'shared',
      evaluateLocally: false,
      maxTrials: 2,
    })
    for (const pruner of [undefined, medianAtStep(5)]) {
      const err = await joinSession(store, coordinator.id, { objective: trainer(), ...(pruner ? { pruner } : {}) }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ResumeMismatchError)
      expect(err).toMatchObject({ reason: 'pruner' })
    }
    await coordinator.cancel()
  })

  test('a lapsed claim: the worker that takes the trial over continues from its last checkpoint', async () => {
    const clock = jumpingClock()
    const store = createMemoryStore({ clock })
    const trained = { epochs: 0 }
    let stuck = false
    const coordinator = await startSession({
      store,
      optimizer: uniform(),
      objective: trainer(),
      evaluation: 'shared',
      evaluateLocally: false,
      maxTrials: 1,
      seed: 8,
      pollIntervalMs: 1,
    })
    const slow = await joinSessionWith(
      store,
      coordinator.id,
      {
        objective: trainer({
          counter: trained,
          afterCheckpoint: (_t, epoch) => {
            if (epoch !== 2) return
            stuck = true
            return never
          },
        }),
        owner: 'slow',
        pollIntervalMs: 1,
      },
      { now: clock.now },
    )
    await until(() => stuck, 'the slow worker is stuck after its third checkpoint')
    clock.advance(30_001) // its claim lapsed
    const restored: unknown[] = []
    const fast = await joinSessionWith(
      store,
      coordinator.id,
      {
        objective: async (c: { x: number }, ctx) => {
          restored.push(ctx.restored)
          return trainer({ counter: trained })(c, ctx)
        },
        owner: 'fast',
        pollIntervalMs: 1,
      },
      { now: clock.now },
    )
    await coordinator.wait()
    await fast.wait()
    void slow
    expect(restored).toEqual([{ epoch: 3 }])
    expect(trained.epochs).toBe(EPOCHS)
    const [t] = await store.readTrials(coordinator.id)
    const x = ((t as TrialRecord).candidate as { x: number }).x
    expect(t?.intermediate).toEqual(Array.from({ length: EPOCHS }, (_, e) => ({ step: e, value: lossAt(x, e) })))
  })

  test('a trial checkpointed by a local run continues in a shared one (the token grows across modes)', async () => {
    const clock = jumpingClock()
    const inner = createMemoryStore({ clock })
    const cut = killable(inner)
    const trained = { epochs: 0 }
    let crashed = false
    const first = await startSession({
      store: cut.store,
      optimizer: uniform(),
      leaseTtlMs: 1_000,
      maxTrials: 2,
      seed: 3,
      objective: trainer({
        counter: trained,
        afterCheckpoint: (_t, epoch) => {
          if (epoch !== 4) return
          crashed = true
          cut.kill()
          return never
        },
      }),
    })
    first.wait().catch(() => undefined)
    await until(() => crashed, 'the crash')
    clock.advance(2_000)
    const resumed = await resumeSession(inner, first.id, {
      optimizer: uniform(),
      objective: trainer({ counter: trained }),
      evaluation: 'shared',
      evaluateLocally: true,
      owner: 'second',
      pollIntervalMs: 1,
    })
    const r = await resumed.wait()
    expect(r.status).toBe('completed')
    expect(trained.epochs).toBe(2 * EPOCHS)
    const trials = await inner.readTrials(first.id)
    expect(trials.map((t) => t.intermediate?.length)).toEqual([EPOCHS, EPOCHS])
  })

  test('a trial a worker checkpointed continues in a local resume after the coordinator died', async () => {
    const clock = jumpingClock()
    const inner = createMemoryStore({ clock })
    const cut = killable(inner)
    const trained = { epochs: 0 }
    let stuck = false
    const coordinator = await startSession({
      store: cut.store,
      optimizer: uniform(),
      objective: trainer(),
      evaluation: 'shared',
      evaluateLocally: false,
      leaseTtlMs: 1_000,
      maxTrials: 1,
      seed: 6,
      pollIntervalMs: 1,
    })
    coordinator.wait().catch(() => undefined)
    await joinSessionWith(
      inner,
      coordinator.id,
      {
        objective: trainer({
          counter: trained,
          afterCheckpoint: (_t, epoch) => {
            if (epoch !== 2) return
            stuck = true
            cut.kill() // the coordinator's process dies; this worker hangs
            return never
          },
        }),
        pollIntervalMs: 1,
      },
      { now: clock.now },
    )
    await until(() => stuck, 'the worker is stuck after its third checkpoint')
    clock.advance(31_000) // the coordinator's lease and the worker's claim lapsed
    const restored: unknown[] = []
    const local = await resumeSession(inner, coordinator.id, {
      optimizer: uniform(),
      evaluation: 'local',
      owner: 'second',
      objective: (c: { x: number }, ctx) => {
        restored.push(ctx.restored)
        return trainer({ counter: trained })(c, ctx)
      },
    })
    expect((await local.wait()).status).toBe('completed')
    expect(restored).toEqual([{ epoch: 3 }])
    expect(trained.epochs).toBe(EPOCHS)
    expect((await inner.readTrials(coordinator.id))[0]?.intermediate).toHaveLength(EPOCHS)
  })
})
