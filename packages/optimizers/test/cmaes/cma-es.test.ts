import {
  CheckpointCorruptError,
  InvalidInputError,
  Rng,
  assertCandidate,
  categorical,
  float,
  int,
  space,
  type Json,
  type TrialView,
} from '@cairn/core'
import { describe, expect, test } from 'vitest'
import { cmaEs, randomSearch, type CmaEsState } from '../../src/index.js'
import { bestOf, drive, median, type Params } from '../helpers.js'
import { pipeline } from './pipeline.js'

const num = (p: Params, k: string): number => p[k] as number
const sphere5 = space(Object.fromEntries([0, 1, 2, 3, 4].map((i) => [`x${i}`, float(-5, 5)])))
const fSphere5 = (p: Params): number => [0, 1, 2, 3, 4].reduce((s, i) => s + (num(p, `x${i}`) - 1) ** 2, 0)
const quad = space({ x: float(-5, 5), y: float(-5, 5) })
const fQuad = (p: Params): number => (num(p, 'x') - 1.5) ** 2 + (num(p, 'y') + 2) ** 2
const mixed = space({
  kernel: categorical(['rbf', 'linear', 'poly']),
  lr: float(1e-5, 1e-1, { log: true }),
  momentum: float(0, 1),
  n: int(1, 64),
  q: float(0, 1, { step: 0.05 }),
})
const fMixed = (p: Params): number =>
  (Math.log10(num(p, 'lr')) + 3) ** 2 / 10 +
  ((num(p, 'n') - 17) / 32) ** 2 +
  (num(p, 'momentum') - 0.9) ** 2 +
  (num(p, 'q') - 0.35) ** 2 +
  ({ rbf: 0, linear: 0.05, poly: 0.1 } as Record<string, number>)[p['kernel'] as string]!

const stateOf = (s: unknown): CmaEsState => s as CmaEsState

function noNaN(s: CmaEsState): void {
  const values = [s.sigma, ...s.mean, ...s.C, ...s.D, ...s.ps, ...s.pc, ...s.funhist, ...s.members.map((m) => m.score)]
  expect(values.filter((v) => !Number.isFinite(v))).toEqual([])
}

