import { describe, expect, test } from 'vitest'
import {
  compile,
  createMemoryStore,
  dominates,
  joinSession,
  rebuildHead,
  type SalvagedSession,
  InvalidInputError,
  paretoFront,
  resumeSession,
  ResumeMismatchError,
  startSession,
  violation,
  type Direction,
  type TrialRecord,
  type TrialView,
} from '../src/index.js'
import { corruptHead } from '../src/testing.js'
import { BestTrials } from '../src/session/best-trials.js'
import { lcg, multi, twoObjectives, type SeenAsk } from './helpers/objectives.js'
import { sphere, stepper, uniform } from './helpers/optimizers.js'

/** The front by definition: feasible (else least-violating) ok trials no other such trial dominates. */
function bruteForceFront(trials: readonly TrialRecord[], directions: readonly Direction[]): number[] {
  const scored = trials.filter((t) => t.status === 'ok' && t.values?.length === directions.length)
  if (scored.length === 0) return []
  const least = Math.min(...scored.map((t) => violation(t.constraints)))
  const pool = scored.filter((t) => violation(t.constraints) === least)
  const better = (a: readonly number[], b: readonly number[]): boolean =>
    directions.every((d, i) => (d === 'minimize' ? (a[i] as number) <= (b[i] as number) : (a[i] as number) >= (b[i] as number))) &&
    directions.some((d, i) => (d === 'minimize' ? (a[i] as number) < (b[i] as number) : (a[i] as number) > (b[i] as number)))
  return pool.filter((t) => !pool.some((o) => better(o.values as number[], t.values as number[]))).map((t) => t.trialIdx)
}

function randomTrials(seed: number, n: number, objectives: number, constrained: boolean): TrialRecord[] {
  const rand = lcg(seed)
  return Array.from({ length: n }, (_, trialIdx) => {
    const t: TrialRecord = { trialIdx, candidate: null, status: rand() < 0.1 ? 'error' : 'ok', durationMs: 0 }
    // Coarse values so ties and duplicates happen.
    if (t.status === 'ok') t.values = Array.from({ length: objectives }, () => Math.round(rand() * 8))
    if (constrained) t.constraints = [Math.round(rand() * 4) - 3, Math.round(rand() * 4) - 3]
    return t
  })
}

describe('paretoFront and dominates', () => {
  test('dominates: no worse everywhere and better somewhere, per direction', () => {
    expect(dominates([1, 5], [2, 5], ['minimize', 'maximize'])).toBe(true)
    expect(dominates([1, 5], [1, 5], ['minimize', 'maximize'])).toBe(false)
    expect(dominates([1, 4], [2, 5], ['minimize', 'maximize'])).toBe(false)
    expect(dominates([2, 6], [1, 5], ['maximize', 'maximize'])).toBe(true)
    expect(dominates([1], [2, 3], ['minimize', 'minimize'])).toBe(false)
  })

  test('equals a brute-force front on random trial logs (2 and 3 objectives, mixed directions, constraints)', () => {
    const cases: [number, Direction[], boolean][] = [
      [2, ['minimize', 'minimize'], false],
      [2, ['minimize', 'maximize'], true],
      [3, ['maximize', 'minimize', 'maximize'], false],
      [3, ['minimize', 'minimize', 'minimize'], true],
    ]
    for (let seed = 1; seed <= 25; seed++) {
      for (const [objectives, directions, constrained] of cases) {
        const trials = randomTrials(seed * 31 + objectives, 60, objectives, constrained)
        const front = paretoFront(trials, directions).map((t) => t.trialIdx)
        expect(front).toEqual(bruteForceFront(trials, directions))
        expect(front.length).toBeGreaterThan(0)
      }
    }
  })

  test('an all-infeasible log: the front is among the least-violating trials', () => {
    const trials: TrialRecord[] = [
      { trialIdx: 0, candidate: null, status: 'ok', durationMs: 0, values: [0, 0], constraints: [3] },
      { trialIdx: 1, candidate: null, status: 'ok', durationMs: 0, values: [5, 5], constraints: [1] },
      { trialIdx: 2, candidate: null, status: 'ok', durationMs: 0, values: [6, 4], constraints: [1, -2] },
      { trialIdx: 3, candidate: null, status: 'ok', durationMs: 0, values: [7, 7], constraints: [1] },
    ]
    expect(paretoFront(trials, ['minimize', 'minimize']).map((t) => t.trialIdx)).toEqual([1, 2])
  })
})

