/**
 * `@cairn/warm-start` benchmarks.
 *
 *   node --conditions=@cairn/source --import tsx bench/warm-start.ts            # full: ~100 MB, 5 seeds
 *   node --conditions=@cairn/source --import tsx bench/warm-start.ts --quick    # ~20 MB, 3 seeds
 *   ... --mb 100 --reps 3 --seeds 5 --trials 60 --folds 5 --no-cv --no-hash --json
 *
 * 1. hashTrainset throughput: ~100 MB of realistic examples (objects with text fields, numbers,
 *    a tag array and a nested object, keys in no particular order, ~3 % non-ASCII text) hashed
 *    (a) the naive, non-canonical way: `JSON.stringify(examples)` then node:crypto SHA-256, and
 *    (b) canonically by `hashTrainsetSync` (ordered; also unordered and from an async
 *    iterable). Best of `reps` runs each, interleaved, after one warm-up, timed by the process's
 *    CPU time (user + system), which other processes on a busy machine do not inflate; wall
 *    times are reported too. Target: (b) runs at ≥ 70 % of (a)'s speed, i.e.
 *    ratio = time(a) / time(b) ≥ 0.7.
 * 2. Warm start pays: k-fold cross-validation of a kernel ridge regressor on the Auto MPG data,
 *    tuned by TPE (see examples/warm-start): trials until each fold 2..k reaches fold 1's
 *    final quality (the score of fold 1's best hyperparameters on that fold), with and
 *    without warm start, same optimizer seeds; medians over fold runs and seeds.
 */
import { createHash } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { hashTrainset, hashTrainsetSync } from '@cairn/warm-start'
import { integerFlag, readCli, type Cli } from './lib/args.js'
import type { Row } from './lib/stats.js'

/** What this benchmark uses of examples/warm-start/src/cross-validation.ts (imported at run time: bench/ does not reference the example's project). */
interface CrossValidationModule {
  compareWarmStart(options: { k?: number; trials?: number; seed?: number }): Promise<CompareReport>
  medianTrials(values: readonly (number | null)[], budget: number): number
}
interface FoldRun {
  best: number
  trialsToTarget: number | null
}
interface CompareReport {
  seed: number
  fold1: FoldRun
  folds: { fold: number; target: number; cold: FoldRun; warm: FoldRun }[]
}
const CROSS_VALIDATION = new URL('../examples/warm-start/src/cross-validation.ts', import.meta.url).href

/** Options of `run`. */
export interface WarmStartBenchOptions {
  /** Megabytes of examples to hash (as JSON). Default 100. */
  mb?: number
  /** Timed runs per method (best is kept). Default 3. */
  reps?: number
  /** Run the hashing benchmark. Default true. */
  hash?: boolean
  /** Run the cross-validation benchmark. Default true. */
  cv?: boolean
  /** Seeds of the cross-validation benchmark. Default 5. */
  seeds?: number
  /** Trials per fold in the cross-validation benchmark. Default 60. */
  trials?: number
  /** Folds. Default 5. */
  folds?: number
}

/** One side (cold or warm-started) of the cross-validation benchmark. */
export interface CvSide {
  /** Median over fold runs of the trials until fold 1's quality was reached (unreached = trials + 1). */
  medianTrialsToTarget: number
  /** Fold runs that reached the target within the budget. */
  reached: number
  /** Median best score (1 − R²) after the full budget. */
  medianFinalBest: number
}

/** A row of the hashing benchmark. */
export interface HashRow {
  method: string
  /** Best CPU time (user + system) of a run, ms. */
  ms: number
  /** Best wall time of a run, ms (inflated when other processes compete for the cores). */
  wallMs: number
  /** MB of JSON per CPU second. */
  mbPerSecond: number
  /** Speed relative to the naive way, by CPU time: cpu(naive) / cpu(this). */
  ratio: number
  /** The same by wall time. */
  wallRatio: number
}

// --- realistic examples ------------------------------------------------------------------

