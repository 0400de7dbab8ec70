import { assertCandidate, categorical, float, int, Rng, space, type TrialView } from '@cairn/core'
import { describe, expect, test } from 'vitest'
import { hypervolume, randomSearch, tpe } from '../src/index.js'
import { compileSpace } from '../src/space-math/index.js'
import { splitGroups, splitMultiObjective, weightsBelow } from '../src/tpe/multi-objective.js'
import { scoreObservations } from '../src/tpe/objectives.js'
import { resolveTpeOptions } from '../src/tpe/options.js'
import { NumericParzen } from '../src/tpe/univariate.js'
import { driveMo, zdt1 } from './mo-helpers.js'

const N = 6
const zdtSpace = space(Object.fromEntries(Array.from({ length: N }, (_, i) => [`x${i}`, float(0, 1)])))
const valuesOf = (h: readonly TrialView[]) => h.filter((t) => t.status === 'ok' && t.values).map((t) => t.values as number[])
const REF = [1.1, 11]
const TWO = ['minimize', 'minimize'] as const

describe('tpe with several objectives (MOTPE)', () => {
  test('declares several objectives and constraints', () => {
    expect(tpe().capabilities).toMatchObject({ multiObjective: true, constraints: true })
  })

  test('improves the hypervolume of ZDT1 (6 variables, 60 trials) over random search on 5 of 5 seeds', async () => {
    const f = (p: Record<string, unknown>) => ({ values: zdt1(p as never, N) })
    for (let seed = 1; seed <= 5; seed++) {
      const mo = await driveMo(tpe(), zdtSpace, f, 60, { seed, directions: [...TWO] })
      const rs = await driveMo(randomSearch(), zdtSpace, f, 60, { seed, directions: [...TWO] })
      expect(hypervolume(valuesOf(mo.history), REF)).toBeGreaterThan(hypervolume(valuesOf(rs.history), REF))
    }
  })

  test('proposes valid candidates of a mixed space, maximizing one objective, deterministically', async () => {
    const mixed = space({ a: float(1e-4, 1, { log: true }), b: int(1, 9), c: categorical(['x', 'y', 'z']), d: float(0, 1, { step: 0.1 }) })
    const f = (p: Record<string, unknown>) => ({
      values: [(p.b as number) + (p.d as number), -Math.log10(p.a as number) + (p.c === 'y' ? 1 : 0)],
    })
    const run = (seed: number) => driveMo(tpe({ multivariate: true }), mixed, f, 40, { seed, directions: ['maximize', 'minimize'] })
    const a = await run(4)
    for (const t of a.history) expect(() => assertCandidate(mixed, t.candidate)).not.toThrow()
    expect((await run(4)).history.map((t) => t.candidate)).toEqual(a.history.map((t) => t.candidate))
    expect((await run(5)).history.map((t) => t.candidate)).not.toEqual(a.history.map((t) => t.candidate))
  })

  test('good-trial weights are hypervolume contributions over the largest; infeasible ones EPS', () => {
    const losses = [new Float64Array([0, 2]), new Float64Array([1, 1]), new Float64Array([2, 0]), new Float64Array([0.5, 0.5])]
    // Reference max(1.1 · worst, 0.9 · worst) = (2.2, 2.2); exclusive volumes: (0, 2) and (2, 0) 0.5 · 0.2, (0.5, 0.5) 1.5 · 1.5.
    const w = weightsBelow(losses, Uint32Array.from([0, 2, 3]))
    const c0 = 0.5 * 0.2
    const c3 = (2 - 0.5) * (2 - 0.5)
    expect(w[0]).toBeCloseTo(c0 / c3, 9)
    expect(w[1]).toBeCloseTo(c0 / c3, 9)
    expect(w[2]).toBeCloseTo(1, 12)
    const constrained = weightsBelow(losses, Uint32Array.from([0, 1, 2]), Float64Array.from([0, 0.3, 0]))
    expect(constrained[1]).toBe(1e-12)
  })
})