describe('multi-objective sessions', () => {
  test('end to end on the memory store: values recorded, the optimizer sees directions and values, the result is the front', async () => {
    const store = createMemoryStore()
    const seen: SeenAsk[] = []
    const directions: Direction[] = ['minimize', 'minimize']
    const h = await startSession({ store, optimizer: multi(seen), directions, objective: twoObjectives, maxTrials: 30, seed: 4 })
    const result = await h.wait()
    expect(result.status).toBe('completed')
    expect(result.bestScore).toBeNull()
    expect(result.bestTrialIdx).toBeNull()
    const trials = await store.readTrials(h.id)
    expect(trials.every((t) => t.status === 'ok' && t.score === undefined && t.values?.length === 2)).toBe(true)
    expect(result.paretoFront?.map((p) => p.trialIdx)).toEqual(bruteForceFront(trials, directions))
    for (const p of result.paretoFront ?? []) expect(p.values).toEqual(trials[p.trialIdx]?.values)
    expect((await store.load(h.id)).directions).toEqual(directions)
    expect(seen.every((s) => s.directions?.join() === 'minimize,minimize')).toBe(true)
    const last = seen[seen.length - 1] as SeenAsk
    expect(last.historyValues.slice(0, 3)).toEqual(trials.slice(0, 3).map((t) => t.values))
  })

  test('a number, or an array of another length, is an invalid-score error trial', async () => {
    const store = createMemoryStore()
    const h = await startSession({
      store,
      optimizer: multi(),
      directions: ['minimize', 'maximize'],
      maxTrials: 3,
      maxErrors: 5,
      seed: 1,
      objective: (c: { x: number }, ctx) => (ctx.trialIdx === 0 ? sphere(c) : ctx.trialIdx === 1 ? [1, 2, 3] : { score: [1, Number.NaN] }),
    })
    await h.wait()
    const trials = await store.readTrials(h.id)
    expect(trials.map((t) => t.errorClass)).toEqual(['invalid-score', 'invalid-score', 'invalid-score'])
    expect(trials[1]?.error?.message).toMatch(/array of 2 finite numbers/)
  })

  test('refuses an optimizer without capabilities.multiObjective, and disagreeing direction and directions', async () => {
    const err = await startSession({ optimizer: uniform(), directions: ['minimize', 'maximize'], objective: twoObjectives }).catch((e) => e)
    expect(err).toBeInstanceOf(InvalidInputError)
    expect(err.message).toMatch(/test\/uniform.*capabilities\.multiObjective/)
    const mixed = await startSession({
      optimizer: multi(),
      direction: 'maximize',
      directions: ['minimize', 'maximize'],
      objective: twoObjectives,
    }).catch((e) => e)
    expect(mixed).toBeInstanceOf(InvalidInputError)
    expect(mixed.field).toBe('directions')
    const bad = await startSession({ optimizer: multi(), directions: ['down'] as never, objective: twoObjectives }).catch((e) => e)
    expect(bad).toBeInstanceOf(InvalidInputError)
  })

  test('one direction in directions is a single-objective session', async () => {
    const r = await (
      await startSession({ optimizer: uniform(), directions: ['maximize'], objective: sphere, maxTrials: 4, seed: 2 })
    ).wait()
    expect(r.bestScore).not.toBeNull()
    expect(r.paretoFront).toBeUndefined()
  })

  test('resume: other directions are refused (reason directions); the same ones continue to the front', async () => {
    const store = createMemoryStore()
    const directions: Direction[] = ['minimize', 'maximize']
    const h = await startSession({
      store,
      optimizer: multi(),
      directions,
      maxTrials: 6,
      seed: 9,
      objective: (c: { x: number }, ctx) => {
        if (ctx.trialIdx === 2) void h.pause()
        return twoObjectives(c)
      },
    })
    expect((await h.wait()).status).toBe('paused')
    const other = await resumeSession(store, h.id, {
      optimizer: multi(),
      directions: ['minimize', 'minimize'],
      objective: twoObjectives,
    }).catch((e) => e)
    expect(other).toBeInstanceOf(ResumeMismatchError)
    expect(other.reason).toBe('directions')
    const resumed = await resumeSession(store, h.id, { optimizer: multi(), directions, objective: twoObjectives })
    const result = await resumed.wait()
    expect(result.status).toBe('completed')
    const trials = await store.readTrials(h.id)
    expect(trials).toHaveLength(6)
    expect(result.paretoFront?.map((p) => p.trialIdx)).toEqual(bruteForceFront(trials, directions))
  })
})