const WORDS = (
  'the of and to in is was for on that with as by at from his her an which or be this are were had not but have it they one ' +
  'all their been has who more also new first would two after other into its some can time when only may over there than these ' +
  'about most made such used where state city year people world school team game season film music history group number part ' +
  'series species family river album population area north south known later during between under several model training data ' +
  'question answer context retrieval evidence passage language reasoning program metric score label example dataset'
).split(' ')
const ACCENTED = ['café', 'naïve', 'Zürich', 'São Paulo', 'Ελλάδα', '東京', 'façade', 'crème brûlée']

/** A small deterministic generator (mulberry32). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** `count` question-answering style examples of about 1 KB of JSON each. */
export function makeExamples(count: number, seed = 1): object[] {
  const rnd = mulberry32(seed)
  const pick = (list: readonly string[]): string => list[Math.floor(rnd() * list.length)] as string
  const text = (words: number): string => {
    const out: string[] = []
    for (let i = 0; i < words; i++) out.push(rnd() < 0.004 ? pick(ACCENTED) : pick(WORDS))
    return out.join(' ')
  }
  const out: object[] = []
  for (let i = 0; i < count; i++) {
    const questionWords = 10 + Math.floor(rnd() * 30)
    out.push({
      id: `q-${seed}-${i}`,
      question: `${text(questionWords)}?`,
      context: text(80 + Math.floor(rnd() * 40)),
      answer: text(1 + Math.floor(rnd() * 8)),
      label: Math.floor(rnd() * 5),
      score: Math.round(rnd() * 1e6) / 1e6,
      tokens: 100 + Math.floor(rnd() * 400),
      tags: [pick(WORDS), pick(WORDS), pick(WORDS)],
      meta: {
        source: rnd() < 0.5 ? 'wiki' : 'news',
        lang: rnd() < 0.03 ? 'fr' : 'en',
        difficulty: Math.round(rnd() * 300) / 100,
        verified: rnd() < 0.8,
      },
    })
  }
  return out
}

function naiveHash(examples: readonly object[]): string {
  return createHash('sha256').update(JSON.stringify(examples)).digest('hex')
}

async function* asyncOf<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item
}

/** CPU time (user + system, all threads of this process) and wall time of one run, in ms. */
async function timeIt(fn: () => unknown): Promise<{ cpu: number; wall: number }> {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  await fn()
  const wall = performance.now() - t0
  const c = process.cpuUsage(c0)
  return { cpu: (c.user + c.system) / 1000, wall }
}

/** The hashing benchmark. */
export async function benchHash(
  mb = 100,
  reps = 3,
): Promise<{ mb: number; examples: number; rows: HashRow[]; ratio: number; wallRatio: number; target: number; met: boolean }> {
  const probe = makeExamples(200, 99)
  const bytesPerExample = Buffer.byteLength(JSON.stringify(probe)) / probe.length
  const examples = makeExamples(Math.round((mb * 1e6) / bytesPerExample))
  const bytes = Buffer.byteLength(JSON.stringify(examples))
  const methods: [string, () => unknown][] = [
    ['naive: JSON.stringify + SHA-256 (not canonical)', () => naiveHash(examples)],
    ['hashTrainsetSync (ordered, canonical)', () => hashTrainsetSync(examples)],
    ['hashTrainset (ordered, async iterable)', () => hashTrainset(asyncOf(examples))],
    ['hashTrainsetSync (unordered)', () => hashTrainsetSync(examples, { ordered: false })],
  ]
  const best = methods.map(() => ({ cpu: Infinity, wall: Infinity }))
  for (const [, fn] of methods) await fn() // warm-up
  for (let r = 0; r < reps; r++) {
    for (let m = 0; m < methods.length; m++) {
      ;(globalThis as { gc?: () => void }).gc?.()
      const t = await timeIt((methods[m] as [string, () => unknown])[1])
      const b = best[m] as { cpu: number; wall: number }
      b.cpu = Math.min(b.cpu, t.cpu)
      b.wall = Math.min(b.wall, t.wall)
    }
  }
  const naive = best[0] as { cpu: number; wall: number }
  const rows = methods.map(([method], m) => {
    const { cpu, wall } = best[m] as { cpu: number; wall: number }
    return {
      method,
      ms: round(cpu, 1),
      wallMs: round(wall, 1),
      mbPerSecond: round(bytes / 1e6 / (cpu / 1000), 1),
      ratio: round(naive.cpu / cpu, 3),
      wallRatio: round(naive.wall / wall, 3),
    }
  })
  const ratio = (rows[1] as HashRow).ratio
  return {
    mb: round(bytes / 1e6, 1),
    examples: examples.length,
    rows,
    ratio,
    wallRatio: (rows[1] as HashRow).wallRatio,
    target: 0.7,
    met: ratio >= 0.7,
  }
}

