import {
  CheckpointCorruptError,
  InvalidInputError,
  Rng,
  UnknownOptionError,
  compile,
  createMemoryStore,
  type EvaluateOptions,
  type Evaluation,
  type Json,
  type Metric,
  type Program,
  type StepContext,
} from '@cairn/core'
import { describe, expect, test } from 'vitest'
import { fewShotSearch, type FewShotConfig, type FewShotState } from '../../src/index.js'
import { coversAllTopics, metric, program, trainset, type Example } from './fixture.js'

interface Call {
  config: FewShotConfig
  example: number
}

/**
 * A StepContext whose `evaluate` runs program × examples × metric; records every program call
 * (bootstrapping calls the program directly) and every evaluation (the example ids it ran on).
 */
function fakeContext(overrides: Partial<StepContext> = {}, seed = 1) {
  const calls: Call[] = []
  const evaluations: { candidate: FewShotConfig; examples: number[] }[] = []
  const run = (async (config, example: Example, ctx) => {
    calls.push({ config: config as unknown as FewShotConfig, example: example.id })
    return program(config, example, ctx)
  }) as Program<Example, number>
  const ctx: StepContext = {
    trialIdx: 0,
    rng: Rng.fromSeed(seed),
    history: [],
    direction: 'maximize',
    trainset,
    program: run as unknown as Program,
    metric: metric as unknown as Metric,
    parallelism: 1,
    signal: new AbortController().signal,
    async evaluate(candidate: Json, options?: EvaluateOptions): Promise<Evaluation> {
      const examples = (options?.examples ?? ctx.valset ?? trainset) as readonly Example[]
      evaluations.push({ candidate: candidate as unknown as FewShotConfig, examples: examples.map((e) => e.id) })
      let total = 0
      for (const ex of examples)
        total += await metric(ex, await (ctx.program as Program<Example, number>)(candidate, ex, { signal: ctx.signal }))
      return { status: 'ok', score: total / examples.length, durationMs: 0 }
    },
    ...overrides,
  }
  return { ctx, calls, evaluations }
}

const init = (o: ReturnType<typeof fewShotSearch>, valset?: readonly Example[]) =>
  o.init({ seed: 1, rng: Rng.fromSeed(1), direction: 'maximize', trainset, ...(valset ? { valset } : {}), history: [] }) as FewShotState

async function stepTimes(o: ReturnType<typeof fewShotSearch>, ctx: StepContext, rounds: number, state = init(o)) {
  for (let i = 0; i < rounds; i++) {
    const r = await o.step(state, { ...ctx, trialIdx: i })
    if (r.kind !== 'continue') throw new Error('halted')
    state = r.state
  }
  return state
}

/** Held-out examples of the fixture's task (ids past the trainset's). */
const valset: readonly Example[] = Array.from({ length: 6 }, (_, k) => ({ id: 100 + k, topic: k % 4, good: false }))

