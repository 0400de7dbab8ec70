import { describe, expect, test } from 'vitest'
import {
  createMemoryStore,
  resumeSession,
  startSession,
  type Json,
  type MemoryStore,
  type ObjectiveContext,
  type Pruner,
  type TrialRecord,
} from '../src/index.js'
import { uniform } from './helpers/optimizers.js'
import { lossAt, medianAtStep, never, outcomes, trainer } from './helpers/pruning.js'
import { jumpingClock, killable, until } from './helpers/shared.js'

/** `inner` under another name: a second driver in this process, as a second process would be. */
function sameStore(inner: MemoryStore): MemoryStore {
  return new Proxy(inner, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

interface RunShape {
  seed: number
  maxTrials: number
  parallelism: number
  pruner?: Pruner
  epochs?: number
}

/** An uninterrupted run's records. */
async function uninterrupted(shape: RunShape, counter?: { epochs: number }): Promise<TrialRecord[]> {
  const store = createMemoryStore()
  const { epochs, ...drive } = shape
  const h = await startSession({
    store,
    optimizer: uniform(),
    objective: trainer({ ...(epochs ? { epochs } : {}), ...(counter ? { counter } : {}) }),
    ...drive,
  })
  await h.wait()
  return store.readTrials(h.id)
}

/**
 * A run whose process is cut off from its store (as a killed process is) right after trial
 * `crashAt.trialIdx` saved its checkpoint of epoch `crashAt.epoch`, then resumed by another driver
 * once the first one's lease lapsed. Returns the store and session id after the resumed run ended.
 */
async function crashedAndResumed(
  shape: RunShape,
  crashAt: { trialIdx: number; epoch: number },
  trained: { epochs: number },
  onRestore?: (ctx: ObjectiveContext) => void,
): Promise<{ store: MemoryStore; id: string }> {
  const clock = jumpingClock()
  const inner = createMemoryStore({ clock })
  const cut = killable(inner)
  const { epochs, ...drive } = shape
  let crashed = false
  const first = await startSession({
    store: cut.store,
    optimizer: uniform(),
    leaseTtlMs: 1_000,
    objective: trainer({
      ...(epochs ? { epochs } : {}),
      counter: trained,
      afterCheckpoint: (trialIdx, epoch) => {
        if (crashed) return never
        if (trialIdx !== crashAt.trialIdx || epoch !== crashAt.epoch) return
        crashed = true
        cut.kill()
        return never
      },
    }),
    ...drive,
  })
  first.wait().catch(() => undefined)
  await until(() => crashed, 'the crash')
  clock.advance(2_000) // past the dead driver's lease
  const objective = trainer({ ...(epochs ? { epochs } : {}), counter: trained })
  const resumed = await resumeSession(inner, first.id, {
    optimizer: uniform(),
    owner: 'second',
    objective: (c: { x: number }, ctx) => {
      if (ctx.restored !== undefined) onRestore?.(ctx)
      return objective(c, ctx)
    },
    ...(drive.pruner ? { pruner: drive.pruner } : {}),
  })
  const r = await resumed.wait()
  expect(r.status).toBe('completed')
  return { store: inner, id: first.id }
}

describe('trial checkpoints: a resumed session continues the interrupted trial', () => {
  test('a trial cut off after its 7th checkpoint continues from epoch 7: 50 epochs trained in all, not 57', async () => {
    const trained = { epochs: 0 }
    const restoredWith: { state: Json | Uint8Array | undefined; steps: number[] }[] = []
    const { store, id } = await crashedAndResumed(
      { seed: 2, maxTrials: 1, parallelism: 1, epochs: 50 },
      { trialIdx: 0, epoch: 6 },
      trained,
      (ctx) => restoredWith.push({ state: ctx.restored, steps: ctx.intermediate.map((p) => p.step) }),
    )
    expect(trained.epochs).toBe(50)
    expect(restoredWith).toEqual([{ state: { epoch: 7 }, steps: [0, 1, 2, 3, 4, 5, 6] }])
    const [t] = await store.readTrials(id)
    const x = ((t as TrialRecord).candidate as { x: number }).x
    expect(t?.status).toBe('ok')
    expect(t?.intermediate).toEqual(Array.from({ length: 50 }, (_, e) => ({ step: e, value: lossAt(x, e) })))
    expect(outcomes([t as TrialRecord])).toEqual(outcomes(await uninterrupted({ seed: 2, maxTrials: 1, parallelism: 1, epochs: 50 })))
    expect(await store.loadTrialProgress(id, 0)).toBeNull()
  })

  test('parallelism 4 with a pruner: the resumed run records what an uninterrupted run records', async () => {
    const shape = { seed: 9, maxTrials: 16, parallelism: 4 }
    const expected = outcomes(await uninterrupted({ ...shape, pruner: medianAtStep() }))
    expect(expected.some((t) => t.status === 'pruned')).toBe(true)
    // Cut off in a trial that runs to the end, one pruned later, and the first step of another.
    const reached = (t: (typeof expected)[number]) => (t.intermediate?.length ?? 0) - 1
    const full = expected.find((t) => t.trialIdx >= 5 && t.status === 'ok') as (typeof expected)[number]
    const prunedLate = expected.find((t) => t.trialIdx >= 5 && t.status === 'pruned' && reached(t) >= 1) as (typeof expected)[number]
    for (const crashAt of [
      { trialIdx: full.trialIdx, epoch: 3 },
      { trialIdx: prunedLate.trialIdx, epoch: reached(prunedLate) - 1 },
      { trialIdx: 10, epoch: 0 },
    ]) {
      const { store, id } = await crashedAndResumed({ ...shape, pruner: medianAtStep() }, crashAt, { epochs: 0 })
      expect(outcomes(await store.readTrials(id))).toEqual(expected)
    }
  })

  test('a restored trial the pruner prunes at its checkpoint ends pruned without running the objective again', async () => {
    // Trial 3 is cut off right after the checkpoint of the step it is pruned at (before it asked).
    const shape = { seed: 9, maxTrials: 8, parallelism: 1 }
    const expected = outcomes(await uninterrupted({ ...shape, pruner: medianAtStep() }))
    const victim = expected.find((t) => t.status === 'pruned' && t.trialIdx > 0) as (typeof expected)[number]
    const lastStep = victim.intermediate?.at(-1)?.step as number
    let restoredRuns = 0
    const { store, id } = await crashedAndResumed(
      { ...shape, pruner: medianAtStep() },
      { trialIdx: victim.trialIdx, epoch: lastStep },
      { epochs: 0 },
      () => restoredRuns++,
    )
    expect(restoredRuns).toBe(0)
    expect(outcomes(await store.readTrials(id))).toEqual(expected)
  })

  test('progress that does not decode is not restarted from scratch: the trial is an error naming the damage', async () => {
    const store = createMemoryStore()
    const h = await startSession({ store, optimizer: uniform(), objective: () => never.then(() => 1), maxTrials: 2, seed: 4 })
    await until(() => h.poll().inFlight === 1, 'trial 0 in flight')
    await store.saveTrialProgress(h.id, 0, 2 ** 40, new TextEncoder().encode('not a checkpoint'))
    // Take the session over from the (hung) first driver.
    await store.releaseLease(h.id, h.head().lease as never)
    let called = 0
    const resumed = await resumeSession(sameStore(store), h.id, {
      optimizer: uniform(),
      owner: 'second',
      objective: () => {
        called++
        return 1
      },
    })
    await resumed.wait()
    const [t0, t1] = await store.readTrials(h.id)
    expect(t0).toMatchObject({ status: 'error', errorClass: 'checkpoint-corrupt', error: { name: 'CheckpointCorruptError' } })
    expect(t0?.error?.message).toMatch(/progress of trial 0 .*not a Cairn record.*not restarted from scratch/)
    expect(t1?.status).toBe('ok')
    expect(called).toBe(1)
  })

  test('a zombie trial cannot overwrite the progress of the driver that took its session over', async () => {
    const store = createMemoryStore()
    let zombie: ObjectiveContext | null = null
    const h = await startSession({
      store,
      optimizer: uniform(),
      maxTrials: 1,
      seed: 4,
      objective: async (_c, ctx) => {
        ctx.report(0, 5)
        await ctx.checkpoint({ epoch: 1 })
        zombie = ctx
        return never.then(() => 1)
      },
    })
    await until(() => zombie !== null, 'the first checkpoint')
    await store.releaseLease(h.id, h.head().lease as never)
    const resumed = await resumeSession(sameStore(store), h.id, {
      optimizer: uniform(),
      owner: 'second',
      objective: async (_c, ctx) => {
        expect(ctx.restored).toEqual({ epoch: 1 })
        ctx.report(1, 4)
        await ctx.checkpoint({ epoch: 2 })
        const err = await (zombie as unknown as ObjectiveContext).checkpoint({ epoch: 99 }).catch((e: unknown) => e)
        expect(err).toMatchObject({ code: 'LEASE_LOST' })
        return 4
      },
    })
    await resumed.wait()
    const [t] = await store.readTrials(h.id)
    expect(t).toMatchObject({
      status: 'ok',
      score: 4,
      intermediate: [
        { step: 0, value: 5 },
        { step: 1, value: 4 },
      ],
    })
  })

  test('bytes checkpoints come back as bytes', async () => {
    const store = createMemoryStore()
    const seen: unknown[] = []
    const h = await startSession({
      store,
      optimizer: uniform(),
      maxTrials: 1,
      objective: async (_c, ctx) => {
        ctx.report(0, 1)
        await ctx.checkpoint(new Uint8Array([1, 2, 3, 255]))
        return never.then(() => 1)
      },
    })
    await until(async () => (await store.loadTrialProgress(h.id, 0)) !== null, 'the checkpoint')
    await store.releaseLease(h.id, h.head().lease as never)
    const resumed = await resumeSession(sameStore(store), h.id, {
      optimizer: uniform(),
      owner: 'second',
      objective: (_c, ctx) => (seen.push(ctx.restored, ctx.intermediate.slice()), 1),
    })
    await resumed.wait()
    expect(seen).toEqual([new Uint8Array([1, 2, 3, 255]), [{ step: 0, value: 1 }]])
  })
})
