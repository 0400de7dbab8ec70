/** The web app's data logic, run in Node: score axis, contour bins, table sort and CSV, event stream parsing, importance, the page model. */
import type { TrialRecord } from '@cairn/core'
import { describe, expect, test } from 'vitest'
import { EventStreamParser, type ServerSentEvent } from '../src/web/data/sse.js'
import { MAX_BINS, permutationImportance, setUniqueSplitCandidates } from '../src/web/importance/permutation.js'
import { packCurves } from '../src/server/pack-curves.js'
import { binnedMean, binningOf } from '../src/web/model/contour-grid.js'
import { curveTrials, selectCurves } from '../src/web/model/curves.js'
import { paramColumn, scoredTrials } from '../src/web/model/derived.js'
import { numericValue, paramsOf, type ParamInfo } from '../src/web/model/params.js'
import { MAX_BEST_PARALLEL_LINES, MAX_PARALLEL_LINES, parallelRows } from '../src/web/model/parallel-rows.js'
import { onePerCell, onePerColumn } from '../src/web/model/thin-points.js'
import { scoreAxis } from '../src/web/model/score-range.js'
import { SessionModel } from '../src/web/model/session-model.js'
import { csvCell, defaultSort, sortedOrder, tableColumns, toCsv } from '../src/web/model/table-columns.js'
import { fixtureSession } from './helpers/fixture-session.js'

describe('score axis', () => {
  const typical = Array.from({ length: 100 }, (_, i) => 0.9 + (i % 10) / 1000)

  test('one far outlier on the worse side is clipped; the best side never is', () => {
    const max = scoreAxis([...typical, -40], 'maximize', { log: false, clip: true })
    expect(max?.clipped).toBe(true)
    expect(max?.min).toBeGreaterThan(0.8)
    const min = scoreAxis([...typical, 1e6], 'minimize', { log: false, clip: true })
    expect(min?.clipped).toBe(true)
    expect(min?.max).toBeLessThan(1)
    // An exceptionally good score (the one that matters) stays on the axis.
    const good = scoreAxis([...typical, 5], 'maximize', { log: false, clip: true })
    expect(good?.clipped).toBe(false)
    expect(good?.max).toBeGreaterThan(5)
  })

  test('without clipping, or on a log axis, every score is on it', () => {
    expect(scoreAxis([...typical, -40], 'maximize', { log: false, clip: false })?.min).toBeLessThan(-40)
    const log = scoreAxis([1, 10, 100, 1000], 'minimize', { log: true, clip: false })
    expect(log?.log).toBe(true)
    expect(log?.min).toBeLessThan(1)
    expect(log?.max).toBeGreaterThan(1000)
    expect(scoreAxis([], 'minimize', { log: false, clip: true })).toBeNull()
  })
})

describe('contour bins', () => {
  test('the binned mean of each cell, integer parameters one bin per value, categorical one per choice', () => {
    const bx = binningOf({ name: 'depth', kind: 'numeric', integer: true, log: false, low: 1, high: 3 }, [])
    const by = binningOf({ name: 'kernel', kind: 'categorical', choices: ['rbf', 'linear'] }, [])
    expect(bx).toEqual({ kind: 'numeric', log: false, edges: [0.5, 1.5, 2.5, 3.5] })
    const cells = binnedMean(
      [
        [1, 0, 1],
        [1, 0, 3],
        [3, 1, 10],
      ],
      bx,
      by,
    )
    expect(cells).toEqual([
      [0.5, 1.5, 0, 0, 2, 2],
      [2.5, 3.5, 1, 1, 10, 1],
    ])
  })

  test('log parameters are cut in log10, with exact ends', () => {
    const b = binningOf({ name: 'lr', kind: 'numeric', integer: false, log: true, low: 1e-4, high: 1 }, [])
    expect(b.kind === 'numeric' && b.edges.length).toBe(21)
    expect(b.kind === 'numeric' && [b.edges[0], b.edges[5], b.edges[20]]).toEqual([1e-4, 1e-3, 1])
  })
})

