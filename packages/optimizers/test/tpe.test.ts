import { InvalidInputError, Rng, assertCandidate, categorical, float, int, space, type Json, type TrialView } from '@cairn/core'
import { describe, expect, test } from 'vitest'
import { randomSearch, tpe } from '../src/index.js'
import { bestOf, drive, median, type Params } from './helpers.js'

const quad = space({ x: float(-5, 5), y: float(-5, 5) })
const fQuad = (p: Params): number => ((p.x as number) - 1.5) ** 2 + ((p.y as number) + 2) ** 2

const mixed = space({
  kind: categorical(['rbf', 'linear', 'poly']),
  lr: float(1e-5, 1e-1, { log: true }),
  n: int(1, 64),
  w: int(1, 1024, { log: true }),
  q: float(0, 1, { step: 0.05 }),
})
const fMixed = (p: Params): number =>
  (Math.log10(p.lr as number) + 3) ** 2 / 10 +
  (((p.n as number) - 17) / 32) ** 2 +
  (Math.log2(p.w as number) - 5) ** 2 / 50 +
  ((p.q as number) - 0.35) ** 2 +
  ({ rbf: 0, linear: 0.3, poly: 0.6 } as Record<string, number>)[p.kind as string]!

/** Asks once with a copy of `rng`, so two asks can be compared draw for draw. */
async function askWith(
  o: ReturnType<typeof tpe>,
  s: typeof quad,
  history: TrialView[],
  rng: Rng,
  pending: { trialIdx: number; candidate: Json }[] = [],
) {
  const sampler = o.sampler!
  const state = await sampler.init({ seed: 1, rng, direction: 'minimize', space: s, history })
  const asked = await sampler.ask(state, { trialIdx: history.length, rng: rng.clone(), history, pending, direction: 'minimize', space: s })
  if (asked.kind !== 'candidate') throw new Error('halted')
  return asked.candidate
}