describe('constraints', () => {
  test('the best is feasible first, then least violation, then score; bestViolation follows it', async () => {
    const store = createMemoryStore()
    // Trials 0–2 infeasible (violations 5, 2, 2: the lower score wins the tie), then feasible ones scoring worse.
    const plan = [
      { score: 0, constraints: [5, -1] },
      { score: 3, constraints: [2] },
      { score: 1, constraints: [1, 1] },
      { score: 9, constraints: [0, -4] },
      { score: 7 },
      { score: 8, constraints: [-1] },
    ]
    const bests: [number | null, number | undefined][] = []
    const h = await startSession({
      store,
      optimizer: uniform(),
      maxTrials: plan.length,
      seed: 1,
      objective: (_c, ctx) => plan[ctx.trialIdx] as { score: number },
    })
    for await (const e of h.events()) if (e.type === 'checkpoint') bests.push([e.progress.bestTrialIdx, e.progress.bestViolation])
    const result = await h.wait()
    expect(bests).toEqual([
      [0, 5],
      [1, 2],
      [2, 2],
      [3, 0],
      [4, 0],
      [4, 0],
    ])
    expect(result.bestScore).toBe(7)
    const trials = await store.readTrials(h.id)
    expect(trials[0]?.constraints).toEqual([5, -1])
    expect(trials[4]?.constraints).toBeUndefined()
  })

  test('sessions whose trials report no constraints have no bestViolation; malformed constraints are invalid-score', async () => {
    const r = await (await startSession({ optimizer: uniform(), objective: sphere, maxTrials: 3, seed: 1 })).wait()
    expect(r.progress.bestViolation).toBeUndefined()
    const store = createMemoryStore()
    const h = await startSession({
      store,
      optimizer: uniform(),
      maxTrials: 1,
      seed: 1,
      objective: () => ({ score: 1, constraints: [Number.NaN] }),
    })
    await h.wait()
    expect((await store.readTrials(h.id))[0]?.errorClass).toBe('invalid-score')
  })
})

describe('trial attributes', () => {
  test('ctx.setAttr and returned attrs merge (returned wins) and are stored; bad input throws', async () => {
    const store = createMemoryStore()
    const thrown: string[] = []
    const h = await startSession({
      store,
      optimizer: uniform(),
      maxTrials: 2,
      seed: 1,
      objective: (c: { x: number }, ctx) => {
        const tags = ['a']
        ctx.setAttr('tags', tags)
        tags.push('changed later')
        ctx.setAttr('source', 'set')
        for (const bad of [() => ctx.setAttr('', 1), () => ctx.setAttr('f', (() => 1) as never)]) {
          try {
            bad()
          } catch (err) {
            thrown.push((err as InvalidInputError).field ?? '')
          }
        }
        if (ctx.trialIdx === 1) throw new Error('boom')
        return { score: sphere(c), attrs: { source: 'returned', epochs: 3 } }
      },
    })
    await h.wait()
    const trials = await store.readTrials(h.id)
    expect(trials[0]?.attrs).toEqual({ tags: ['a'], source: 'returned', epochs: 3 })
    expect(trials[1]?.status).toBe('error')
    expect(trials[1]?.attrs).toEqual({ tags: ['a'], source: 'set' })
    expect(thrown).toEqual(['setAttr.key', 'setAttr.value', 'setAttr.key', 'setAttr.value'])
  })
})