describe('fewShotSearch: options', () => {
  test('id, state version and options as JSON', () => {
    const o = fewShotSearch()
    expect(o.id).toBe('@cairn/optimizers/few-shot')
    expect(o.stateVersion).toBe(2)
    expect(o.sampler).toBeUndefined()
    expect(o.options).toEqual({
      maxBootstrappedDemos: 4,
      maxLabeledDemos: 16,
      maxRounds: 1,
      bootstrapPoolSize: 16,
      minibatchSize: 8,
      candidatesPerRound: 4,
      exploreProb: 0.3,
      rescoreEvery: 5,
      instructions: [],
    })
    // A teacher is recorded (as true: a function is no JSON), so a resume without one is refused.
    expect(fewShotSearch({ teacher: program, metricThreshold: 1 }).options).toMatchObject({ teacher: true, metricThreshold: 1 })
  })

  test('bad options are refused, naming the option', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ maxBootstrappedDemos: -1 }, /maxBootstrappedDemos must be an integer in \[0, 1000\]/],
      [{ maxLabeledDemos: 1.5 }, /maxLabeledDemos/],
      [{ maxBootstrappedDemos: 0, maxLabeledDemos: 0 }, /nothing to search/],
      [{ maxRounds: 0 }, /maxRounds must be an integer in \[1, 10\]/],
      [{ maxRounds: 30 }, /bootstrapping passes .* set the session's maxTrials/],
      [{ maxBootstrappedDemos: 4, bootstrapPoolSize: 3 }, /bootstrapPoolSize must be an integer ≥ 4/],
      [{ teacher: 'gpt' }, /teacher must be a program/],
      [{ metricThreshold: Number.NaN }, /metricThreshold/],
      [{ minibatchSize: 0 }, /minibatchSize/],
      [{ instructions: 'x' }, /instructions must be an array of strings/],
      [{ instructions: ['a', 'a'] }, /distinct strings/],
    ]
    for (const [bad, message] of cases) {
      expect(() => fewShotSearch(bad as never), JSON.stringify(bad)).toThrow(InvalidInputError)
      expect(() => fewShotSearch(bad as never), JSON.stringify(bad)).toThrow(message)
    }
    // Instructions alone are something to search.
    expect(fewShotSearch({ maxBootstrappedDemos: 0, maxLabeledDemos: 0, instructions: ['a', 'b'] }).id).toBe('@cairn/optimizers/few-shot')
    // Options of the previous release are refused, not ignored.
    expect(() => fewShotSearch({ maxDemos: 4 } as never)).toThrow(UnknownOptionError)
  })
})