describe('cmaEs', () => {
  test('id, state version and options as JSON', () => {
    const o = cmaEs()
    expect(o.id).toBe('@cairn/optimizers/cmaes')
    expect(o.stateVersion).toBe(1)
    expect(o.sampler).toBeDefined()
    expect(o.options).toEqual({
      sigma0: 1 / 6,
      restart: 'ipop',
      incPopsize: 2,
      nStartupTrials: 0,
      maxResample: 100,
      mirrored: true,
      elitist: true,
      categorical: 'elite',
      eliteSize: 10,
      categoricalExploration: 0.2,
    })
    expect(cmaEs({ popsize: 12, restart: 'none' }).options).toMatchObject({ popsize: 12, restart: 'none' })
  })

  test('bad options are refused with a prefixed InvalidInputError naming the option', () => {
    const bad: unknown[] = [
      { nope: 1 },
      { sigma0: 0 },
      { sigma0: -1 },
      { popsize: 1 },
      { popsize: 2.5 },
      { restart: 'bipop' },
      { categorical: 'tpe' },
      { nStartupTrials: -1 },
      { maxResample: 0 },
      { mirrored: 'yes' },
      'fast',
    ]
    for (const options of bad) {
      const err = (() => {
        try {
          cmaEs(options as never)
        } catch (e) {
          return e
        }
        return undefined
      })()
      expect(err, JSON.stringify(options)).toBeInstanceOf(InvalidInputError)
      expect((err as Error).message).toMatch(/^\[@cairn\/optimizers\] cmaEs: /)
    }
  })

  test('needs a search space', async () => {
    const s = cmaEs().sampler!
    expect(() => s.init({ seed: 1, rng: Rng.fromSeed(1), direction: 'minimize', history: [] })).toThrow(InvalidInputError)
  })

  test('a changed search space is refused at ask', async () => {
    const s = cmaEs().sampler!
    const state = await s.init({ seed: 1, rng: Rng.fromSeed(1), direction: 'minimize', space: quad, history: [] })
    const other = space({ x: float(-5, 5), y: float(-5, 5), z: float(0, 1) })
    expect(() =>
      s.ask(state, { trialIdx: 0, rng: Rng.fromSeed(1), history: [], pending: [], direction: 'minimize', space: other }),
    ).toThrow(/search space changed/)
  })

  test('state round-trips exactly (bytes and value) at every ask and tell, pending members and restarts included', async () => {
    const o = cmaEs({ popsize: 4 })
    const s = space({ kernel: categorical(['rbf', 'linear', 'poly']), n: int(1, 64), x: float(0, 1) })
    // A flat objective with failures: a restart after 26 generations; parallelism 3 keeps members pending.
    const { events } = await pipeline(o, s, (p) => (num(p, 'n') % 7 === 0 ? Number.NaN : 1), 130, { parallelism: 3, seed: 5 })
    let sawPending = false
    let sawRestart = false
    let sawElite = false
    for (const [i, e] of events.entries()) {
      const state = stateOf(e.state)
      const bytes = o.encodeState(state)
      const back = o.decodeState(bytes, o.stateVersion)
      if (i % 8 === 0 || i === events.length - 1) expect(back).toEqual(state)
      const again = o.encodeState(back)
      if (!Buffer.from(again).equals(Buffer.from(bytes))) expect(again).toEqual(bytes)
      if (state.members.some((m) => m.status === 0)) sawPending = true
      if (state.restarts > 0) sawRestart = true
      if (state.elite.length > 0) sawElite = true
    }
    expect([sawPending, sawRestart, sawElite]).toEqual([true, true, true])
    // A run whose state goes through bytes after every tell asks exactly the same candidates.
    const plain = await pipeline(cmaEs(), mixed, fMixed, 60, { parallelism: 3, seed: 9 })
    const viaBytes = await pipeline(cmaEs(), mixed, fMixed, 60, { parallelism: 3, seed: 9, roundTrip: true })
    expect(viaBytes.history).toEqual(plain.history)
  })

  test('an unknown state version is an InvalidInputError; malformed bytes a CheckpointCorruptError', async () => {
    const o = cmaEs()
    const { state } = await drive(o, quad, fQuad, 10)
    const bytes = o.encodeState(state as CmaEsState)
    expect(() => o.decodeState(bytes, 2)).toThrow(InvalidInputError)
    expect(() => o.decodeState(bytes, 0)).toThrow(/unknown state version 0/)
    expect(() => o.decodeState(bytes.slice(0, bytes.length - 8), 1)).toThrow(CheckpointCorruptError)
    expect(() => o.decodeState(bytes.slice(0, 13), 1)).toThrow(CheckpointCorruptError)
    expect(() => o.decodeState(new Uint8Array([...bytes, 0, 0, 0, 0, 0, 0, 0, 0]), 1)).toThrow(CheckpointCorruptError)
    const flipped = bytes.slice()
    new DataView(flipped.buffer).setFloat64(0, 2.5, true) // n is not an integer
    expect(() => o.decodeState(flipped, 1)).toThrow(CheckpointCorruptError)
  })

  test('converges on a 5-D sphere far better than random search', async () => {
    const cma: number[] = []
    const rnd: number[] = []
    for (const seed of [1, 2, 3, 4, 5]) {
      cma.push(bestOf((await drive(cmaEs(), sphere5, fSphere5, 150, { seed })).history))
      rnd.push(bestOf((await drive(randomSearch(), sphere5, fSphere5, 150, { seed })).history))
    }
    expect(median(cma)).toBeLessThan(0.05)
    expect(median(cma) * 50).toBeLessThan(median(rnd))
  })

  test('the textbook variant (no mirrored sampling, no elitism, no restarts) converges too', async () => {
    const best = bestOf((await drive(cmaEs({ mirrored: false, elitist: false, restart: 'none' }), quad, fQuad, 120, { seed: 3 })).history)
    expect(best).toBeLessThan(1e-3)
  })

  test('candidates respect bounds, ints and steps, even with the optimum in a corner', async () => {
    const s = space({
      a: float(0, 1),
      b: int(-3, 3),
      lr: float(1e-4, 1, { log: true }),
      w: int(2, 512, { log: true }),
      q: float(0, 1, { step: 0.25 }),
    })
    // Pushes every dimension to its upper bound.
    const f = (p: Params): number => -(num(p, 'a') + num(p, 'b') + Math.log(num(p, 'lr')) + Math.log(num(p, 'w')) + num(p, 'q'))
    const { history } = await pipeline(cmaEs(), s, f, 150, { parallelism: 2, seed: 4 })
    for (const t of history) {
      assertCandidate(s, t.candidate)
      const c = t.candidate as Params
      expect(Number.isInteger(num(c, 'b')) && Number.isInteger(num(c, 'w'))).toBe(true)
      expect([0, 0.25, 0.5, 0.75, 1]).toContain(num(c, 'q'))
    }
    const best = history.reduce((b, t) => (t.score! < b.score! ? t : b)).candidate as Params
    expect(num(best, 'a')).toBeGreaterThan(0.8)
    expect(num(best, 'lr')).toBeGreaterThan(0.5)
    expect(num(best, 'w')).toBeGreaterThan(256)
    expect([num(best, 'b'), num(best, 'q')]).toEqual([3, 1])
  })

  test('int and log dimensions: finds lr ≈ 1e-3 (log scale) and n ≈ 17 (int)', async () => {
    for (const seed of [1, 2, 3]) {
      const { history } = await drive(cmaEs(), mixed, fMixed, 150, { seed })
      const best = history.reduce((b, t) => (t.score! < b.score! ? t : b)).candidate as Params
      expect(Math.abs(Math.log10(num(best, 'lr')) + 3)).toBeLessThan(0.5)
      expect(Math.abs(num(best, 'n') - 17)).toBeLessThanOrEqual(3)
      expect(best['kernel']).toBe('rbf')
    }
  })

  test('IPOP restarts: a converged or flat run restarts from a new point with twice the population', async () => {
    const o = cmaEs()
    const { state, history } = await drive(o, quad, () => 1, 200, { seed: 2 })
    const s = stateOf(state)
    expect(s.restarts).toBeGreaterThanOrEqual(1)
    expect(s.lambda).toBe(s.lambda0 * 2 ** s.restarts)
    // After the restart the candidates spread out again (the mean jumped, the step size reset).
    expect(new Set(history.slice(-10).map((t) => JSON.stringify(t.candidate))).size).toBe(10)
    const none = stateOf((await drive(cmaEs({ restart: 'none' }), quad, () => 1, 200, { seed: 2 })).state)
    expect(none.restarts).toBe(0)
    const capped = stateOf((await drive(cmaEs({ popsize: 3, maxPopsize: 6, sigma0: 0.01 }), quad, () => 1, 400, { seed: 2 })).state)
    expect(capped.restarts).toBeGreaterThanOrEqual(2)
    expect(capped.lambda).toBe(6)
  })

  test('failed trials rank as the generation’s worst: no NaN reaches the state, the run still converges', async () => {
    const f = (p: Params): number => (num(p, 'x') > 3 || num(p, 'y') > 3 ? Number.NaN : fQuad(p))
    let n = 0
    const flaky = (p: Params): number => (++n % 4 === 0 ? Number.NaN : f(p))
    const { history, events } = await pipeline(cmaEs(), quad, flaky, 150, { seed: 6, parallelism: 2 })
    expect(history.filter((t) => t.status === 'error').length).toBeGreaterThan(30)
    for (const e of events) noNaN(stateOf(e.state))
    expect(bestOf(history)).toBeLessThan(1e-2)
    // A run of generations that all fail leaves the distribution alone.
    let k = 0
    const { history: h2, state } = await drive(cmaEs(), quad, (p) => (++k <= 30 ? Number.NaN : fQuad(p)), 120, { seed: 6 })
    noNaN(stateOf(state))
    expect(bestOf(h2)).toBeLessThan(1e-2)
  })

  test('parallel asks share one generation of constant size; the update waits for the whole generation', async () => {
    const o = cmaEs() // 2 dims → λ = 6
    const { events, history } = await pipeline(o, quad, fQuad, 120, { parallelism: 4, seed: 8 })
    let lastGen = 0
    for (const e of events) {
      const s = stateOf(e.state)
      expect(s.lambda).toBe(6)
      const current = s.members.filter((m) => m.gen === s.genId)
      const next = s.members.filter((m) => m.gen === s.genId + 1)
      expect(current.length).toBeLessThanOrEqual(6)
      expect(next.length).toBeLessThanOrEqual(6)
      if (e.kind === 'ask') expect(s.genId).toBe(lastGen) // only a tell completes a generation
      lastGen = s.genId
    }
    expect(lastGen).toBeGreaterThanOrEqual(15)
    expect(bestOf(history)).toBeLessThan(1e-3)
    // More trials in flight than a generation holds: the extra ones are carried over or untracked, never lost.
    const wide = await pipeline(cmaEs(), quad, fQuad, 120, { parallelism: 16, seed: 8 })
    for (const e of wide.events) expect(stateOf(e.state).members.length).toBeLessThanOrEqual(16)
    expect(bestOf(wide.history)).toBeLessThan(0.05)
  })

  test('maximize: the sign is handled', async () => {
    const { history } = await drive(cmaEs(), quad, (p) => -fQuad(p), 120, { seed: 2, direction: 'maximize' })
    expect(bestOf(history, 'maximize')).toBeGreaterThan(-1e-3)
  })

  test('same seed → same candidates; different seeds differ', async () => {
    const a = await pipeline(cmaEs(), mixed, fMixed, 40, { seed: 1, parallelism: 2 })
    const b = await pipeline(cmaEs(), mixed, fMixed, 40, { seed: 1, parallelism: 2 })
    const c = await pipeline(cmaEs(), mixed, fMixed, 40, { seed: 2, parallelism: 2 })
    expect(b.history).toEqual(a.history)
    expect(c.history.map((t) => t.candidate)).not.toEqual(a.history.map((t) => t.candidate))
  })

  test('categorical dimensions: sampled from the elite, they settle on the best choice; uniform mode stays uniform', async () => {
    const s = space({ x: float(0, 1), k: categorical(['a', 'b', 'c', 'd']) })
    const f = (p: Params): number => (num(p, 'x') - 0.3) ** 2 + ({ a: 1, b: 0, c: 1, d: 1 } as Record<string, number>)[p['k'] as string]!
    const share = (h: TrialView[]): number => h.slice(-50).filter((t) => (t.candidate as Params)['k'] === 'b').length / 50
    expect(share((await drive(cmaEs(), s, f, 120, { seed: 3 })).history)).toBeGreaterThan(0.6)
    expect(share((await drive(cmaEs({ categorical: 'uniform' }), s, f, 120, { seed: 3 })).history)).toBeLessThan(0.45)
    // Only categoricals: no CMA-ES at all, still valid candidates.
    const cats = space({ k: categorical(['a', 'b', 'c', 'd']), m: categorical([1, 2]) })
    const { history } = await drive(cmaEs(), cats, (p) => (p['k'] === 'c' ? 0 : 1) + (p['m'] === 2 ? 0 : 1), 60, { seed: 1 })
    for (const t of history) assertCandidate(cats, t.candidate)
    expect(bestOf(history)).toBe(0)
  })

  test('one numeric dimension, random start-up trials and warm-start history', async () => {
    const s = space({ x: float(-10, 10, { step: 0.5 }) })
    const { history } = await drive(cmaEs({ nStartupTrials: 5 }), s, (p) => (num(p, 'x') - 2.5) ** 2, 60, { seed: 1 })
    expect(bestOf(history)).toBe(0)
    const seeded: TrialView[] = [{ trialIdx: 0, candidate: { x: 1, k: 'b' } as Json, status: 'ok', score: -5, seeded: true }]
    const s2 = space({ x: float(0, 2), k: categorical(['a', 'b']) })
    const state = await cmaEs().sampler!.init({ seed: 1, rng: Rng.fromSeed(1), direction: 'minimize', space: s2, history: seeded })
    expect(Array.from(stateOf(state).elite[0]!.cats)).toEqual([1])
  })
})
