import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { askTell, createMemoryStore, InvalidInputError, resumeSession, startSession, warmStartKeys, type TrialView } from '../src/index.js'
import { decodeHead, encodeHead } from '../src/store-kit.js'
import { ParetoSeeds } from '../src/session/pareto-seeds.js'
import { multi, twoObjectives, type SeenAsk } from './helpers/objectives.js'
import { uniform } from './helpers/optimizers.js'

const linear = (c: { x: number }): number => c.x

describe('warm start and the session objectives', () => {
  test('reuseFinal never returns a finished run of the other direction: its trials seed the new run instead', async () => {
    const store = createMemoryStore()
    const warm = createMemoryStore()
    const common = { store, optimizer: uniform(), objective: linear, maxTrials: 6, job: 'flip' }
    const up = await (await startSession({ ...common, direction: 'maximize', seed: 1, warmStart: { store: warm } })).wait()
    const same = await startSession({ ...common, direction: 'maximize', seed: 3, warmStart: { store: warm, reuseFinal: true } })
    expect((await same.wait()).terminalReason).toBe('warm-start-final')
    const down = await startSession({ ...common, direction: 'minimize', seed: 2, warmStart: { store: warm, reuseFinal: true } })
    const result = await down.wait()
    expect(result.terminalReason).toBe('max-trials')
    expect(down.head().warmStart).toMatchObject({ source: 'exact', seededTrials: 6 })
    // its best is the lowest of its own trials, not the other run's maximum
    const own = (await store.readTrials(down.id)).map((t) => t.score as number)
    expect(result.bestScore).toBe(Math.min(...own))
    expect(result.bestScore).not.toBe(up.bestScore)
  })

  test('a multi-objective session saves its Pareto front with values, and the next one is seeded with it', async () => {
    const store = createMemoryStore()
    const warm = createMemoryStore()
    const directions = ['minimize', 'minimize'] as const
    const first = await startSession({
      store,
      optimizer: multi(),
      objective: twoObjectives,
      directions: [...directions],
      maxTrials: 30,
      seed: 4,
      job: 'mo',
      warmStart: { store: warm },
    })
    const r1 = await first.wait()
    const front = (r1.paretoFront ?? []).map((t) => t.values)
    expect(front.length).toBeGreaterThan(1)

    const keys = warmStartKeys({ optimizerId: 'test/multi-uniform', job: 'mo', objectives: [...directions] })
    expect(first.head().warmStart).toMatchObject({ exactKey: keys.exact, seedKey: keys.seed })
    const saved = await warm.lookup(keys.exact)
    expect(saved?.payload).toMatchObject({ objectives: [...directions] })
    const payload = saved?.payload as { trials: { values: number[] }[] } | undefined
    expect(payload?.trials.map((t) => t.values)).toEqual(front)

    const seen: SeenAsk[] = []
    const second = await startSession({
      store,
      optimizer: multi(seen),
      objective: twoObjectives,
      directions: [...directions],
      maxTrials: 4,
      seed: 5,
      job: 'mo',
      warmStart: { store: warm, maxSeedTrials: 3 },
    })
    await second.pause()
    await second.wait()
    expect(second.head().warmStart).toMatchObject({ source: 'exact', seededTrials: Math.min(3, front.length) })
    const seeds = second.head().seeds ?? []
    for (const s of seeds) expect(front).toContainEqual(s.values)
    // the optimizer's first ask sees the seeds with their values
    expect(seen[0]?.historyValues).toEqual(seeds.map((s) => s.values))

    // the seeds survive the head's encoding, and a resume sees them again
    expect(decodeHead(encodeHead(second.head())).seeds).toEqual(seeds)
    const resumedSeen: SeenAsk[] = []
    await (await resumeSession(store, second.id, { optimizer: multi(resumedSeen), objective: twoObjectives })).wait()
    expect(resumedSeen[0]?.historyValues.slice(0, seeds.length)).toEqual(seeds.map((s) => s.values))
  })

  test('runs with other objectives do not seed each other', async () => {
    const store = createMemoryStore()
    const warm = createMemoryStore()
    const common = { store, optimizer: multi(), maxTrials: 5, job: 'shared-job', warmStart: { store: warm } }
    await (await startSession({ ...common, objective: twoObjectives, directions: ['minimize', 'minimize'] })).wait()
    const flipped = await startSession({ ...common, objective: twoObjectives, directions: ['minimize', 'maximize'] })
    await flipped.wait()
    expect(flipped.head().warmStart?.source).toBe('none')
    const single = await startSession({ ...common, objective: linear })
    await single.wait()
    expect(single.head().warmStart?.source).toBe('none')
  })

  test('reuseFinal with several objectives is refused, naming the field', async () => {
    const start = startSession({
      store: createMemoryStore(),
      optimizer: multi(),
      objective: twoObjectives,
      directions: ['minimize', 'minimize'],
      warmStart: { store: createMemoryStore(), reuseFinal: true },
    })
    await expect(start).rejects.toThrow(InvalidInputError)
    await expect(start).rejects.toThrow(/warmStart\.reuseFinal.*one objective/)
  })
})