describe('fewShotSearch: rounds', () => {
  test('round 0 scores the zero-shot configuration on the whole trainset', async () => {
    const o = fewShotSearch()
    const { ctx, evaluations } = fakeContext()
    const r0 = await o.step(init(o), ctx)
    if (r0.kind !== 'continue') throw new Error('halted')
    expect(evaluations).toEqual([{ candidate: { demos: [] }, examples: trainset.map((e) => e.id) }])
    expect(r0.trial.candidate).toEqual({ demos: [] })
    expect(r0.trial.evaluation.stats).toMatchObject({ round: 0, scoredOn: 'trainset-minus-demos' })
    expect(r0.state).toMatchObject({ round: 1, pool: null, incumbent: { demos: [], bootstrapped: 0, score: 0, count: 1 } })
  })

  test('round 1 bootstraps: teacher traces that pass the metric become demonstrations, shown with their output', async () => {
    const o = fewShotSearch({ maxBootstrappedDemos: 3, maxLabeledDemos: 5 })
    const { ctx, calls, evaluations } = fakeContext()
    const s1 = await stepTimes(o, ctx, 1)
    calls.length = 0
    evaluations.length = 0
    const r1 = await o.step(s1, { ...ctx, trialIdx: 1 })
    if (r1.kind !== 'continue') throw new Error('halted')
    const pool = r1.state.pool!
    const stats = r1.trial.evaluation.stats as Record<string, number>
    // The teacher (the program) was shown labelled demonstrations only, never the example itself.
    const teacherCalls = calls.slice(0, stats['bootstrapTried'])
    expect(teacherCalls.length).toBeGreaterThanOrEqual(12)
    for (const c of teacherCalls) {
      expect(c.config.outputs).toBeUndefined()
      expect(c.config.demos).not.toContain(c.example)
      expect(c.config.demos.length).toBeLessThanOrEqual(5)
    }
    // Exactly the passing traces joined the pool (up to 4 × 3), in the order they were tried, with the output.
    const passed = teacherCalls.filter(
      (c) => program(c.config as unknown as Json, trainset[c.example]!, ctx) === trainset[c.example]!.topic,
    )
    expect(pool).toEqual(passed.slice(0, 12).map((c) => ({ demo: c.example, output: trainset[c.example]!.topic })))
    expect(stats).toMatchObject({ round: 1, bootstrapped: pool.length, bootstrapErrors: 0 })
    // The candidate: the first three bootstrapped demonstrations, then labelled ones up to five in all.
    const candidate = r1.trial.candidate as unknown as FewShotConfig
    expect(candidate.demos.slice(0, 3)).toEqual(pool.slice(0, 3).map((e) => e.demo))
    expect(candidate.demos).toHaveLength(5)
    expect(new Set(candidate.demos).size).toBe(5)
    expect(candidate.outputs).toEqual([...pool.slice(0, 3).map((e) => e.output), null, null])
    // Scored on the training examples it does not show.
    expect(evaluations).toEqual([{ candidate, examples: trainset.map((e) => e.id).filter((id) => !candidate.demos.includes(id)) }])
  })

  test('later rounds screen candidatesPerRound configs on a minibatch (less their own demos), then score the winner in full', async () => {
    const o = fewShotSearch({ candidatesPerRound: 5, minibatchSize: 6, rescoreEvery: 3, maxBootstrappedDemos: 2, maxLabeledDemos: 4 })
    const { ctx, evaluations } = fakeContext()
    const s2 = await stepTimes(o, ctx, 2)
    evaluations.length = 0
    const r2 = await o.step(s2, { ...ctx, trialIdx: 2 })
    if (r2.kind !== 'continue') throw new Error('halted')
    expect(evaluations).toHaveLength(6)
    const screened = evaluations.slice(0, 5)
    expect(new Set(screened.map((e) => JSON.stringify(e.candidate))).size).toBe(5)
    const minibatch = new Set(screened.flatMap((e) => e.examples))
    expect(minibatch.size).toBeLessThanOrEqual(6)
    for (const e of screened) {
      expect(e.candidate.demos.length).toBeGreaterThan(0)
      expect(e.candidate.demos.length).toBeLessThanOrEqual(4)
      expect(e.examples.filter((id) => e.candidate.demos.includes(id))).toEqual([])
      expect(e.examples.length + [...minibatch].filter((id) => e.candidate.demos.includes(id)).length).toBe(minibatch.size)
    }
    const full = evaluations[5]!
    expect(r2.trial.candidate).toEqual(full.candidate)
    expect(full.examples).toEqual(trainset.map((e) => e.id).filter((id) => !full.candidate.demos.includes(id)))
    expect(r2.trial.evaluation.stats).toMatchObject({ round: 2, minibatch: 6, candidates: 5 })
    // Round 3 re-scores the incumbent first (rescoreEvery: 3), on the examples it does not show.
    evaluations.length = 0
    const r3 = await o.step(r2.state, { ...ctx, trialIdx: 3 })
    if (r3.kind !== 'continue') throw new Error('halted')
    const inc = r2.state.incumbent!
    expect(evaluations[0]!.candidate.demos).toEqual(inc.demos)
    expect(evaluations[0]!.examples).toEqual(trainset.map((e) => e.id).filter((id) => !inc.demos.includes(id)))
    expect(r3.trial.artifact).toMatchObject({ demos: r3.state.incumbent!.demos })
  })

  test('with a valset, every evaluation runs on it (minibatches drawn from it), never on the trainset', async () => {
    const o = fewShotSearch({ minibatchSize: 4, rescoreEvery: 2 })
    const { ctx, evaluations } = fakeContext({ valset })
    const state = await stepTimes(o, ctx, 6, init(o, valset))
    expect(state.valsetSize).toBe(6)
    const ids = new Set(valset.map((e) => e.id))
    expect(evaluations.length).toBeGreaterThan(20)
    for (const e of evaluations) {
      expect(e.examples.every((id) => ids.has(id))).toBe(true)
      expect([4, 6]).toContain(e.examples.length)
    }
  })

  test('every configuration keeps within the demo limits (property over many rounds and seeds)', async () => {
    for (const seed of [1, 2, 3]) {
      for (const opts of [
        { maxBootstrappedDemos: 3, maxLabeledDemos: 5 },
        { maxBootstrappedDemos: 4, maxLabeledDemos: 2 },
        { maxBootstrappedDemos: 0, maxLabeledDemos: 3 },
        { maxBootstrappedDemos: 6, maxLabeledDemos: 0, bootstrapPoolSize: 8 },
      ]) {
        const o = fewShotSearch({ ...opts, exploreProb: 0.5 })
        const { ctx, evaluations } = fakeContext({}, seed)
        const state = await stepTimes(o, ctx, 12)
        const pool = new Map((state.pool ?? []).map((e) => [e.demo, e.output]))
        for (const { candidate: c } of evaluations) {
          const boot = (c.outputs ?? []).filter((x) => x !== null).length
          const label = `${JSON.stringify(opts)} seed ${seed}: ${JSON.stringify(c)}`
          expect(new Set(c.demos).size, label).toBe(c.demos.length)
          expect(boot, label).toBeLessThanOrEqual(opts.maxBootstrappedDemos)
          expect(c.demos.length, label).toBeLessThanOrEqual(Math.max(opts.maxLabeledDemos, boot))
          expect(c.demos.length, label).toBeLessThan(trainset.length)
          for (const [j, d] of c.demos.slice(0, boot).entries()) expect(pool.get(d), label).toBe(c.outputs![j])
          if (c.outputs) expect(c.outputs, label).toHaveLength(c.demos.length)
        }
      }
    }
  })
})