describe('tpe with constraints', () => {
  // Minimize (x − 0.2)² + (y − 0.2)² subject to x + y ≥ 1.2: the optimum is (0.6, 0.6), value 0.32.
  const s = space({ x: float(0, 1), y: float(0, 1) })
  const f = (told: boolean) => (p: Record<string, unknown>) => ({
    score: ((p.x as number) - 0.2) ** 2 + ((p.y as number) - 0.2) ** 2,
    ...(told ? { constraints: [1.2 - (p.x as number) - (p.y as number)] } : {}),
  })
  const feasibleXy = (t: TrialView) => (t.candidate as { x: number }).x * (t.candidate as { y: number }).y >= 0.25
  const feasible = (t: TrialView) => (t.candidate as { x: number }).x + (t.candidate as { y: number }).y >= 1.2

  test('steers the search to the feasible region and finds a feasible point near the constrained optimum', async () => {
    let bestSum = 0
    for (let seed = 1; seed <= 5; seed++) {
      const withC = await driveMo(tpe(), s, f(true), 60, { seed })
      const without = await driveMo(tpe(), s, f(false), 60, { seed })
      const share = (h: readonly TrialView[]) => h.slice(30).filter(feasible).length / 30
      expect(share(withC.history)).toBeGreaterThan(share(without.history) + 0.3)
      bestSum += Math.min(...withC.history.filter(feasible).map((t) => t.score as number))
    }
    expect(bestSum / 5).toBeLessThan(0.4)
  })

  test('with several objectives, the good group is feasible first', async () => {
    // Minimize (x, y) subject to x · y ≥ 0.25: without the constraint the front is at x = 0 or y = 0.
    const g = (told: boolean) => (p: Record<string, unknown>) => ({
      values: [p.x as number, p.y as number],
      ...(told ? { constraints: [0.25 - (p.x as number) * (p.y as number)] } : {}),
    })
    let withC = 0
    let without = 0
    for (let seed = 1; seed <= 3; seed++) {
      withC += (await driveMo(tpe(), s, g(true), 60, { seed, directions: [...TWO] })).history.slice(30).filter(feasibleXy).length
      without += (await driveMo(tpe(), s, g(false), 60, { seed, directions: [...TWO] })).history.slice(30).filter(feasibleXy).length
    }
    expect(withC / 90).toBeGreaterThan(without / 90 + 0.25)
  })
})

