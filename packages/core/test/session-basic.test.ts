import { describe, expect, test } from 'vitest'
import { createMemoryStore, startSession, resumeSession, compile, listSessions } from '../src/index.js'
import { sphere, stepper, uniform } from './helpers/optimizers.js'

describe('session basics', () => {
  test('runs maxTrials trials, commits one checkpoint per trial, tracks the best', async () => {
    const store = createMemoryStore()
    const handle = await startSession({ store, optimizer: uniform(), objective: sphere, maxTrials: 10, seed: 1 })
    const result = await handle.wait()
    expect(result.status).toBe('completed')
    expect(result.terminalReason).toBe('max-trials')
    expect(result.progress.attempts).toBe(10)
    expect(result.revision).toBe(10)
    const trials = await store.readTrials(handle.id)
    expect(trials.map((t) => t.trialIdx)).toEqual([...Array(10).keys()])
    const best = Math.min(...trials.map((t) => t.score as number))
    expect(result.bestScore).toBe(best)
    expect(result.bestArtifact).toEqual(trials[result.bestTrialIdx as number]?.candidate)
    const listed = await listSessions(store)
    expect(listed).toHaveLength(1)
    expect(listed[0]?.status).toBe('completed')
  })

  test('the head keeps the settings the session started with, even when the caller changes its object afterwards', async () => {
    const store = createMemoryStore()
    const settings = { dataset: 'train-a', folds: 5 }
    const h = await startSession({
      store,
      optimizer: uniform(),
      seed: 2,
      maxTrials: 3,
      settings,
      objective: (c: { x: number }, ctx) => {
        if (ctx.trialIdx === 1) settings.dataset = 'changed mid-run'
        return sphere(c)
      },
    })
    await h.wait()
    expect((await store.load(h.id)).settings).toEqual({ dataset: 'train-a', folds: 5 })
    expect(h.head().settings).toEqual({ dataset: 'train-a', folds: 5 })
  })

  test('step-based optimizer and compile', async () => {
    const result = await compile({ optimizer: stepper(), objective: sphere, maxTrials: 5, seed: 3 })
    expect(result.progress.attempts).toBe(5)
  })

  test('resume after pause continues the same sequence', async () => {
    const store = createMemoryStore()
    const straight = await startSession({ store, optimizer: uniform(), objective: sphere, maxTrials: 8, seed: 7, sessionId: 'a' })
    await straight.wait()
    const h = await startSession({
      store,
      optimizer: uniform(),
      seed: 7,
      sessionId: 'b',
      maxTrials: 8,
      objective: async (c: { x: number }, ctx) => {
        if (ctx.trialIdx === 3) void h.pause()
        return sphere(c)
      },
    })
    let r = await h.wait()
    expect(r.status).toBe('paused')
    expect(r.progress.attempts).toBe(4)
    const h2 = await resumeSession(store, 'b', { optimizer: uniform(), objective: sphere })
    r = await h2.wait()
    expect(r.status).toBe('completed')
    const a = (await store.readTrials('a')).map((t) => t.candidate)
    const b = (await store.readTrials('b')).map((t) => t.candidate)
    expect(b).toEqual(a)
  })
})