describe('trial table', () => {
  const data = fixtureSession({ trials: 40 })
  const model = new SessionModel(data)

  test('sorts by score best first for the direction, trials without a score last', () => {
    const cols = tableColumns(model.params)
    const score = cols.find((c) => c.id === 'score')
    if (!score) throw new Error('no score column')
    const sort = defaultSort('maximize')
    const order = sortedOrder([...model.trials.keys()], model.trials, model.bestSoFar, score, sort.descending)
    const scores = order.map((i) => model.trials[i]?.score)
    const scored = scores.filter((s): s is number => s !== undefined)
    expect(scored).toEqual([...scored].sort((a, b) => b - a))
    expect(scores.slice(scored.length).every((s) => s === undefined)).toBe(true)
    expect(model.trials[order[0] as number]?.trialIdx).toBe(data.session.progress.bestTrialIdx)
    expect(defaultSort('minimize').descending).toBe(false)
  })

  test('CSV: raw numbers, quoted text, formulas defused', () => {
    expect(csvCell('a,b "c"', false)).toBe('"a,b ""c"""')
    expect(csvCell('=HYPERLINK("x")', false)).toBe(`"'=HYPERLINK(""x"")"`)
    expect(csvCell('-1.5', false)).toBe('-1.5')
    const csv = toCsv(tableColumns(model.params), model.trials, model.bestSoFar, [0, 1])
    const [header, first] = csv.split('\n')
    expect(header).toBe('trial,status,score,best so far,duration (ms),nEstimators,maxFeatures,maxDepth,minNumSamples,replacement,error')
    expect(first?.split(',').slice(0, 3)).toEqual(['0', 'ok', String(model.trials[0]?.score)])
  })
})

