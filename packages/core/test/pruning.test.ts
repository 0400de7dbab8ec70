import { describe, expect, test } from 'vitest'
import { corruptHead } from '../src/testing.js'
import {
  createMemoryStore,
  rebuildHead,
  resumeSession,
  type SalvagedSession,
  ResumeMismatchError,
  startSession,
  type ObjectiveContext,
  type Pruner,
} from '../src/index.js'
import { uniform } from './helpers/optimizers.js'
import { EPOCHS, lossAt, medianAtStep, outcomes, trainer } from './helpers/pruning.js'

describe('pruning: report, shouldPrune, prune', () => {
  test('pruned trials are recorded with their curve and last value, counted, never the best; their progress is deleted', async () => {
    const store = createMemoryStore()
    const pruner = medianAtStep()
    const h = await startSession({ store, optimizer: uniform(), objective: trainer(), pruner, seed: 11, maxTrials: 16 })
    const r = await h.wait()
    const trials = await store.readTrials(h.id)
    const pruned = trials.filter((t) => t.status === 'pruned')
    const ok = trials.filter((t) => t.status === 'ok')
    expect(pruned.length).toBeGreaterThan(0)
    expect(ok.length).toBeGreaterThan(2)
    expect(r.progress).toMatchObject({ attempts: 16, completed: ok.length, pruned: pruned.length, errors: 0 })
    for (const t of pruned) {
      const curve = t.intermediate ?? []
      expect(curve.length).toBeGreaterThan(0)
      expect(curve.length).toBeLessThan(EPOCHS)
      expect(t.score).toBe(curve[curve.length - 1]?.value)
      const x = (t.candidate as { x: number }).x
      expect(curve).toEqual(curve.map((_, e) => ({ step: e, value: lossAt(x, e) })))
    }
    for (const t of ok) expect(t.intermediate).toHaveLength(EPOCHS)
    expect(trials[r.bestTrialIdx as number]?.status).toBe('ok')
    expect(r.bestScore).toBe(Math.min(...ok.map((t) => t.score as number)))
    // One trial at a time: each trial's history is every trial before it.
    for (const [trialIdx, length] of pruner.seen) expect(length).toBe(trialIdx)
    expect(h.head().pruner).toEqual({ id: 'test/median-at-step', stateVersion: 1, options: { minTrials: 2 } })
    for (const t of trials) expect(await store.loadTrialProgress(h.id, t.trialIdx)).toBeNull()
  })

  test('with parallelism 4 the history is the first askedAfter trials, and the records are those of another run', async () => {
    const run = async () => {
      const store = createMemoryStore()
      const pruner = medianAtStep()
      const h = await startSession({ store, optimizer: uniform(), objective: trainer(), pruner, seed: 5, maxTrials: 14, parallelism: 4 })
      await h.wait()
      return { trials: outcomes(await store.readTrials(h.id)), seen: pruner.seen }
    }
    const a = await run()
    const b = await run()
    expect(a.trials).toEqual(b.trials)
    expect([...a.seen].sort()).toEqual([...b.seen].sort())
    // Asked with 3 trials still pending before it: trial i sees at most i - 3 trials … and never more than i.
    for (const [trialIdx, length] of a.seen) {
      expect(length).toBeLessThanOrEqual(trialIdx)
      expect(length).toBeGreaterThanOrEqual(Math.max(0, trialIdx - 4))
    }
    expect(a.trials.some((t) => t.status === 'pruned')).toBe(true)
  })

  test('without a pruner shouldPrune() is false and every trial runs to the end; the head records none', async () => {
    const store = createMemoryStore()
    const h = await startSession({ store, optimizer: uniform(), objective: trainer(), seed: 3, maxTrials: 4 })
    const r = await h.wait()
    expect(r.progress).toMatchObject({ completed: 4, errors: 0 })
    expect(r.progress.pruned).toBeUndefined()
    expect(h.head().pruner).toBeUndefined()
    expect(h.head().pending.every((p) => p.askedAfter === undefined)).toBe(true)
    for (const t of await store.readTrials(h.id)) expect(t.intermediate).toHaveLength(EPOCHS)
  })

  test('a pruned trial is told to the optimizer as pruned with its curve', async () => {
    const told: { status: string; intermediate?: readonly unknown[] }[] = []
    const base = uniform()
    const sampler = base.sampler as NonNullable<typeof base.sampler>
    const optimizer = {
      ...base,
      sampler: { ...sampler, tell: (s: { asked: number }, v: (typeof told)[number]) => (told.push(v), s) },
    } as typeof base
    const always: Pruner = { specificationVersion: 'v1', id: 'test/always', stateVersion: 1, shouldPrune: () => true }
    const h = await startSession({ optimizer, objective: trainer(), pruner: always, maxTrials: 2 })
    await h.wait()
    expect(told).toHaveLength(2)
    expect(told[0]).toMatchObject({ status: 'pruned', intermediate: [{ step: 0 }] })
  })
})

