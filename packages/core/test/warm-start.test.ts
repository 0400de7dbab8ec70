import { describe, expect, test } from 'vitest'
import { askTell, createMemoryStore, InvalidInputError, resumeSession, startSession, warmStartKeys, type Sampler } from '../src/index.js'
import { sphere } from './helpers/optimizers.js'

/** Samples around the best point seen so far (seeds included), so history changes candidates. */
const nearBest: Sampler<null> = {
  id: 'test/near-best',
  stateVersion: 1,
  init: () => null,
  ask(state, ctx) {
    const ok = ctx.history.filter((t) => t.status === 'ok')
    const best = ok.reduce<(typeof ok)[number] | undefined>((a, b) => (!a || (b.score as number) < (a.score as number) ? b : a), undefined)
    const center = best ? (best.candidate as { x: number }).x : 0
    return { kind: 'candidate', state, candidate: { x: center + ctx.rng.uniform(-1, 1) } }
  },
  encodeState: () => new Uint8Array(),
  decodeState: () => null,
}
const optimizer = () => askTell(nearBest)
const shifted = (c: { x: number }): number => (c.x - 3) ** 2

describe('warm start through the driver', () => {
  test('a new session with the same exact key is seeded with the earlier run; a related run (other trainset) is preloaded', async () => {
    const checkpoints = createMemoryStore()
    const warm = createMemoryStore()
    const first = await startSession({
      store: checkpoints,
      optimizer: optimizer(),
      objective: shifted,
      maxTrials: 15,
      seed: 1,
      trainsetHash: 'fold-1',
      job: 'demo',
      warmStart: { store: warm },
    })
    const r1 = await first.wait()
    expect(first.head().warmStart).toMatchObject({ source: 'none', seededTrials: 0 })

    const keys = warmStartKeys({ optimizerId: 'test/near-best', trainsetHash: 'fold-1', job: 'demo' })
    expect(first.head().warmStart).toMatchObject({ exactKey: keys.exact, seedKey: keys.seed })
    const saved = await warm.lookup(keys.exact)
    expect(saved).toMatchObject({ kind: 'final', objective: r1.bestScore, runId: first.id })

    const again = await startSession({
      store: checkpoints,
      optimizer: optimizer(),
      objective: shifted,
      maxTrials: 3,
      seed: 2,
      trainsetHash: 'fold-1',
      job: 'demo',
      warmStart: { store: warm, maxSeedTrials: 5 },
    })
    await again.wait()
    expect(again.head().warmStart).toMatchObject({ source: 'exact', seededTrials: 5 })
    expect(again.head().seeds?.[0]?.score).toBe(r1.bestScore)
    // seeded around the earlier best: its first candidate lands within 1 of it
    const firstCandidate = (await checkpoints.readTrials(again.id))[0]?.candidate as { x: number }
    expect(Math.abs(firstCandidate.x - (r1.bestArtifact as { x: number }).x)).toBeLessThanOrEqual(1)

    const fold2 = await startSession({
      store: checkpoints,
      optimizer: optimizer(),
      objective: shifted,
      maxTrials: 3,
      trainsetHash: 'fold-2',
      job: 'demo',
      warmStart: { store: warm },
    })
    await fold2.wait()
    expect(fold2.head().warmStart?.source).toBe('preloaded')

    const cold = await startSession({
      store: checkpoints,
      optimizer: optimizer(),
      objective: shifted,
      maxTrials: 3,
      trainsetHash: 'x',
      job: 'other-job',
      warmStart: { store: warm },
    })
    await cold.wait()
    expect(cold.head().warmStart?.source).toBe('none')
  })

  test('reuseFinal returns a finished exact match without running', async () => {
    const warm = createMemoryStore()
    const first = await startSession({ optimizer: optimizer(), objective: shifted, maxTrials: 8, seed: 4, warmStart: { store: warm } })
    const r1 = await first.wait()
    let calls = 0
    const reused = await startSession({
      optimizer: optimizer(),
      objective: (c: { x: number }) => (calls++, shifted(c)),
      warmStart: { store: warm, reuseFinal: true },
    })
    const r2 = await reused.wait()
    expect(calls).toBe(0)
    expect(r2).toMatchObject({
      status: 'completed',
      terminalReason: 'warm-start-final',
      bestScore: r1.bestScore,
      bestArtifact: r1.bestArtifact,
    })
  })

  test('a seeded session paused and resumed (without the warm store) proposes the candidates of an uninterrupted one', async () => {
    const store = createMemoryStore()
    const seeds = [
      { candidate: { x: 2.5 }, score: 0.25 },
      { candidate: { x: 4 }, score: 1 },
    ]
    const keys = warmStartKeys({ optimizerId: 'test/near-best' })
    const seededStore = async () => {
      const s = createMemoryStore()
      await s.saveOverwrite(keys.exact, 'earlier', {
        kind: 'checkpoint',
        objective: 0.25,
        iteration: 2,
        payload: { format: 'cairn.session-trials/1', sessionId: 'earlier', bestScore: 0.25, trials: seeds },
      })
      return s
    }
    const a = await startSession({
      store,
      sessionId: 'a',
      optimizer: optimizer(),
      objective: shifted,
      maxTrials: 10,
      seed: 6,
      warmStart: { store: await seededStore() },
    })
    await a.wait()
    expect(a.head().seeds).toEqual(seeds)
    const warm = await seededStore()
    const b = await startSession({
      store,
      sessionId: 'b',
      optimizer: optimizer(),
      maxTrials: 10,
      seed: 6,
      warmStart: { store: warm },
      objective: (c: { x: number }, ctx) => {
        if (ctx.trialIdx === 3) void b.pause()
        return shifted(c)
      },
    })
    expect((await b.wait()).status).toBe('paused')
    // the warm store changes after b started; b's resume must not notice
    await warm.saveOverwrite(keys.exact, 'later', {
      kind: 'final',
      objective: 100,
      iteration: 1,
      payload: { format: 'cairn.session-trials/1', sessionId: 'later', bestScore: 100, trials: [{ candidate: { x: -50 }, score: 100 }] },
    })
    const resumed = await resumeSession(store, 'b', { optimizer: optimizer(), objective: shifted })
    await resumed.wait()
    expect((await store.readTrials('b')).map((t) => t.candidate)).toEqual((await store.readTrials('a')).map((t) => t.candidate))
  })

  test('bad warm-start options are refused', async () => {
    await expect(
      startSession({ optimizer: optimizer(), objective: sphere, warmStart: { store: createMemoryStore(), maxSeedTrials: -1 } }),
    ).rejects.toBeInstanceOf(InvalidInputError)
    await expect(startSession({ optimizer: optimizer(), objective: sphere, warmStart: {} as never })).rejects.toBeInstanceOf(
      InvalidInputError,
    )
  })
})
