import { createMemoryStore, isTerminal, OptimizerError, TimeoutError } from '@cairn/core'
import { describe, expect, test } from 'vitest'
import {
  FakeLlm,
  SKILLS,
  ZERO_SHOT,
  accuracy,
  devset,
  optimizePrompt,
  qaProgram,
  renderPrompt,
  skillOf,
  trainset,
  valset,
} from '../src/index.js'

describe('prompt optimization with compile() and fewShotSearch()', () => {
  test('the fake LLM learns in context: right when the prompt demonstrates the skill, deterministic', async () => {
    const lm = new FakeLlm()
    const reverse = trainset.findIndex((e) => skillOf(e.question) === 'reverse')
    const zeroShot = renderPrompt({ demos: [] }, trainset, 'reverse: abc')
    const fewShot = renderPrompt({ demos: [reverse] }, trainset, 'reverse: abc')
    expect(await lm.complete(zeroShot)).toBe('abc') // echoes the argument
    expect(await lm.complete(fewShot)).toBe('cba')
    expect(await lm.complete(fewShot)).toBe('cba')
    expect(await lm.complete(renderPrompt({ demos: [] }, trainset, 'add: 2 3'))).toBe('5') // known zero-shot
  })

  test('the compiled program beats the zero-shot baseline on the valset it was chosen on, and on new questions', async () => {
    const lm = new FakeLlm()
    const program = qaProgram(lm, trainset)
    const baseline = { val: await accuracy(program, ZERO_SHOT, valset), dev: await accuracy(program, ZERO_SHOT, devset) }
    expect(baseline).toEqual({ val: 0.2, dev: 0.2 }) // only the skill it knows zero-shot

    const { result, config } = await optimizePrompt({ lm, trainset, valset, maxTrials: 24, seed: 7 })
    expect(result.status).toBe('completed')
    expect(result.progress.attempts).toBe(24)
    expect(result.bestScore).toBe(1) // on the valset
    expect(await accuracy(program, config, devset)).toBe(1)
    // Some demonstrations were bootstrapped: shown with the answer the model itself gave.
    expect(config.outputs?.some((o) => o !== null)).toBe(true)
    // Four demonstrations, one of each skill the model does not know zero-shot.
    const skills = new Set(config.demos.map((i) => skillOf(trainset[i]!.question)))
    for (const skill of Object.keys(SKILLS).filter((s) => s !== 'add')) expect(skills).toContain(skill)
  })

  test("bestArtifact is the chosen configuration: it reproduces bestScore and is the best trial's", async () => {
    const lm = new FakeLlm()
    const store = createMemoryStore()
    const { result, config } = await optimizePrompt({ lm, trainset, valset, maxTrials: 12, seed: 3, store, sessionId: 'artifact' })
    const artifact = result.bestArtifact as { demos: number[]; outputs?: unknown[]; examples: unknown[] }
    expect(artifact.demos).toEqual(config.demos)
    expect(artifact.outputs).toEqual(config.outputs)
    // The artifact carries the demonstrations themselves, so it is usable without the trainset.
    expect(artifact.examples).toEqual(config.demos.map((i) => trainset[i]))
    // Running the program with it on the valset gives the best score the session recorded…
    expect(await accuracy(qaProgram(lm, trainset), config, valset)).toBe(result.bestScore)
    // …which is the score of the best trial in the log, whose candidate it is.
    const trials = await store.readTrials('artifact')
    const best = trials.find((t) => t.trialIdx === result.bestTrialIdx)
    expect(best?.score).toBe(result.bestScore)
    const { examples: _examples, ...candidate } = artifact
    expect(best?.candidate).toEqual(candidate)
    expect(Math.max(...trials.map((t) => t.score ?? -1))).toBe(result.bestScore)
  })

  test('a compile timeout soft-cancels: compile rejects with OptimizerError (cause TimeoutError), the trial in flight is committed', async () => {
    const lm = new FakeLlm({ latencyMs: 5 }) // ~50 calls a round: ~0.25 s per trial
    const store = createMemoryStore()
    const started = Date.now()
    const error = await optimizePrompt({ lm, trainset, maxTrials: 1000, seed: 1, store, sessionId: 'slow', timeoutMs: 400 }).then(
      () => undefined,
      (err: unknown) => err,
    )
    expect(error).toBeInstanceOf(OptimizerError)
    expect((error as OptimizerError).cause).toBeInstanceOf(TimeoutError)
    expect(Date.now() - started).toBeLessThan(5_000) // it did not wait for 1000 trials

    // The session finishes the trial in flight, commits it, and ends cancelled.
    const deadline = Date.now() + 10_000
    let head = await store.load('slow')
    while (!isTerminal(head.status) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20))
      head = await store.load('slow')
    }
    expect(head.status).toBe('cancelled')
    expect(head.progress.attempts).toBeGreaterThanOrEqual(1)
    expect(head.progress.attempts).toBeLessThan(1000)
    expect(head.progress.errors).toBe(0) // soft: the trial in flight was not aborted
    const trials = await store.readTrials('slow')
    expect(trials.map((t) => t.trialIdx)).toEqual(trials.map((_, i) => i))
    expect(trials).toHaveLength(head.progress.attempts)
    // Nothing runs any more.
    const calls = lm.calls
    await new Promise((r) => setTimeout(r, 100))
    expect(lm.calls).toBe(calls)
  })
})