describe("tpe's good group with several objectives, as Optuna 3.1's MOTPE", () => {
  const rows = (points: number[][]) => points.map((p) => Float64Array.from(p))
  /** Six rows of two losses: rank 0 rows 0 and 2; rank 1 rows 1, 3 and 4; rank 2 row 5. */
  const sixRows = () =>
    rows([
      [0, 3],
      [1, 4],
      [3, 0],
      [1.2, 3.9],
      [4, 1],
      [5, 5],
    ])

  test('whole ranks while they fit, then the rank that does not fit is cut by greedy hypervolume subset selection', () => {
    // Rank 0: rows 0 and 2. Rank 1: a = row 1, b = row 3, c = row 4. Rank 2: row 5. Four good rows:
    // rank 0 and two of rank 1. Reference of rank 1: 1.1 × its worst point (4, 4) = (4.4, 4.4).
    // Alone, a and c each dominate 3.4 × 0.4 = 1.36 and b 3.2 × 0.5 = 1.6, so b comes first.
    // Next to b, a adds 1.36 − 3.2 × 0.4 = 0.08 and c 1.36 − 0.4 × 0.5 = 1.16: c, not a (the two best alone).
    const losses = sixRows()
    const { below, above } = splitMultiObjective(losses, undefined, 7, 4)
    expect(Array.from(below)).toEqual([0, 2, 3, 4])
    // Row 6 is in flight: never good.
    expect(Array.from(above)).toEqual([1, 5, 6])
  })

  test('with constraints, feasible rows first; too few feasible: the least violations', () => {
    const losses = sixRows()
    // Rows 0 and 2 infeasible: ranks are taken among the feasible rows 1, 3, 4, 5 (1, 3, 4 non-dominated).
    const v = Float64Array.from([0.5, 0, 0.1, 0, 0, 0])
    expect(Array.from(splitMultiObjective(losses, v, 6, 3).below)).toEqual([1, 3, 4])
    // Two feasible rows for three places: the least violations, feasible first (0, 0, 0.1).
    const few = Float64Array.from([0.5, 0, 0.1, 0.7, 0.2, 0])
    expect(Array.from(splitMultiObjective(losses, few, 6, 3).below)).toEqual([1, 2, 5])
  })

  // Points spread by golden-ratio-like sequences; the expected rows and weights are what Optuna 3.1's
  // `_split_observation_pairs` and `_calculate_weights_below_for_multi_objective` return for them.
  const spread = (n: number, m: number) =>
    rows(
      Array.from({ length: n }, (_, i) => {
        const x = (i * 0.6180339887) % 1
        const y = (i * 0.7548776662) % 1
        const z = (i * 0.569840291) % 1
        return m === 2 ? [x, (1 - x) ** 2 + y] : [x + z, y + (1 - x), z + (1 - y)]
      }),
    )
  const cases: { n: number; m: number; k: number; below: number[]; weights: number[] }[] = [
    {
      n: 60,
      m: 2,
      k: 6,
      below: [0, 4, 12, 20, 53, 57],
      weights: [0.456817099249, 0.573965071214, 0.119696634196, 0.131593627821, 0.348390150929, 1.0],
    },
    {
      n: 60,
      m: 2,
      k: 20,
      below: [0, 4, 8, 12, 20, 24, 28, 31, 32, 34, 36, 39, 40, 44, 47, 48, 52, 53, 56, 57],
      weights: [
        1.0, 0.354903265901, 0.0392859851377, 0.0954882087394, 0.101022310417, 1.59880189252e-11, 0.00395674675096, 1.59880189252e-11,
        1.59880189252e-11, 1.59880189252e-11, 1.59880189252e-11, 1.59880189252e-11, 0.0139888714388, 0.0726960083788, 1.59880189252e-11,
        1.59880189252e-11, 0.0025983901641, 0.329223131321, 1.59880189252e-11, 0.184604020176,
      ],
    },
    {
      n: 45,
      m: 3,
      k: 5,
      below: [0, 2, 16, 30, 37],
      weights: [1.0, 0.328968940716, 0.227069443091, 0.978187896359, 0.511397531354],
    },
    {
      n: 80,
      m: 3,
      k: 25,
      below: [0, 2, 4, 8, 9, 11, 13, 16, 23, 30, 32, 37, 44, 51, 53, 55, 57, 58, 60, 65, 67, 72, 74, 76, 79],
      weights: [
        1.0, 0.0836451546703, 0.16584115654, 0.0158964864862, 0.1057919161, 0.0355465220827, 0.00644209004127, 0.291447821692,
        0.0531243357837, 0.0550539357012, 7.34855490198e-12, 0.526262885894, 0.0447509057975, 0.0433466530487, 0.0566897555267,
        0.0763595031231, 0.00361038507371, 0.097407108173, 7.34203097131e-12, 0.18181084995, 7.34529293665e-12, 0.157553418564,
        7.34529293665e-12, 0.0343284298793, 0.312662197454,
      ],
    },
  ]
  for (const c of cases)
    test(`${c.n} points, ${c.m} objectives, ${c.k} good: Optuna's rows and weights`, () => {
      const losses = spread(c.n, c.m)
      const { below } = splitMultiObjective(losses, undefined, c.n, c.k)
      expect(Array.from(below)).toEqual(c.below)
      const w = weightsBelow(losses, below)
      // 12 significant digits; near-zero contributions are EPS plus rounding noise of a hypervolume difference.
      for (const [i, x] of w.entries()) expect(Math.abs(x - c.weights[i]!)).toBeLessThan(1e-11 * c.weights[i]! + 1e-14)
    })
})

describe("tpe's model with several objectives, as Optuna 3.1's MOTPE", () => {
  test("log l(x) − log g(x) per dimension equals Optuna's on a fixed history of 60 trials", () => {
    // The expected values are Optuna 3.1's `_ParzenEstimator` log-densities (good kernels weighted by
    // `_calculate_weights_below_for_multi_objective`, prior weight 1, its bandwidths) on the same history.
    const n = 60
    const s = space({ x: float(0, 1), y: float(0, 1) })
    const history: TrialView[] = Array.from({ length: n }, (_, i) => {
      const x = (i * 0.6180339887) % 1
      const y = (i * 0.7548776662) % 1
      return { trialIdx: i, candidate: { x, y }, status: 'ok', values: [x + 0.1 * y, 1 - Math.sqrt(x) + y] }
    })
    const expected: Record<string, number[]> = {
      x: [
        2.53606095673, 2.43582686493, 2.40253792503, 2.42358924442, 2.34549875717, 2.24197054517, 2.13780352474, 2.13118632702,
        2.02192733586, 2.006916168, 2.04297464072,
      ],
      y: [
        3.40981579807, 2.82848417454, 2.28410334357, 2.37321363303, 2.00686432634, 1.95099636618, 2.1276199993, 1.91148587031,
        2.11652412747, 1.90361108868, 2.068706527,
      ],
    }
    const cs = compileSpace(s)
    const ctx = { trialIdx: n, rng: Rng.fromSeed(0), history, pending: [], space: s, direction: 'minimize', directions: [...TWO] } as const
    const scored = scoreObservations(cs, ctx, [])
    const groups = splitGroups(resolveTpeOptions({}), scored)
    expect(Array.from(groups.below)).toEqual([0, 4, 12, 52, 53, 57])
    const cfg = resolveTpeOptions({})
    const model = { ...cfg, ...cfg.multiObjective }
    cs.numeric.forEach((dim, j) => {
      const l = new NumericParzen(dim, scored.obs.numeric[j]!, groups.below, groups.wBelow, model, model.bandwidthBelow)
      const g = new NumericParzen(dim, scored.obs.numeric[j]!, groups.above, groups.wAbove, model)
      const got = Array.from({ length: 11 }, (_, i) => Math.log(l.density(i / 10)) - Math.log(g.density(i / 10)))
      // Our normal CDF is accurate to about 1e-7 relative (Optuna's to machine precision).
      for (const [i, v] of got.entries()) expect(v).toBeCloseTo(expected[dim.name]![i]!, 5)
    })
  })
})

