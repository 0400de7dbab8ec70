import {
  CheckpointCorruptError,
  InvalidInputError,
  Rng,
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
import { fewShotSearch, type FewShotState } from '../../src/index.js'
import { coversAllTopics, metric, program, trainset, type Example } from './fixture.js'

/** A StepContext whose `evaluate` runs program × examples × metric and records every call. */
function fakeContext(overrides: Partial<StepContext> = {}, seed = 1) {
  const calls: { candidate: Json; examples: number | 'full' }[] = []
  const ctx: StepContext = {
    trialIdx: 0,
    rng: Rng.fromSeed(seed),
    history: [],
    direction: 'maximize',
    trainset,
    program: program as unknown as Program,
    metric: metric as unknown as Metric,
    parallelism: 1,
    signal: new AbortController().signal,
    async evaluate(candidate: Json, options?: EvaluateOptions): Promise<Evaluation> {
      const examples = (options?.examples ?? trainset) as readonly Example[]
      calls.push({ candidate, examples: options?.examples ? options.examples.length : 'full' })
      let total = 0
      for (const ex of examples) total += await metric(ex, await program(candidate, ex, { signal: ctx.signal }))
      return { status: 'ok', score: total / examples.length, durationMs: 0 }
    },
    ...overrides,
  }
  return { ctx, calls }
}

const init = (o: ReturnType<typeof fewShotSearch>) =>
  o.init({ seed: 1, rng: Rng.fromSeed(1), direction: 'maximize', trainset, history: [] }) as FewShotState

describe('fewShotSearch', () => {
  test('id, state version and options as JSON', () => {
    const o = fewShotSearch()
    expect(o.id).toBe('@cairn/optimizers/few-shot')
    expect(o.stateVersion).toBe(1)
    expect(o.sampler).toBeUndefined()
    expect(o.options).toEqual({ maxDemos: 4, minibatchSize: 8, candidatesPerRound: 4, exploreProb: 0.3, rescoreEvery: 5, instructions: [] })
  })

  test('bad options are refused', () => {
    for (const bad of [{ maxDemos: 0 }, { minibatchSize: 0 }, { instructions: 'x' }, { instructions: ['a', 'a'] }, { nope: true }])
      expect(() => fewShotSearch(bad as never), JSON.stringify(bad)).toThrow(/^INVALID|\[@cairn\/optimizers\] fewShotSearch/)
  })

  test('finds the demonstrations that make the metric perfect; bestArtifact is the best config (through compile)', async () => {
    const result = await compile({
      optimizer: fewShotSearch(),
      program,
      trainset,
      metric,
      seed: 11,
      maxTrials: 30,
      store: createMemoryStore(),
    })
    expect(result.status).toBe('completed')
    expect(result.bestScore).toBe(1)
    const artifact = result.bestArtifact as unknown as { demos: number[]; examples: Example[] }
    expect(coversAllTopics(result.bestArtifact!)).toBe(true)
    expect(artifact.demos.length).toBeLessThanOrEqual(4)
    expect(artifact.examples).toEqual(artifact.demos.map((i) => trainset[i]))
  })

  test('one round: screens candidatesPerRound configs on a minibatch, scores the winner on the full trainset', async () => {
    const o = fewShotSearch({ candidatesPerRound: 5, minibatchSize: 6, rescoreEvery: 2 })
    let state = init(o)
    const { ctx, calls } = fakeContext()
    // Round 0: the zero-shot configuration on the full trainset.
    const r0 = await o.step(state, ctx)
    if (r0.kind !== 'continue') throw new Error('halted')
    expect(calls).toEqual([{ candidate: { demos: [] }, examples: 'full' }])
    expect(r0.trial.candidate).toEqual({ demos: [] })
    expect(r0.trial.evaluation.score).toBe(0)
    state = r0.state
    expect(state.incumbent).toEqual({ demos: [], instruction: null, score: 0, count: 1 })
    // Round 1: 5 minibatch evaluations of distinct configs, then the winner on the full set.
    calls.length = 0
    const r1 = await o.step(state, { ...ctx, trialIdx: 1 })
    if (r1.kind !== 'continue') throw new Error('halted')
    expect(calls.map((c) => c.examples)).toEqual([6, 6, 6, 6, 6, 'full'])
    expect(new Set(calls.slice(0, 5).map((c) => JSON.stringify(c.candidate))).size).toBe(5)
    for (const c of calls.slice(0, 5)) expect((c.candidate as { demos: number[] }).demos.length).toBeGreaterThan(0)
    expect(r1.trial.candidate).toEqual(calls[5]!.candidate)
    expect(r1.trial.evaluation.stats).toMatchObject({ round: 1, minibatch: 6, candidates: 5 })
    // Round 2 re-scores the incumbent first (rescoreEvery: 2).
    calls.length = 0
    const r2 = await o.step(r1.state, { ...ctx, trialIdx: 2 })
    if (r2.kind !== 'continue') throw new Error('halted')
    const inc = r1.state.incumbent!
    expect(calls[0]).toEqual({ candidate: { demos: inc.demos }, examples: 'full' })
    expect(r2.state.incumbent!.count).toBeGreaterThanOrEqual(1)
    // Every trial's artifact is the incumbent after the round.
    const after = r2.state.incumbent!
    expect(r2.trial.artifact).toMatchObject({ demos: after.demos })
  })

  test('minimize sessions keep the lowest score', async () => {
    const o = fewShotSearch()
    let state = init(o)
    const { ctx } = fakeContext({ direction: 'minimize' })
    for (let i = 0; i < 6; i++) {
      const r = await o.step(state, { ...ctx, trialIdx: i })
      if (r.kind !== 'continue') throw new Error('halted')
      state = r.state
    }
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

  test('halts at maxRounds and once targetScore is reached', async () => {
    const rounds = await compile({ optimizer: fewShotSearch({ maxRounds: 3 }), program, trainset, metric, seed: 1, maxTrials: 50 })
    expect(rounds.progress.attempts).toBe(3)
    expect(rounds.terminalReason).toBe('max-rounds')
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
    const r0 = await o.step(init(o), ctx)
    if (r0.kind !== 'continue') throw new Error('halted')
    const r1 = await o.step(r0.state, { ...failing, trialIdx: 1 })
    if (r1.kind !== 'continue') throw new Error('halted')
    expect(r1.trial.evaluation.status).toBe('error')
    expect(r1.state.incumbent).toEqual(r0.state.incumbent)
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

  test('state round-trips as JSON; unknown versions and corrupt bytes are refused', async () => {
    const o = fewShotSearch()
    let state = init(o)
    const { ctx } = fakeContext()
    for (let i = 0; i < 4; i++) {
      const r = await o.step(state, { ...ctx, trialIdx: i })
      if (r.kind !== 'continue') throw new Error('halted')
      state = r.state
      const bytes = o.encodeState(state)
      expect(o.decodeState(bytes, 1)).toEqual(state)
      expect(o.encodeState(o.decodeState(bytes, 1))).toEqual(bytes)
    }
    expect(() => o.decodeState(o.encodeState(state), 2)).toThrow(InvalidInputError)
    expect(() => o.decodeState(new TextEncoder().encode('{"v":1}'), 1)).toThrow(CheckpointCorruptError)
    expect(() => o.decodeState(new Uint8Array([0xff]), 1)).toThrow(CheckpointCorruptError)
  })

  test('a trainset of another size is refused on step', async () => {
    const o = fewShotSearch()
    const state = init(o)
    const { ctx } = fakeContext({ trainset: trainset.slice(0, 10) })
    await expect(o.step(state, ctx)).rejects.toThrow(/trainset changed size/)
  })
})