describe('retryFailed', () => {
  /** An objective that fails its first `failures` runs of every trial. */
  function flaky(failures: number, runs: Map<number, number>) {
    return (c: { x: number }, ctx: { trialIdx: number }) => {
      const n = (runs.get(ctx.trialIdx) ?? 0) + 1
      runs.set(ctx.trialIdx, n)
      if (n <= failures) throw new Error(`flaky run ${n}`)
      return sphere(c)
    }
  }

  test('a failed trial runs again with the same candidate up to n times; retries is recorded; the limit is kept', async () => {
    const store = createMemoryStore()
    const runs = new Map<number, number>()
    const h = await startSession({ store, optimizer: uniform(), objective: flaky(2, runs), maxTrials: 4, retryFailed: 2, seed: 3 })
    const result = await h.wait()
    expect(result.progress.completed).toBe(4)
    expect(result.progress.errors).toBe(0)
    const trials = await store.readTrials(h.id)
    expect(trials.map((t) => t.retries)).toEqual([2, 2, 2, 2])
    expect([...runs.values()]).toEqual([3, 3, 3, 3])
    expect((await store.load(h.id)).limits.retryFailed).toBe(2)
    // The candidates are those of a run without failures (the same trial index, the same draw).
    const plain = createMemoryStore()
    const p = await startSession({ store: plain, optimizer: uniform(), objective: sphere, maxTrials: 4, seed: 3 })
    await p.wait()
    expect(trials.map((t) => t.candidate)).toEqual((await plain.readTrials(p.id)).map((t) => t.candidate))
  })

  test('past the limit the trial is an error carrying its retries; invalid scores are never retried', async () => {
    const store = createMemoryStore()
    const runs = new Map<number, number>()
    const h = await startSession({ store, optimizer: uniform(), objective: flaky(5, runs), maxTrials: 2, retryFailed: 1, seed: 3 })
    await h.wait()
    const trials = await store.readTrials(h.id)
    expect(trials.map((t) => [t.status, t.retries])).toEqual([
      ['error', 1],
      ['error', 1],
    ])
    let calls = 0
    const s2 = createMemoryStore()
    const h2 = await startSession({
      store: s2,
      optimizer: uniform(),
      maxTrials: 1,
      retryFailed: 3,
      seed: 3,
      objective: () => {
        calls++
        return Number.NaN
      },
    })
    await h2.wait()
    expect(calls).toBe(1)
    expect((await s2.readTrials(h2.id))[0]?.retries).toBeUndefined()
  })

  test('a timed-out run is retried; a step-based optimizer retries through ctx.evaluate', async () => {
    const store = createMemoryStore()
    const runs = new Map<number, number>()
    const h = await startSession({
      store,
      optimizer: uniform(),
      maxTrials: 2,
      retryFailed: 1,
      trialTimeoutMs: 20,
      seed: 1,
      objective: async (c: { x: number }, ctx) => {
        const n = (runs.get(ctx.trialIdx) ?? 0) + 1
        runs.set(ctx.trialIdx, n)
        // The first run of each trial never ends by itself: the trial timeout aborts it.
        if (n === 1) await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)))
        return sphere(c)
      },
    })
    await h.wait()
    expect((await store.readTrials(h.id)).map((t) => [t.status, t.retries])).toEqual([
      ['ok', 1],
      ['ok', 1],
    ])
    const stepRuns = new Map<number, number>()
    const s2 = createMemoryStore()
    const h2 = await startSession({ store: s2, optimizer: stepper(), objective: flaky(1, stepRuns), maxTrials: 3, retryFailed: 1, seed: 4 })
    expect((await h2.wait()).progress.errors).toBe(0)
    expect((await s2.readTrials(h2.id)).map((t) => t.retries)).toEqual([1, 1, 1])
  })

  test('a resume keeps retryFailed unless given', async () => {
    const store = createMemoryStore()
    const runs = new Map<number, number>()
    const h = await startSession({
      store,
      optimizer: uniform(),
      maxTrials: 4,
      retryFailed: 1,
      seed: 5,
      objective: (c: { x: number }, ctx) => {
        if (ctx.trialIdx === 1) void h.pause()
        return sphere(c)
      },
    })
    expect((await h.wait()).status).toBe('paused')
    const r = await resumeSession(store, h.id, { optimizer: uniform(), objective: flaky(1, runs) })
    await r.wait()
    const trials = await store.readTrials(h.id)
    expect(trials.slice(2).map((t) => [t.status, t.retries])).toEqual([
      ['ok', 1],
      ['ok', 1],
    ])
  })
})