describe('session model', () => {
  test('appends streamed trials once, in index order, and keeps the best so far', () => {
    const data = fixtureSession({ trials: 10 })
    const extra = fixtureSession({ trials: 13 }).trials.slice(10)
    const model = new SessionModel({ ...data, trials: data.trials.slice(0, 8) })
    const changes: number[] = []
    model.onChange((c) => changes.push(c.appended))
    model.apply({ type: 'trials', trials: [...extra], session: data.session })
    // Trials 8 and 9 arrive after 10-12 (a catch-up after a reconnect), and 10 again.
    expect(model.addTrials([data.trials[9] as TrialRecord, data.trials[8] as TrialRecord, extra[0] as TrialRecord])).toBe(2)
    expect(model.trials.map((t) => t.trialIdx)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    expect(changes).toEqual([3, 2])
    let best: number | null = null
    model.trials.forEach((t, i) => {
      if (t.status === 'ok' && (best === null || (t.score as number) > best)) best = t.score as number
      expect(model.bestSoFar[i]).toBe(best)
    })
  })

  test('what the charts derive from the trials is computed once per change, and again after one', () => {
    const data = fixtureSession({ trials: 12 })
    const model = new SessionModel({ ...data, trials: data.trials.slice(0, 10) })
    const depth = model.params.find((p) => p.name === 'maxDepth') as ParamInfo
    const column = paramColumn(model, depth)
    expect(paramColumn(model, depth)).toBe(column)
    expect([...column]).toEqual(model.trials.map((t) => (t.candidate as { maxDepth: number }).maxDepth))
    const scored = scoredTrials(model).length
    model.addTrials(data.trials.slice(10))
    expect(paramColumn(model, depth)).not.toBe(column)
    expect(paramColumn(model, depth)).toHaveLength(12)
    expect(scoredTrials(model).length).toBe(scored + data.trials.slice(10).filter((t) => t.status === 'ok').length)
  })
})

describe('event stream parser', () => {
  test('joins data lines, skips comments, takes any line ending and chunks split anywhere', () => {
    const events: ServerSentEvent[] = []
    const retries: number[] = []
    const p = new EventStreamParser(
      (e) => events.push(e),
      (ms) => retries.push(ms),
    )
    const stream = ': keep-alive\n\ndata: {"a":\r\ndata: 1}\r\n\r\nevent: x\ndata:2\n\nretry: 3000\n\n'
    for (const ch of stream) p.push(ch)
    expect(events).toEqual([
      { event: 'message', data: '{"a":\n1}' },
      { event: 'x', data: '2' },
    ])
    expect(retries).toEqual([3000])
  })
})

describe('permutation importance', () => {
  test('ranks the parameter the score depends on first, and sums to 1', () => {
    let seed = 3
    const random = () => {
      seed = (seed * 16807) % 2147483647
      return seed / 2147483647
    }
    const rows = Array.from({ length: 200 }, () => [random(), random(), random()])
    const scores = rows.map(([a, b]) => 3 * (a as number) + 0.3 * (b as number))
    const r = permutationImportance({ names: ['a', 'b', 'noise'], rows, scores })
    const [a, b, noise] = r.importances.map((i) => i.importance) as [number, number, number]
    expect(a).toBeGreaterThan(b)
    expect(b).toBeGreaterThan(noise)
    expect(a + b + noise).toBeCloseTo(1, 9)
    expect({ trained: r.trained, heldOut: r.heldOut }).toEqual({ trained: 150, heldOut: 50 })
  })

  test('dropping repeated split thresholds builds the same forest; continuous columns are binned, the input is left alone', () => {
    let seed = 11
    const random = () => {
      seed = (seed * 16807) % 2147483647
      return seed / 2147483647
    }
    // An integer column (few values, many repeated thresholds) and a continuous one (binned).
    const rows = Array.from({ length: 160 }, () => [Math.floor(random() * 12), random(), random() < 0.5 ? 0 : 1])
    const before = rows.map((r) => [...r])
    const scores = rows.map(([a, b, c]) => Math.sin(a as number) + 2 * (b as number) + 0.1 * (c as number) + 0.05 * random())
    const input = { names: ['int', 'float', 'flag'], rows, scores }
    try {
      setUniqueSplitCandidates(false)
      const all = permutationImportance(input)
      setUniqueSplitCandidates(true)
      const unique = permutationImportance(input)
      expect(unique).toEqual(all)
      expect(unique.importances[1]?.importance).toBeGreaterThan(unique.importances[2]?.importance as number)
    } finally {
      setUniqueSplitCandidates(true)
    }
    expect(rows).toEqual(before)
    expect(new Set(rows.map((r) => r[1])).size).toBeGreaterThan(MAX_BINS)
  })
})

describe('slice points', () => {
  test('one point per cell of a numeric parameter: repeats dropped, distinct points kept', () => {
    const param = { name: 'depth', kind: 'numeric', integer: true, log: false, low: 1, high: 10 } as const
    const axis = { min: 0, max: 1, log: false, clipped: false }
    const points: Array<[number, number, number]> = []
    for (let i = 0; i < 5000; i++) points.push([1 + (i % 10), (i % 7) / 7, i])
    const kept = onePerCell(points, param, axis)
    expect(kept).toHaveLength(70)
    expect(kept[0]).toEqual([1, 0, 0])
    expect(onePerCell(points, { name: 'k', kind: 'categorical', choices: ['a'] }, axis)).toHaveLength(5000)
  })

  test('one mark per column of a row (a strip, an axis edge); at most 40 per category, whose marks are jittered', () => {
    // 10,000 trial indices on a 480-column row: the first trial of each column is kept.
    const row: Array<[number, number]> = Array.from({ length: 10_000 }, (_, i) => [i, i])
    const kept = onePerColumn(row, { categorical: false, log: false, min: 0, max: 9999 })
    expect(kept).toHaveLength(480)
    expect(kept.slice(0, 3)).toEqual([
      [0, 0],
      [21, 21],
      [42, 42],
    ])
    // A slice's plot of 320 px: one column per 2 px.
    expect(onePerColumn(row, { categorical: false, log: false, min: 0, max: 9999, columns: 160 })).toHaveLength(160)
    // Few marks are left alone; a categorical row keeps the first 40 of each choice, in trial order.
    expect(onePerColumn(row.slice(0, 30), { categorical: false, log: false })).toHaveLength(30)
    const choices: Array<[number, number]> = Array.from({ length: 300 }, (_, i) => [i % 3, i])
    const perChoice = onePerColumn(choices, { categorical: true, log: false })
    expect(perChoice).toHaveLength(120)
    expect(perChoice.filter((p) => p[0] === 2).map((p) => p[1])).toEqual(Array.from({ length: 40 }, (_, k) => 2 + 3 * k))
  })
})

describe('parallel coordinates', () => {
  // [param, score, trial index]: trial i scores i (maximize: the last trials are the best).
  const rows = (n: number): number[][] => Array.from({ length: n }, (_, i) => [i % 7, i, i])

  test('all rows when they fit, worst first so the best line is drawn last (on top), either direction', () => {
    const max = parallelRows(rows(50), true)
    expect(max.rows.map((r) => r[2])).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect(max.best).toBe(50)
    const min = parallelRows(rows(50), false)
    expect(min.rows.map((r) => r[2])).toEqual(Array.from({ length: 50 }, (_, i) => 49 - i))
  })

  test('above the cap: the best trials, all of them, and an even sample of the others below them', () => {
    const n = 10_000
    for (const maximize of [true, false]) {
      const { rows: shown, best } = parallelRows(rows(n), maximize)
      expect(shown).toHaveLength(MAX_PARALLEL_LINES)
      expect(best).toBe(MAX_BEST_PARALLEL_LINES)
      const idx = shown.map((r) => r[2] as number)
      expect(new Set(idx).size).toBe(MAX_PARALLEL_LINES)
      // The last MAX_BEST_PARALLEL_LINES drawn are the best ones, the very best last.
      const top = idx.slice(-MAX_BEST_PARALLEL_LINES)
      const want = Array.from({ length: MAX_BEST_PARALLEL_LINES }, (_, i) =>
        maximize ? n - MAX_BEST_PARALLEL_LINES + i : MAX_BEST_PARALLEL_LINES - 1 - i,
      )
      expect(top).toEqual(want)
      // The others are spread over the rest of the session, not bunched at one end.
      const others = idx.slice(0, -MAX_BEST_PARALLEL_LINES).sort((a, b) => a - b)
      const span = n - MAX_BEST_PARALLEL_LINES
      expect(others[others.length - 1]! - others[0]!).toBeGreaterThan(span * 0.95)
      const gaps = others.slice(1).map((v, i) => v - (others[i] as number))
      expect(Math.max(...gaps)).toBeLessThanOrEqual(Math.ceil(span / (MAX_PARALLEL_LINES - MAX_BEST_PARALLEL_LINES)))
    }
  })
})

describe('learning curves', () => {
  test('packed for the wire and unpacked by the page model, consecutive steps or not', () => {
    const data = fixtureSession({ trials: 30, withPruned: true, curves: 8 })
    const odd = data.trials[2] as TrialRecord
    odd.intermediate = [
      { step: 0, value: 0.5 },
      { step: 4, value: 0.6 },
      { step: 9, value: 0.7 },
    ]
    const expected = new Map(data.trials.map((t) => [t.trialIdx, t.intermediate]))
    const packed = packCurves(structuredClone(data))
    expect(packed.trials.some((t) => t.intermediate !== undefined)).toBe(false)
    expect(packed.curves?.find((c) => c[0] === 2)).toEqual([2, [0, 4, 9], [0.5, 0.6, 0.7]])
    expect(packed.curves?.find((c) => c[0] === 0)?.[1]).toBe(0)
    expect(packCurves(packed)).toBe(packed)
    const model = new SessionModel(JSON.parse(JSON.stringify(packed)))
    // Not before the first paint: the model knows which trials have curves, and unpacks one when a view reads it.
    expect(model.trials.some((t) => t.intermediate !== undefined)).toBe(false)
    expect(model.hasCurves()).toBe(true)
    expect(curveTrials(model).length).toBe(30)
    // The table's last step is read from the packed curves; only the curve read becomes objects.
    for (const t of model.trials) expect(model.lastStepOf(t)).toBe(expected.get(t.trialIdx)?.at(-1)?.step ?? null)
    expect(model.lastStepOf(model.trials[2] as TrialRecord)).toBe(9)
    expect(model.curveOf(model.trials[2] as TrialRecord)).toEqual(expected.get(2))
    expect(model.trials.filter((t) => t.intermediate !== undefined).map((t) => t.trialIdx)).toEqual([2])
    model.unpackCurves()
    expect(new Map(model.trials.map((t) => [t.trialIdx, t.intermediate]))).toEqual(expected)
    expect(new SessionModel(JSON.parse(JSON.stringify(packCurves(fixtureSession({ trials: 5 }))))).hasCurves()).toBe(false)
    // Without curves, the data is sent as it is.
    const plain = fixtureSession({ trials: 5 })
    expect(packCurves(plain)).toBe(plain)
  })

  test('above the cap: the best finished trials, then an even sample of the others, in index order', () => {
    const model = new SessionModel(fixtureSession({ trials: 1000, withPruned: true, curves: 5 }))
    const all = curveTrials(model)
    expect(all.length).toBe(1000)
    const { lines, total, best } = selectCurves(model, 100, 20)
    expect({ lines: lines.length, total, best }).toEqual({ lines: 100, total: 1000, best: 20 })
    expect(lines.map((t) => t.trialIdx)).toEqual([...lines.map((t) => t.trialIdx)].sort((a, b) => a - b))
    expect(lines.some((t) => t.trialIdx === model.bestTrial()?.trialIdx)).toBe(true)
    const okScores = all
      .filter((t) => t.status === 'ok')
      .map((t) => t.score as number)
      .sort((a, b) => b - a)
    const chosenOk = lines.filter((t) => t.status === 'ok').map((t) => t.score as number)
    // The 20 best scores are all drawn; the sample reaches the pruned trials too.
    for (const s of okScores.slice(0, 20)) expect(chosenOk).toContain(s)
    expect(lines.some((t) => t.status === 'pruned')).toBe(true)
    expect(selectCurves(model, 2000, 20)).toEqual({ lines: all, total: 1000, best: 1000 })
  })
})

describe('parameters of a conditional space', () => {
  test('a choice is a categorical of its branch names, followed by its branches’ parameters (absent when inactive)', () => {
    const space = {
      version: 1,
      params: {
        lr: { kind: 'float', low: 0.001, high: 1, log: true },
        model: {
          kind: 'choice',
          branches: {
            svm: { c: { kind: 'float', low: 1, high: 10, log: false } },
            rf: { trees: { kind: 'int', low: 10, high: 500, log: false } },
          },
        },
      },
    }
    const params = paramsOf(space, [])
    expect(params.map((p) => [p.name, p.kind])).toEqual([
      ['lr', 'numeric'],
      ['model', 'categorical'],
      ['c', 'numeric'],
      ['trees', 'numeric'],
    ])
    expect(params[1]).toMatchObject({ choices: ['svm', 'rf'] })
    const rf = { lr: 0.01, model: 'rf', trees: 40 }
    expect(params.map((p) => numericValue(p, rf))).toEqual([0.01, 1, null, 40])
  })
})