describe('pruning: bad input makes the trial an error', () => {
  const cases: [string, (ctx: ObjectiveContext) => unknown, RegExp][] = [
    ['a non-finite report', (ctx) => ctx.report(0, Number.NaN), /value must be a finite number/],
    ['an infinite report', (ctx) => ctx.report(0, Number.POSITIVE_INFINITY), /value must be a finite number/],
    ['a step that goes backwards', (ctx) => (ctx.report(3, 1), ctx.report(2, 1)), /steps must increase/],
    ['a repeated step', (ctx) => (ctx.report(3, 1), ctx.report(3, 1)), /steps must increase/],
    ['a non-integer step', (ctx) => ctx.report(1.5, 1), /step must be a non-negative integer/],
    ['a negative step', (ctx) => ctx.report(-1, 1), /step must be a non-negative integer/],
    ['prune() before any report', (ctx) => ctx.prune(), /reported no intermediate value/],
    ['prune() twice', (ctx) => (ctx.report(0, 1), ctx.prune(), ctx.prune()), /prune\(\) was called twice/],
  ]
  for (const [what, misuse, message] of cases) {
    test(`${what}: InvalidInputError, even when the objective catches it`, async () => {
      const store = createMemoryStore()
      let thrown: unknown
      const h = await startSession({
        store,
        optimizer: uniform(),
        maxTrials: 1,
        objective: (_c, ctx) => {
          try {
            misuse(ctx)
          } catch (err) {
            thrown = err
          }
          return 1
        },
      })
      await h.wait()
      expect(thrown).toMatchObject({ code: 'INVALID_INPUT' })
      const [t] = await store.readTrials(h.id)
      expect(t).toMatchObject({ status: 'error', errorClass: 'invalid-input', error: { name: 'InvalidInputError' } })
      expect(t?.error?.message).toMatch(message)
    })
  }

  test('a checkpoint that is neither JSON nor bytes is refused and the trial is an error', async () => {
    const store = createMemoryStore()
    const h = await startSession({
      store,
      optimizer: uniform(),
      maxTrials: 2,
      objective: async (_c, ctx) => {
        ctx.report(0, 1)
        await ctx.checkpoint((ctx.trialIdx === 0 ? { f: () => 1 } : { n: Number.NaN }) as never)
        return 1
      },
    })
    await h.wait()
    const trials = await store.readTrials(h.id)
    for (const t of trials) {
      expect(t).toMatchObject({ status: 'error', errorClass: 'invalid-input', intermediate: [{ step: 0, value: 1 }] })
      expect(t.error?.message).toMatch(/ctx\.checkpoint takes JSON or a Uint8Array/)
    }
  })

  test('returning the pruned marker of another trial is an error', async () => {
    const store = createMemoryStore()
    let first: unknown
    const always: Pruner = { specificationVersion: 'v1', id: 'test/always', stateVersion: 1, shouldPrune: () => true }
    const h = await startSession({
      store,
      optimizer: uniform(),
      pruner: always,
      maxTrials: 2,
      objective: (_c, ctx) => {
        ctx.report(0, 1)
        if (ctx.trialIdx === 0) return (first = ctx.prune()) as never
        return first as never
      },
    })
    await h.wait()
    const [a, b] = await store.readTrials(h.id)
    expect(a?.status).toBe('pruned')
    expect(b).toMatchObject({ status: 'error', errorClass: 'invalid-input' })
    expect(b?.error?.message).toMatch(/pruned marker of trial 0/)
  })

  test('checkpoint on a store without trialProgress names the stores that have it', async () => {
    const inner = createMemoryStore()
    const store = new Proxy(inner, {
      get(target, prop) {
        if (prop === 'capabilities') return { ...target.capabilities, trialProgress: false }
        const value = Reflect.get(target, prop, target) as unknown
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    const h = await startSession({
      store,
      optimizer: uniform(),
      maxTrials: 1,
      objective: async (_c, ctx) => {
        await ctx.checkpoint({ epoch: 1 })
        return 1
      },
    })
    await h.wait()
    const [t] = await inner.readTrials(h.id)
    expect(t).toMatchObject({ status: 'error', errorClass: 'invalid-input' })
    expect(t?.error?.message).toMatch(/capabilities\.trialProgress.*@cairn\/store-fs/)
  })

  test('a pruner that is not one is refused up front', async () => {
    const bad = [
      [{ shouldPrune: () => false }, /pruner\.specificationVersion/],
      [{ specificationVersion: 'v1', id: '', stateVersion: 1, shouldPrune: () => false }, /pruner\.id/],
      [{ specificationVersion: 'v1', id: 'p', stateVersion: -1, shouldPrune: () => false }, /pruner\.stateVersion/],
      [{ specificationVersion: 'v1', id: 'p', stateVersion: 1 }, /must be a Pruner/],
      [{ specificationVersion: 'v1', id: 'p', stateVersion: 1, options: { f: () => 1 }, shouldPrune: () => false }, /pruner\.options/],
      ['median', /must be a Pruner/],
    ] as const
    for (const [pruner, message] of bad) {
      await expect(startSession({ optimizer: uniform(), objective: () => 1, pruner: pruner as never })).rejects.toThrow(message)
    }
  })
})

describe('pruning: resume', () => {
  test('resume with a changed, added or removed pruner is refused (reason pruner), the same one is accepted', async () => {
    const store = createMemoryStore()
    const h = await startSession({ store, optimizer: uniform(), objective: trainer(), pruner: medianAtStep(2), maxTrials: 6, seed: 1 })
    await h.pause()
    const plain = await startSession({ store, optimizer: uniform(), objective: trainer(), maxTrials: 6, seed: 1 })
    await plain.pause()
    const attempts: [string, Pruner | undefined, RegExp][] = [
      [h.id, medianAtStep(3), /minTrials/],
      [h.id, undefined, /pruner/],
      [h.id, { ...medianAtStep(2), stateVersion: 2 }, /stateVersion/],
      [plain.id, medianAtStep(2), /started without a pruner/],
    ]
    for (const [id, pruner, message] of attempts) {
      const err = await resumeSession(store, id, { optimizer: uniform(), objective: trainer(), ...(pruner ? { pruner } : {}) }).catch(
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(ResumeMismatchError)
      expect(err).toMatchObject({ reason: 'pruner' })
      expect(String((err as Error).message)).toMatch(message)
    }
    const again = await resumeSession(store, h.id, { optimizer: uniform(), objective: trainer(), pruner: medianAtStep(2) })
    const r = await again.wait()
    expect(r.status).toBe('completed')
    expect(r.progress.attempts).toBe(6)
  })
})

describe('pruning: a rebuilt head', () => {
  test('rebuildHead counts pruned trials and records the pruner it is given; the session resumes with it', async () => {
    const store = createMemoryStore()
    const h = await startSession({ store, optimizer: uniform(), objective: trainer(), pruner: medianAtStep(), seed: 11, maxTrials: 10 })
    await h.wait()
    // As if its driver died mid-run: back to running, then damaged.
    const done = await store.load(h.id)
    const held = await store.acquireLease(h.id, 'x', 60_000)
    await store.commit(h.id, {
      expectedRevision: done.revision,
      fencingToken: held.fencingToken,
      head: { ...done, status: 'running' },
      trials: [],
    })
    await store.releaseLease(h.id, held)
    const pruned = (await store.readTrials(h.id)).filter((t) => t.status === 'pruned').length
    expect(pruned).toBeGreaterThan(0)
    await corruptHead(store, h.id, new TextEncoder().encode('not a head'))
    const salvaged = (await store.salvage(h.id)) as SalvagedSession
    const without = await rebuildHead(salvaged, { optimizer: uniform(), maxTrials: 12, now: 1 })
    expect(without.lost.join('; ')).toMatch(/the pruner \(none given, and the log has pruned trials\)/)
    const { head } = await rebuildHead(salvaged, { optimizer: uniform(), maxTrials: 12, pruner: medianAtStep(), now: 1 })
    expect(head.progress.pruned).toBe(pruned)
    expect(head.pruner).toEqual({ id: 'test/median-at-step', stateVersion: 1, options: { minTrials: 2 } })
    const lease = await store.acquireLease(h.id, 'rebuilder', 60_000)
    await store.replaceDamagedHead(h.id, { damage: salvaged.damage, fencingToken: lease.fencingToken, head })
    await store.releaseLease(h.id, lease)
    const resumed = await resumeSession(store, h.id, { optimizer: uniform(), objective: trainer(), pruner: medianAtStep() })
    expect((await resumed.wait()).progress.attempts).toBe(12)
  })
})