describe('fewShotSearch: bootstrapping', () => {
  test('a teacher program bootstraps instead of the program', async () => {
    const taught: Call[] = []
    const teacher: Program<Example, number> = (config, example) => {
      taught.push({ config: config as unknown as FewShotConfig, example: example.id })
      return example.topic // always right
    }
    const o = fewShotSearch({ teacher, maxBootstrappedDemos: 2 })
    const { ctx, calls } = fakeContext()
    const s1 = await stepTimes(o, ctx, 1)
    calls.length = 0
    const r1 = await o.step(s1, { ...ctx, trialIdx: 1 })
    if (r1.kind !== 'continue') throw new Error('halted')
    expect(taught).toHaveLength(8) // the pool (4 × 2) filled at once
    expect(r1.state.pool!.map((e) => e.demo)).toEqual(taught.map((t) => t.example))
    for (const t of taught) expect(t.config.demos).not.toContain(t.example)
    // The program itself only ran to score the candidate.
    expect(calls.every((c) => c.config.demos.length > 0 && c.config.outputs !== undefined)).toBe(true)
  })

  test('the same state whatever the parallelism and whichever call ends first', async () => {
    const states: FewShotState[] = []
    for (const parallelism of [1, 3]) {
      const { ctx } = fakeContext({ parallelism })
      const jittered = (async (config: Json, example: Example) => {
        await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 4)))
        return program(config, example, { signal: ctx.signal })
      }) as Program
      states.push(await stepTimes(fewShotSearch({ maxBootstrappedDemos: 3 }), { ...ctx, program: jittered }, 4))
    }
    expect(states[0]!.pool!.length).toBeGreaterThan(0)
    expect(states[1]).toEqual(states[0])
  })

  test('maxRounds: examples that failed get more passes, each with a fresh draw of the teacher demos', async () => {
    const pools: number[] = []
    for (const maxRounds of [1, 3]) {
      const o = fewShotSearch({ maxBootstrappedDemos: 6, bootstrapPoolSize: 24, maxLabeledDemos: 2, maxRounds })
      const { ctx, calls } = fakeContext()
      const s1 = await stepTimes(o, ctx, 1)
      calls.length = 0
      const r1 = await o.step(s1, { ...ctx, trialIdx: 1 })
      if (r1.kind !== 'continue') throw new Error('halted')
      const stats = r1.trial.evaluation.stats as Record<string, number>
      pools.push(r1.state.pool!.length)
      if (maxRounds === 1) expect(stats['bootstrapTried']).toBe(24)
      else {
        const shown = new Set(calls.slice(0, stats['bootstrapTried']).map((c) => JSON.stringify([...c.config.demos].sort())))
        expect(shown.size).toBeGreaterThan(3) // more than one draw (each less the example itself)
      }
    }
    expect(pools[1]).toBeGreaterThan(pools[0]!)
  })

  test('metricThreshold decides which traces pass; errors and non-JSON outputs are handled', async () => {
    const scored: Metric<Example, unknown> = (example, output) => {
      if (example.id === 5) throw new Error('metric failed')
      return output === example.topic ? 0.5 : 0
    }
    const always = ((_config: Json, example: Example) => example.topic) as Program<Example, number>
    const strict = fewShotSearch({ teacher: always, metricThreshold: 0.6 })
    const lenient = fewShotSearch({ teacher: always, metricThreshold: 0.5, bootstrapPoolSize: 30 })
    const { ctx } = fakeContext({ metric: scored as Metric })
    const none = await stepTimes(strict, ctx, 2)
    expect(none.pool).toEqual([])
    const some = await stepTimes(lenient, fakeContext({ metric: scored as Metric }).ctx, 2)
    expect(some.pool!.map((e) => e.demo).sort((a, b) => a - b)).toEqual(trainset.map((e) => e.id).filter((id) => id !== 5))
    // An output that is not JSON is kept as a demonstration without its trace (shown with its label).
    const odd = fewShotSearch({
      teacher: ((_c: Json, e: Example) => (e.id === 0 ? () => e.topic : e.topic)) as Program,
      bootstrapPoolSize: 30,
    })
    const weird = await stepTimes(odd, fakeContext({ metric: (() => 1) as Metric }).ctx, 2)
    expect(weird.pool!.find((e) => e.demo === 0)).toEqual({ demo: 0, output: null })
  })

  test('maxBootstrappedDemos 0: no bootstrapping, round 1 scores labelled demonstrations only', async () => {
    const o = fewShotSearch({ maxBootstrappedDemos: 0, maxLabeledDemos: 3 })
    const { ctx, calls, evaluations } = fakeContext()
    const s1 = await stepTimes(o, ctx, 1)
    calls.length = 0
    evaluations.length = 0
    const r1 = await o.step(s1, { ...ctx, trialIdx: 1 })
    if (r1.kind !== 'continue') throw new Error('halted')
    expect(r1.state.pool).toEqual([])
    expect(evaluations).toHaveLength(1)
    expect(evaluations[0]!.candidate.demos).toHaveLength(3)
    expect(evaluations[0]!.candidate.outputs).toBeUndefined()
    expect(calls).toHaveLength(21) // only the candidate's evaluation: 24 examples less its 3 demos
  })
})