/** The cross-validation benchmark: trials to fold 1's quality, cold vs warm-started, over seeds. */
export async function benchCv(
  seeds = 5,
  trials = 60,
  k = 5,
): Promise<{ k: number; trials: number; seeds: number; foldRuns: number; cold: CvSide; warm: CvSide; speedup: number; perSeed: object[] }> {
  const { compareWarmStart, medianTrials } = (await import(CROSS_VALIDATION)) as CrossValidationModule
  const reports: CompareReport[] = []
  for (let seed = 1; seed <= seeds; seed++) reports.push(await compareWarmStart({ k, trials, seed }))
  const folds = reports.flatMap((r) => r.folds)
  const side = (pick: 'cold' | 'warm'): CvSide => {
    const finals = folds.map((f) => f[pick].best).sort((a, b) => a - b)
    const mid = finals.length >> 1
    return {
      medianTrialsToTarget: medianTrials(
        folds.map((f) => f[pick].trialsToTarget),
        trials,
      ),
      reached: folds.filter((f) => f[pick].trialsToTarget !== null).length,
      medianFinalBest: round(finals.length % 2 ? (finals[mid] as number) : ((finals[mid - 1] as number) + (finals[mid] as number)) / 2, 4),
    }
  }
  const cold = side('cold')
  const warm = side('warm')
  const perSeed = reports.map((r) => ({
    seed: r.seed,
    fold1Best: round(r.fold1.best, 4),
    folds: r.folds.map((f) => ({ fold: f.fold, target: round(f.target, 4), cold: f.cold.trialsToTarget, warm: f.warm.trialsToTarget })),
  }))
  return {
    k,
    trials,
    seeds,
    foldRuns: folds.length,
    cold,
    warm,
    speedup: round(cold.medianTrialsToTarget / warm.medianTrialsToTarget, 2),
    perSeed,
  }
}

/** Runs the benchmarks and returns their figures. */
export async function run(opts: WarmStartBenchOptions = {}): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { node: process.version }
  if (opts.hash !== false) out.hashTrainset = await benchHash(opts.mb ?? 100, opts.reps ?? 3)
  if (opts.cv !== false) out.crossValidation = await benchCv(opts.seeds ?? 5, opts.trials ?? 60, opts.folds ?? 5)
  return out
}

/** Title of `table` (for bench/run.ts). */
export const title = '@cairn/warm-start: hashTrainset speed and warm-started cross-validation'

/** The headline figures as rows (for bench/run.ts). */
export function table(report: Record<string, any>): Row[] {
  const rows: Row[] = []
  const h = report.hashTrainset
  if (h)
    for (const r of h.rows as HashRow[])
      rows.push({
        measure: r.method,
        value: r.ratio,
        unit: 'speed vs naive (CPU)',
        detail: `${r.ms} ms CPU, ${r.mbPerSecond} MB/s, ${h.mb} MB`,
      })
  const cv = report.crossValidation
  if (cv) {
    for (const name of ['cold', 'warm'] as const)
      rows.push({
        measure: `CV fold 2..${cv.k}, ${name === 'cold' ? 'cold' : 'warm-started'}`,
        value: cv[name].medianTrialsToTarget,
        unit: "median trials to fold 1's quality",
        detail: `${cv[name].reached}/${cv.foldRuns} reached; median final 1−R² ${cv[name].medianFinalBest}`,
      })
    rows.push({
      measure: 'warm-start speedup',
      value: cv.speedup,
      unit: '× fewer trials',
      detail: `${cv.seeds} seeds × ${cv.k - 1} folds, ${cv.trials} trials`,
    })
  }
  return rows
}