describe('tpe', () => {
  test("id, state version, options stored as JSON (our defaults, or Optuna 3.1's with optunaDefaults)", () => {
    const o = tpe()
    expect(o.id).toBe('@cairn/optimizers/tpe')
    expect(o.stateVersion).toBe(1)
    expect(o.options).toEqual({
      nStartupTrials: 10,
      nEiCandidates: 24,
      gamma: 0.1,
      gammaMax: 25,
      priorWeight: 2,
      considerEndpoints: false,
      considerMagicClip: true,
      multivariate: false,
      constantLiar: false,
      optunaDensity: true,
      bandwidthBelow: 0.7,
      localFraction: 0.3,
      localScale: 2,
    })
    expect(tpe({ optunaDefaults: true }).options).toMatchObject({
      priorWeight: 1,
      bandwidthBelow: 1,
      localFraction: 0,
      gamma: 0.1,
      gammaMax: 25,
      nEiCandidates: 24,
    })
    expect(tpe({ multivariate: true }).options).toMatchObject({ priorWeight: 1, bandwidthBelow: 1, localFraction: 0 })
    // Explicit options win over either set of defaults.
    expect(tpe({ optunaDefaults: true, priorWeight: 3 }).options).toMatchObject({ priorWeight: 3, bandwidthBelow: 1 })
    expect(JSON.parse(JSON.stringify(tpe({ multivariate: true, constantLiar: true }).options))).toMatchObject({
      multivariate: true,
      constantLiar: true,
    })
  })

  test('the startup trials are the random search ones (same seed)', async () => {
    const a = await drive(tpe(), mixed, fMixed, 10, { seed: 4 })
    const b = await drive(randomSearch(), mixed, fMixed, 10, { seed: 4 })
    expect(a.history.map((t) => t.candidate)).toEqual(b.history.map((t) => t.candidate))
  })

  for (const multivariate of [false, true]) {
    test(`${multivariate ? 'multivariate' : 'univariate'}: concentrates near the optimum, beating random search`, async () => {
      const t: number[] = []
      const r: number[] = []
      const lateDist: number[] = []
      const lateRandom: number[] = []
      for (let seed = 1; seed <= 5; seed++) {
        const run = await drive(tpe({ multivariate }), quad, fQuad, 60, { seed })
        t.push(bestOf(run.history))
        const rnd = await drive(randomSearch(), quad, fQuad, 60, { seed })
        r.push(bestOf(rnd.history))
        lateRandom.push(median(rnd.history.slice(-20).map((h) => h.score!)))
        lateDist.push(median(run.history.slice(-20).map((h) => h.score!)))
      }
      expect(median(t)).toBeLessThan(median(r))
      expect(median(t)).toBeLessThan(0.1)
      // The late proposals sit near the optimum: far closer than random ones.
      expect(median(lateDist)).toBeLessThan(median(lateRandom) / 3)
    })

    test(`${multivariate ? 'multivariate' : 'univariate'}: ints, log ints, steps, log floats and categoricals stay valid and improve`, async () => {
      const run = await drive(tpe({ multivariate }), mixed, fMixed, 80, { seed: 3 })
      for (const t of run.history) assertCandidate(mixed, t.candidate)
      for (const t of run.history) expect((((t.candidate as Params).q as number) * 20) % 1).toBeCloseTo(0, 9)
      const late = run.history.slice(-30)
      // The categorical optimum ('rbf', the others cost 0.3+) is most of the late proposals (random: a third).
      expect(late.filter((t) => (t.candidate as Params).kind === 'rbf').length).toBeGreaterThanOrEqual(15)
      const rnd = await drive(randomSearch(), mixed, fMixed, 80, { seed: 3 })
      expect(bestOf(run.history)).toBeLessThan(bestOf(rnd.history))
    })
  }

  test('normalized kernels (optunaDensity: false), categorical-only and int-only spaces work in both modes', async () => {
    const cats = space({ a: categorical(['x', 'y', 'z', 'w']), b: categorical([1, 2]) })
    const fc = (p: Params): number => (p.a === 'z' ? 0 : 1) + (p.b === 2 ? 0 : 0.5)
    const ints = space({ n: int(-3, 3), m: int(1, 100, { log: true }) })
    const fi = (p: Params): number => Math.abs((p.n as number) - 2) + Math.abs(Math.log((p.m as number) / 20))
    for (const multivariate of [false, true]) {
      for (const optunaDensity of [true, false]) {
        const c = await drive(tpe({ multivariate, optunaDensity }), cats, fc, 40, { seed: 2 })
        // Random search would hit the best of 8 combinations about twice in 15.
        expect(c.history.slice(-15).filter((t) => t.score === 0).length).toBeGreaterThanOrEqual(5)
        const i = await drive(tpe({ multivariate, optunaDensity }), ints, fi, 40, { seed: 2 })
        for (const t of i.history) assertCandidate(ints, t.candidate)
        expect(bestOf(i.history)).toBeLessThan(0.2)
        const q = await drive(tpe({ multivariate, optunaDensity }), quad, fQuad, 40, { seed: 2 })
        expect(bestOf(q.history)).toBeLessThan(0.5)
      }
    }
  })

  test('local moves (localFraction) stay valid, stay near the best trial and are reproducible; 0 makes no extra draw', async () => {
    const all = await drive(tpe({ localFraction: 1 }), mixed, fMixed, 40, { seed: 5 })
    for (const t of all.history) assertCandidate(mixed, t.candidate)
    const again = await drive(tpe({ localFraction: 1 }), mixed, fMixed, 40, { seed: 5 })
    expect(again.history).toEqual(all.history)
    // Every model-based proposal keeps the best trial's categorical choice.
    for (let i = 10; i < all.history.length; i++) {
      const prev = all.history.slice(0, i)
      const best = prev.reduce((a, b) => (b.score! < a.score! ? b : a))
      expect((all.history[i]!.candidate as Params).kind).toBe((best.candidate as Params).kind)
    }
    // localFraction 0 with Optuna's other settings is the Optuna-compatible sampler: no RNG draw is spent on the coin.
    const a = await drive(tpe({ optunaDefaults: true }), mixed, fMixed, 25, { seed: 5 })
    const b = await drive(tpe({ priorWeight: 1, bandwidthBelow: 1, localFraction: 0 }), mixed, fMixed, 25, { seed: 5 })
    expect(b.history).toEqual(a.history)
  })

  test('respects direction: maximizing −f proposes exactly what minimizing f does', async () => {
    for (const multivariate of [false, true]) {
      const min = await drive(tpe({ multivariate }), quad, fQuad, 25, { seed: 8 })
      const max = await drive(tpe({ multivariate }), quad, (p) => -fQuad(p), 25, { seed: 8, direction: 'maximize' })
      expect(max.history.map((t) => t.candidate)).toEqual(min.history.map((t) => t.candidate))
    }
  })

  test('failed trials (errors, NaN or infinite scores, foreign candidates) are left out of the model', async () => {
    const base = await drive(randomSearch(), quad, fQuad, 15, { seed: 2 })
    const clean = base.history
    const noisy: TrialView[] = []
    for (const [i, t] of clean.entries()) {
      noisy.push(t)
      if (i % 3 === 0) noisy.push({ trialIdx: -1, candidate: { x: 4.9, y: 4.9 }, status: 'error' })
      if (i === 5) noisy.push({ trialIdx: -1, candidate: { x: 1.5, y: -2 }, status: 'ok', score: Number.NaN })
      if (i === 6) noisy.push({ trialIdx: -1, candidate: { x: 1.5, y: -2 }, status: 'ok', score: -Infinity })
      if (i === 7) noisy.push({ trialIdx: -1, candidate: { x: 99, y: 0 }, status: 'ok', score: -1000 })
      if (i === 8) noisy.push({ trialIdx: -1, candidate: { x: 'a' }, status: 'ok', score: -1000 })
    }
    for (const multivariate of [false, true]) {
      for (let seed = 0; seed < 5; seed++) {
        const a = await askWith(tpe({ multivariate }), quad, clean, Rng.fromSeed(seed))
        const b = await askWith(tpe({ multivariate }), quad, noisy, Rng.fromSeed(seed))
        expect(b).toEqual(a)
      }
    }
  })

  test('failed trials do not count towards nStartupTrials', async () => {
    const errors: TrialView[] = Array.from({ length: 20 }, (_, i) => ({ trialIdx: i, candidate: { x: 0, y: 0 }, status: 'error' }))
    const a = await askWith(tpe(), quad, errors, Rng.fromSeed(1))
    const rnd = randomSearch().sampler!
    const b = await rnd.ask({ v: 1 }, { trialIdx: 0, rng: Rng.fromSeed(1), history: [], pending: [], direction: 'minimize', space: quad })
    expect(a).toEqual(b.kind === 'candidate' ? b.candidate : null)
  })

  test('constant liar: pending candidates count as the worst, so parallel asks spread out', async () => {
    const { history } = await drive(randomSearch(), quad, fQuad, 30, { seed: 6 })
    for (const multivariate of [false, true]) {
      const rng = Rng.fromSeed(11)
      // (Local moves, localFraction, ignore the model and so the liar: compare pure l/g picks.)
      const first = await askWith(tpe({ multivariate, constantLiar: true, localFraction: 0 }), quad, history, rng)
      // With that candidate in flight the same draws propose something else...
      const withPending = await askWith(tpe({ multivariate, constantLiar: true, localFraction: 0 }), quad, history, rng, [
        { trialIdx: 30, candidate: first },
      ])
      expect(withPending).not.toEqual(first)
      // ...while without the liar the in-flight candidate is ignored.
      const plain = await askWith(tpe({ multivariate, localFraction: 0 }), quad, history, rng, [{ trialIdx: 30, candidate: first }])
      expect(plain).toEqual(first)
      // Four asks in a row with the earlier ones pending: four distinct candidates.
      const o = tpe({ multivariate, constantLiar: true })
      const sampler = o.sampler!
      const r = Rng.fromSeed(12)
      let state = await sampler.init({ seed: 12, rng: r, direction: 'minimize', space: quad, history })
      const pending: { trialIdx: number; candidate: Json }[] = []
      for (let i = 0; i < 4; i++) {
        const asked = await sampler.ask(state, {
          trialIdx: 30 + i,
          rng: r,
          history,
          pending: [...pending],
          direction: 'minimize',
          space: quad,
        })
        if (asked.kind !== 'candidate') throw new Error('halted')
        state = asked.state
        pending.push({ trialIdx: 30 + i, candidate: asked.candidate })
      }
      expect(new Set(pending.map((p) => JSON.stringify(p.candidate))).size).toBe(4)
    }
  })

  test('the state stays a constant, whatever the history', async () => {
    const o = tpe()
    const run = await drive(o, quad, fQuad, 30)
    expect(run.state).toEqual({ v: 1 })
    expect(o.encodeState(run.state as never)).toEqual(o.encodeState({ v: 1 }))
    expect(o.decodeState(o.encodeState({ v: 1 }), 1)).toEqual({ v: 1 })
  })

  test('same seed → same candidates; warm-start (seeded) history is used like any other', async () => {
    const a = await drive(tpe(), mixed, fMixed, 25, { seed: 9 })
    const b = await drive(tpe(), mixed, fMixed, 25, { seed: 9 })
    expect(b.history).toEqual(a.history)
    const seeded = a.history.map((t) => ({ ...t, seeded: true }))
    const c = await askWith(tpe(), mixed as never, seeded, Rng.fromSeed(3))
    const d = await askWith(tpe(), mixed as never, a.history, Rng.fromSeed(3))
    expect(c).toEqual(d)
  })

  test('refuses bad options, naming them', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ nStartupTrials: -1 }, /nStartupTrials/],
      [{ nStartupTrials: 1.5 }, /nStartupTrials/],
      [{ nEiCandidates: 0 }, /nEiCandidates/],
      [{ gamma: 0 }, /gamma/],
      [{ gamma: 1.5 }, /gamma/],
      [{ gammaMax: 0 }, /gammaMax/],
      [{ priorWeight: 0 }, /priorWeight/],
      [{ priorWeight: Number.NaN }, /priorWeight/],
      [{ multivariate: 'yes' }, /multivariate/],
      [{ constantLiar: 1 }, /constantLiar/],
      [{ considerEndpoints: null }, /considerEndpoints/],
      [{ bandwidthBelow: 0 }, /bandwidthBelow/],
      [{ localFraction: 1.5 }, /localFraction/],
      [{ localFraction: -0.1 }, /localFraction/],
      [{ localScale: 0 }, /localScale/],
      [{ optunaDefaults: 'yes' }, /optunaDefaults/],
      [{ nStartup: 3 }, /unknown option nStartup/],
    ]
    for (const [opts, re] of bad) {
      expect(() => tpe(opts as never)).toThrow(InvalidInputError)
      expect(() => tpe(opts as never)).toThrow(re)
      expect(() => tpe(opts as never)).toThrow(/^\[@cairn\/optimizers\] tpe: /)
    }
    expect(() => tpe('x' as never)).toThrow(/options must be an object/)
  })

  test('refuses an unknown state version (naming expected and found) and a missing space', async () => {
    const o = tpe()
    const bytes = o.encodeState({ v: 1 })
    expect(() => o.decodeState(bytes, 2)).toThrow(InvalidInputError)
    expect(() => o.decodeState(bytes, 2)).toThrow(/unknown state version 2, expected 1/)
    expect(() => o.decodeState(new TextEncoder().encode('{"v":'), 1)).toThrow(/corrupt/)
    expect(() => o.init({ seed: 1, rng: Rng.fromSeed(1), direction: 'minimize', history: [] })).toThrow(/tpe: needs a search space/)
    await expect(async () =>
      o.sampler!.ask({ v: 1 }, { trialIdx: 0, rng: Rng.fromSeed(1), history: [], pending: [], direction: 'minimize' }),
    ).rejects.toThrow(InvalidInputError)
  })
})