describe('fewShotSearch: sessions', () => {
  test('finds demonstrations that make the metric perfect; bestArtifact is the best config (through compile)', async () => {
    const result = await compile({
      optimizer: fewShotSearch({ maxLabeledDemos: 4 }),
      program,
      trainset,
      metric,
      seed: 11,
      maxTrials: 30,
      store: createMemoryStore(),
    })
    expect(result.status).toBe('completed')
    expect(result.bestScore).toBe(1)
    const artifact = result.bestArtifact as unknown as FewShotConfig & { examples: Example[] }
    expect(coversAllTopics(result.bestArtifact!)).toBe(true)
    expect(artifact.demos.length).toBeLessThanOrEqual(4)
    expect(artifact.examples).toEqual(artifact.demos.map((i) => trainset[i]))
  })

  test('with a valset, it finds demonstrations that are perfect on the held-out examples', async () => {
    const optimizer = fewShotSearch({ maxLabeledDemos: 4, targetScore: 1 })
    const result = await compile({ optimizer, program, trainset, valset, metric, seed: 3, maxTrials: 60 })
    expect(result).toMatchObject({ bestScore: 1, terminalReason: 'target-score' })
    expect(coversAllTopics(result.bestArtifact!)).toBe(true)
  })

  test('minimize sessions keep the lowest score', async () => {
    const o = fewShotSearch()
    const { ctx } = fakeContext({ direction: 'minimize' })
    const state = await stepTimes(o, ctx, 6)
    expect(state.incumbent!.score).toBe(0) // the zero-shot config: nothing is ever right
  })

  test('instructions: configurations carry one, the search picks a working one', async () => {
    const result = await compile({
      optimizer: fewShotSearch({ instructions: ['refuse', 'answer'], targetScore: 1 }),
      program,
      trainset,
      metric,
      seed: 4,
      maxTrials: 100,
    })
    expect(result.terminalReason).toBe('target-score')
    expect(result.bestScore).toBe(1)
    expect(result.bestArtifact).toMatchObject({ instruction: 'answer' })
  })

  test('halts once targetScore is reached', async () => {
    const target = await compile({ optimizer: fewShotSearch({ targetScore: 0.5 }), program, trainset, metric, seed: 1, maxTrials: 50 })
    expect(target.terminalReason).toBe('target-score')
    expect(target.bestScore).toBeGreaterThanOrEqual(0.5)
  })

  test('failed minibatch evaluations are skipped; a failed full evaluation leaves the incumbent alone', async () => {
    const o = fewShotSearch()
    const { ctx } = fakeContext()
    const failing: StepContext = {
      ...ctx,
      evaluate: async () => ({ status: 'error', error: { name: 'Error', message: 'boom' }, errorClass: 'objective', durationMs: 0 }),
    }
    const s2 = await stepTimes(o, ctx, 2)
    const r2 = await o.step(s2, { ...failing, trialIdx: 2 })
    if (r2.kind !== 'continue') throw new Error('halted')
    expect(r2.trial.evaluation.status).toBe('error')
    expect(r2.state.incumbent).toEqual(s2.incumbent)
  })

  test('missing trainset, program or metric is an InvalidInputError', async () => {
    const o = fewShotSearch()
    expect(() => o.init({ seed: 1, rng: Rng.fromSeed(1), direction: 'maximize', trainset: [], history: [] })).toThrow(/empty/)
    const state = init(o)
    for (const missing of ['program', 'metric', 'trainset'] as const) {
      const { ctx } = fakeContext()
      const { [missing]: _, ...rest } = ctx
      await expect(o.step(state, rest as StepContext), missing).rejects.toThrow(InvalidInputError)
    }
    await expect(compile({ optimizer: fewShotSearch(), objective: () => 1, maxTrials: 2 })).rejects.toThrow(/trainset/)
  })

  test('state round-trips as JSON; the previous state version, unknown versions and corrupt bytes are refused', async () => {
    const o = fewShotSearch()
    let state = init(o)
    const { ctx } = fakeContext()
    for (let i = 0; i < 4; i++) {
      state = await stepTimes(o, { ...ctx, trialIdx: i }, 1, state)
      const bytes = o.encodeState(state)
      expect(o.decodeState(bytes, 2)).toEqual(state)
      expect(o.encodeState(o.decodeState(bytes, 2))).toEqual(bytes)
    }
    expect(state.pool!.length).toBeGreaterThan(0)
    const v1 = new TextEncoder().encode('{"incumbent":null,"round":0,"trainsetSize":24,"v":1}')
    expect(() => o.decodeState(v1, 1)).toThrow(InvalidInputError)
    expect(() => o.decodeState(o.encodeState(state), 3)).toThrow(InvalidInputError)
    expect(() => o.decodeState(new TextEncoder().encode('{"v":2}'), 2)).toThrow(CheckpointCorruptError)
    expect(() => o.decodeState(new Uint8Array([0xff]), 2)).toThrow(CheckpointCorruptError)
  })

  test('a trainset or valset of another size is refused on step', async () => {
    const o = fewShotSearch()
    await expect(o.step(init(o), fakeContext({ trainset: trainset.slice(0, 10) }).ctx)).rejects.toThrow(/trainset changed size/)
    const { ctx } = fakeContext({ valset })
    const s1 = await stepTimes(o, ctx, 1, init(o, valset))
    await expect(o.step(s1, { ...ctx, valset: valset.slice(0, 3) })).rejects.toThrow(/valset changed size \(6 → 3\)/)
    await expect(o.step(s1, fakeContext().ctx)).rejects.toThrow(/valset changed size \(6 → 0\)/)
  })
})