describe('several objectives with shared workers, and a rebuilt head', () => {
  test('workers evaluate values and retry failures as a local run does (the same candidates, values, retries)', async () => {
    const run = async (evaluation: 'local' | 'shared') => {
      const store = createMemoryStore()
      const runs = new Map<number, number>()
      const objective = (c: { x: number }, ctx: { trialIdx: number }) => {
        const n = (runs.get(ctx.trialIdx) ?? 0) + 1
        runs.set(ctx.trialIdx, n)
        if (ctx.trialIdx % 3 === 0 && n === 1) throw new Error('flaky')
        return { score: twoObjectives(c), constraints: [c.x] }
      }
      const h = await startSession({
        store,
        sessionId: `mo-${evaluation}`,
        optimizer: multi(),
        directions: ['minimize', 'maximize'],
        objective,
        // Shared: the coordinator evaluates nothing, the worker below evaluates every trial.
        ...(evaluation === 'shared' ? { evaluation, evaluateLocally: false, pollIntervalMs: 1 } : {}),
        parallelism: 2,
        retryFailed: 1,
        maxTrials: 9,
        seed: 11,
      })
      const worker = evaluation === 'shared' ? await joinSession(store, h.id, { objective, pollIntervalMs: 1 }) : null
      const result = await h.wait()
      await worker?.wait()
      return { result, trials: await store.readTrials(h.id) }
    }
    const local = await run('local')
    const shared = await run('shared')
    const strip = (ts: readonly TrialRecord[]) => ts.map((t) => [t.candidate, t.values, t.constraints, t.retries])
    expect(strip(shared.trials)).toEqual(strip(local.trials))
    expect(shared.trials.filter((t) => t.retries === 1).map((t) => t.trialIdx)).toEqual([0, 3, 6])
    expect(shared.result.paretoFront).toEqual(local.result.paretoFront)
  })

  test('rebuildHead needs the directions of a session whose trials hold values, and keeps them', async () => {
    const store = createMemoryStore()
    await compile({
      store,
      sessionId: 'mo',
      optimizer: multi(),
      directions: ['minimize', 'maximize'],
      objective: twoObjectives,
      maxTrials: 5,
      seed: 2,
    })
    await corruptHead(store, 'mo', new TextEncoder().encode('not a head'))
    const salvaged = (await store.salvage('mo')) as SalvagedSession
    const err = await rebuildHead(salvaged, { optimizer: multi(), maxTrials: 5 }).catch((e) => e)
    expect(err).toBeInstanceOf(InvalidInputError)
    expect(err.field).toBe('directions')
    const { head } = await rebuildHead(salvaged, { optimizer: multi(), maxTrials: 5, directions: ['minimize', 'maximize'] })
    expect(head.directions).toEqual(['minimize', 'maximize'])
    expect(head.progress.completed).toBe(5)
    expect(head.progress.bestScore).toBeNull()
  })

  test('a program session cannot have several objectives', async () => {
    const err = await startSession({
      optimizer: multi(),
      directions: ['maximize', 'minimize'],
      program: () => 'out',
      trainset: [1],
      metric: () => 1,
    }).catch((e) => e)
    expect(err).toBeInstanceOf(InvalidInputError)
    expect(err.message).toMatch(/program session scores one metric/)
  })
})

describe('warm start of a constrained session', () => {
  test('infeasible trials are never kept as seeds, however good their score', () => {
    const best = new BestTrials(2, 'minimize')
    const views: TrialView[] = [
      { trialIdx: 0, candidate: 0, status: 'ok', score: -100, constraints: [1] },
      { trialIdx: 1, candidate: 1, status: 'ok', score: 3, constraints: [-1] },
      { trialIdx: 2, candidate: 2, status: 'ok', score: 2 },
      { trialIdx: 3, candidate: 3, status: 'ok', score: -50, constraints: [0, 0.5] },
    ]
    best.update(views)
    expect(best.list().map((t) => t.trialIdx)).toEqual([2, 1])
  })
})