describe('ParetoSeeds', () => {
  const view = (trialIdx: number, values: number[], extra: Partial<TrialView> = {}): TrialView => ({
    trialIdx,
    candidate: trialIdx,
    status: 'ok',
    values,
    ...extra,
  })

  test('keeps the non-dominated feasible trials of this session, in trial order', () => {
    const seeds = new ParetoSeeds(10, ['minimize', 'maximize'])
    const history = [
      view(-1, [0, 9], { seeded: true }),
      view(0, [3, 3]),
      view(1, [2, 4]), // dominates 0
      view(2, [5, 8]),
      view(3, [1, 1]),
      view(4, [0, 0], { constraints: [1] }), // infeasible
      view(5, [2, 4]), // equal to 1: kept too
      view(6, [9, 9], { status: 'error' }),
    ]
    seeds.update(history)
    expect(seeds.list().map((t) => t.trialIdx)).toEqual([1, 2, 3, 5])
    history.push(view(7, [1, 2])) // dominates 3 only
    seeds.update(history)
    expect(seeds.list().map((t) => t.trialIdx)).toEqual([1, 2, 5, 7])
  })

  test('past capacity it drops the most crowded trial and keeps both ends of the front', () => {
    const seeds = new ParetoSeeds(3, ['minimize', 'minimize'])
    seeds.update([view(0, [0, 10]), view(1, [10, 0]), view(2, [4.9, 5.1]), view(3, [5, 5]), view(4, [5.1, 4.9])])
    const kept = seeds.list().map((t) => t.trialIdx)
    expect(kept).toHaveLength(3)
    expect(kept).toContain(0)
    expect(kept).toContain(1)
  })
})

describe('seeds of a head written before several-objective seeds', () => {
  test('head-v2-seeded.bin decodes with its score seeds, and a resume hands them to the optimizer', async () => {
    const bytes = new Uint8Array(readFileSync(new URL('./fixtures/head-v2-seeded.bin', import.meta.url)))
    const head = decodeHead(bytes)
    expect(head.warmStart).toMatchObject({ source: 'exact', seededTrials: 3 })
    expect(head.seeds?.map((s) => s.score)).toEqual([0.2338277214186818, 0.44891458133395923, 0.5132114466788618])
    expect(head.seeds?.every((s) => s.values === undefined)).toBe(true)

    const store = createMemoryStore()
    await store.create({ ...head, revision: 0, lease: null })
    const seen: number[][] = []
    const optimizer = askTell<null>({
      id: 'fixture/linear',
      stateVersion: 1,
      init: () => null,
      ask(state, ctx) {
        seen.push(ctx.history.filter((t) => t.seeded).map((t) => t.score as number))
        return { kind: 'candidate', state, candidate: { x: ctx.rng.uniform(0, 1) } }
      },
      encodeState: () => new Uint8Array(),
      decodeState: () => null,
    })
    await (await resumeSession(store, head.sessionId, { optimizer, objective: (c: { x: number }) => c.x, maxTrials: 2 })).wait()
    expect(seen[0]).toEqual(head.seeds?.map((s) => s.score))
  })
})