describe('local moves with several objectives', () => {
  // Three categorical dims of six choices: a local move keeps its centre's three choices, an l/g pick draws each on its own.
  const six = ['a', 'b', 'c', 'd', 'e', 'f']
  const s = space({ u: float(0, 1), v: float(0, 1), c1: categorical(six), c2: categorical(six), c3: categorical(six) })
  const idx = (p: Record<string, unknown>, k: string) => six.indexOf(p[k] as string) / 6
  const f = (p: Record<string, unknown>) => ({
    values: [(p.u as number) + idx(p, 'c1'), 1 - (p.u as number) + (p.v as number) + idx(p, 'c2') + idx(p, 'c3')],
  })
  const tuple = (t: TrialView) => ['c1', 'c2', 'c3'].map((k) => (t.candidate as Record<string, unknown>)[k]).join()
  /** How many model-based proposals keep the categorical choices of a trial of the good group they were asked with. */
  const keptFromGood = (history: readonly TrialView[], cfgOptions: Record<string, unknown>) => {
    const cfg = resolveTpeOptions(cfgOptions)
    const cs = compileSpace(s)
    let kept = 0
    for (let i = 10; i < history.length; i++) {
      const prefix = history.slice(0, i)
      const ctx = {
        trialIdx: i,
        rng: Rng.fromSeed(0),
        history: prefix,
        pending: [],
        space: s,
        direction: 'minimize',
        directions: [...TWO],
      } as const
      const { below } = splitGroups({ ...cfg, ...cfg.multiObjective }, scoreObservations(cs, ctx, []))
      if (Array.from(below).some((r) => tuple(prefix[r]!) === tuple(history[i]!))) kept++
    }
    return kept
  }

  test('localFraction 1: every model-based proposal is a move around a good trial (its categorical choices kept), valid and reproducible', async () => {
    const run = () => driveMo(tpe({ localFraction: 1 }), s, f, 40, { seed: 3, directions: [...TWO] })
    const { history } = await run()
    for (const t of history) assertCandidate(s, t.candidate)
    expect(keptFromGood(history, { localFraction: 1 })).toBe(30)
    expect((await run()).history).toEqual(history)
    // Optuna's MOTPE (no local moves) does not keep them all.
    const optuna = await driveMo(tpe({ optunaDefaults: true }), s, f, 40, { seed: 3, directions: [...TWO] })
    expect(keptFromGood(optuna.history, { optunaDefaults: true })).toBeLessThan(30)
  })

  test('tpe() makes local moves by default (localFraction 0.3); localFraction 0 is Optuna’s MOTPE exactly', async () => {
    const run = (o: Record<string, unknown>, seed: number) => driveMo(tpe(o), s, f, 40, { seed, directions: [...TWO] })
    let byDefault = 0
    let optuna = 0
    for (let seed = 1; seed <= 4; seed++) {
      const d = await run({}, seed)
      const o = await run({ optunaDefaults: true }, seed)
      // Several objectives take Optuna's prior weight and kernel widths: without local moves, Optuna's proposals.
      expect((await run({ localFraction: 0 }, seed)).history).toEqual(o.history)
      expect(d.history).not.toEqual(o.history)
      byDefault += keptFromGood(d.history, {})
      optuna += keptFromGood(o.history, { optunaDefaults: true })
    }
    // About 30% of the 120 model-based proposals are local moves, which keep a good trial's choices.
    expect(byDefault).toBeGreaterThan(optuna + 10)
  })
})