function round(x: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(x * f) / f
}

function formatTable(report: Record<string, any>): string {
  const lines: string[] = []
  const h = report.hashTrainset
  if (h) {
    lines.push(`hashTrainset on ${h.mb} MB (${h.examples} examples), best of runs; Node ${report.node}`)
    const rows: string[][] = [
      ['method', 'CPU ms', 'MB/s', 'speed vs naive', 'wall ms', 'wall speed vs naive'],
      ...h.rows.map((r: HashRow) => [
        r.method,
        String(r.ms),
        String(r.mbPerSecond),
        r.ratio.toFixed(2),
        String(r.wallMs),
        r.wallRatio.toFixed(2),
      ]),
    ]
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)))
    rows.splice(
      1,
      0,
      widths.map((w) => '-'.repeat(w)),
    )
    for (const r of rows) lines.push(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '))
    lines.push(
      `canonical/naive speed ratio ${h.ratio.toFixed(2)} by CPU time, ${h.wallRatio.toFixed(2)} by wall time (target ≥ ${h.target}: ${h.met ? 'met' : 'NOT met'})`,
    )
  }
  const cv = report.crossValidation
  if (cv) {
    if (lines.length) lines.push('')
    lines.push(
      `${cv.k}-fold CV, kernel ridge on Auto MPG, TPE (multivariate), ${cv.trials} trials per fold, ${cv.seeds} seeds: ${cv.foldRuns} runs of folds 2..${cv.k} each way`,
    )
    lines.push("                 median trials to fold 1's quality   reached   median final 1−R²")
    for (const [name, s] of [
      ['cold', cv.cold],
      ['warm-started', cv.warm],
    ] as const)
      lines.push(
        `${name.padEnd(16)} ${String(s.medianTrialsToTarget).padStart(33)}   ${`${s.reached}/${cv.foldRuns}`.padStart(7)}   ${s.medianFinalBest.toFixed(4).padStart(17)}`,
      )
    lines.push(`warm start reaches fold 1's quality in ${cv.speedup}× fewer trials (median)`)
  }
  return lines.join('\n')
}

/** Settings of `--quick`. */
const QUICK: WarmStartBenchOptions = { mb: 20, reps: 2, seeds: 2, trials: 40 }

/** The standalone run's command line. */
export const cli: Cli<WarmStartBenchOptions & { json: boolean }> = {
  command: 'bench/warm-start.ts',
  defaults: () => ({ json: false }),
  flags: {
    quick: {
      help: `${QUICK.mb} MB, ${QUICK.reps} reps, ${QUICK.seeds} seeds × ${QUICK.trials} trials (flags after it override it)`,
      apply: (o) => Object.assign(o, QUICK),
    },
    mb: { value: 'n', help: 'megabytes of examples to hash (default 100)', apply: (o, v) => (o.mb = integerFlag('mb', v, 1)) },
    reps: {
      value: 'n',
      help: 'timed runs per hashing method, best kept (default 3)',
      apply: (o, v) => (o.reps = integerFlag('reps', v, 1)),
    },
    seeds: {
      value: 'n',
      help: 'seeds of the cross-validation benchmark (default 5)',
      apply: (o, v) => (o.seeds = integerFlag('seeds', v, 1)),
    },
    trials: { value: 'n', help: 'trials per fold (default 60)', apply: (o, v) => (o.trials = integerFlag('trials', v, 1)) },
    folds: { value: 'n', help: 'folds (default 5)', apply: (o, v) => (o.folds = integerFlag('folds', v, 1)) },
    'no-hash': { help: 'skip the hashing benchmark', apply: (o) => (o.hash = false) },
    'no-cv': { help: 'skip the cross-validation benchmark', apply: (o) => (o.cv = false) },
    json: { help: 'print the JSON report only (no table)', apply: (o) => (o.json = true) },
  },
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const opts = readCli(cli)
  const report = await run(opts)
  console.log(JSON.stringify(report))
  if (!opts.json) console.log(`\n${formatTable(report)}`)
}
