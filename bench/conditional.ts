/**
 * Conditional spaces: choosing among three model families, each with its own parameters (mlp
 * with a nested choice of optimizer), scored by a known function. Cairn's TPE (univariate, and
 * multivariate within each group) and random search against Optuna 3.1's TPE define-by-run
 * (`TPESampler(seed)`, and `multivariate=True, group=True`) and RandomSampler, side by side in
 * one run.
 *
 *   pnpm bench conditional [--trials=100] [--seeds=20]
 *   node --conditions=@cairn/source --import tsx bench/conditional.ts --trials 100 --seeds 20 [--no-optuna] [--json] [--quiet]
 *
 * The function (identical in bench/optuna/conditional.py): minimum 0.07 (mlp, adam, beta2
 * 0.999, lr 0.01, 3 layers of 256, dropout 0.2); forest bottoms at 0.10, svm at 0.12. For
 * every optimizer, the median over seeds 0..N-1 of the best value after `trials` trials; the
 * gap ratio (ours − 0.07) / (Optuna − 0.07) below 1 means we got closer to the optimum.
 * Ours run in the loop of bench/optimizers.ts (the session driver with `parallelism: 1`).
 */
import { fileURLToPath } from 'node:url'
import { categorical, choice, float, int, space, type Json } from '@cairn/core'
import { randomSearch, tpe } from '@cairn/optimizers'
import { integerFlag, readCli, type Cli } from './lib/args.js'
import { PYTHON, optunaAvailable, runOptunaScript } from './lib/optuna.js'
import { median, printTable, type Row } from './lib/stats.js'
import { runLoop, type BenchFunction } from './optimizers.js'

type Params = Record<string, Json>
const num = (p: Params, k: string): number => p[k] as number

/** The three families' space: `family` chooses the branch, `lr` is shared. */
export const MODEL_SPACE = space({
  lr: float(1e-4, 1, { log: true }),
  family: choice({
    svm: space({
      c: float(1e-3, 1e3, { log: true }),
      gamma: float(1e-4, 10, { log: true }),
      kernel: categorical(['linear', 'poly', 'rbf']),
    }),
    forest: space({ trees: int(10, 1000, { log: true }), depth: int(2, 30), features: float(0.1, 1) }),
    mlp: space({
      layers: int(1, 5),
      width: int(16, 1024, { log: true }),
      dropout: float(0, 0.7),
      opt: choice({ sgd: { momentum: float(0, 0.99) }, adam: { beta2: float(0.9, 0.9999) } }),
    }),
  }),
})

const KERNEL_PENALTY: Record<string, number> = { rbf: 0, poly: 0.03, linear: 0.06 }

/** The known function (lower is better; minimum 0.07). Same constants and order of operations as the Python twin. */
export function modelScore(p: Params): number {
  const s = 0.02 * (Math.log10(num(p, 'lr')) + 2) ** 2
  const f = p['family']
  if (f === 'svm')
    return (
      s +
      0.12 +
      0.02 * (Math.log10(num(p, 'c')) - 1.5) ** 2 +
      0.03 * (Math.log10(num(p, 'gamma')) + 1.5) ** 2 +
      (KERNEL_PENALTY[p['kernel'] as string] ?? Number.NaN)
    )
  if (f === 'forest')
    return (
      s + 0.1 + 0.01 * Math.log2(num(p, 'trees') / 400) ** 2 + 0.0005 * (num(p, 'depth') - 18) ** 2 + 0.2 * (num(p, 'features') - 0.35) ** 2
    )
  const m =
    s + 0.07 + 0.01 * (num(p, 'layers') - 3) ** 2 + 0.01 * Math.log2(num(p, 'width') / 256) ** 2 + 0.2 * (num(p, 'dropout') - 0.2) ** 2
  if (p['opt'] === 'sgd') return m + 0.02 + 0.3 * (num(p, 'momentum') - 0.9) ** 2
  return m + 20 * (num(p, 'beta2') - 0.999) ** 2
}

const OPTIMUM = 0.07
const FN: BenchFunction = { name: 'model-families', space: MODEL_SPACE, optimum: OPTIMUM, f: modelScore }

/** Ours, each with the Optuna sampler it is compared with. */
const OURS = [
  { name: 'tpe', make: () => tpe(), optuna: 'tpe' },
  { name: 'tpe-mv', make: () => tpe({ multivariate: true }), optuna: 'tpe-group' },
  { name: 'random', make: () => randomSearch(), optuna: 'random' },
] as const

/** Options of `run`. */
export interface ConditionalOptions {
  trials?: number
  seeds?: number
  optuna?: boolean
  verbose?: boolean
  json?: boolean
}

/** One optimizer's row. */
export interface ConditionalRow {
  optimizer: string
  ours: { median: number; best: number[] }
  optunaSampler: string
  optuna?: { median: number; best: number[] }
  /** (ours − optimum) / (Optuna − optimum): below 1 means we got closer. */
  gapRatio?: number
}

/** What `run` returns. */
export interface ConditionalReport {
  trials: number
  seeds: number
  optimum: number
  optunaVersion?: string
  note?: string
  rows: ConditionalRow[]
}

/**
 * Runs the benchmark: Optuna in a child `/usr/bin/python3` while this process runs ours.
 */
export async function run(opts: ConditionalOptions = {}): Promise<ConditionalReport> {
  const trials = opts.trials ?? 100
  const seeds = opts.seeds ?? 20
  const withOptuna = opts.optuna !== false && (await optunaAvailable())
  const optunaRun = withOptuna
    ? (runOptunaScript('conditional.py', ['--trials', String(trials), '--seeds', String(seeds)], 3_600_000) as Promise<{
        optuna: string
        results: Record<string, { best: number[]; median: number }>
      }>)
    : undefined
  const rows: ConditionalRow[] = []
  for (const o of OURS) {
    const best: number[] = []
    for (let seed = 0; seed < seeds; seed++) best.push((await runLoop(o.make, FN, seed, trials)).best)
    rows.push({ optimizer: o.name, ours: { median: median(best), best }, optunaSampler: o.optuna })
    if (opts.verbose) process.stderr.write(`cairn ${o.name}: median ${median(best).toPrecision(6)}\n`)
  }
  let optunaVersion: string | undefined
  if (optunaRun) {
    const py = await optunaRun
    optunaVersion = py.optuna
    for (const row of rows) {
      const o = py.results[row.optunaSampler]
      if (!o) continue
      row.optuna = { median: o.median, best: o.best }
      row.gapRatio = (row.ours.median - OPTIMUM) / (o.median - OPTIMUM)
    }
  }
  return {
    trials,
    seeds,
    optimum: OPTIMUM,
    ...(optunaVersion ? { optunaVersion } : {}),
    ...(opts.optuna !== false && !withOptuna ? { note: `Optuna not importable by ${PYTHON}: its side was skipped` } : {}),
    rows,
  }
}

/** Title of the table (for bench/run.ts). */
export const title =
  'Conditional space (3 model families, nested choice): median best after N trials vs Optuna 3.1 define-by-run (gap ratio < 1 is better)'

const sig = (v: number | undefined, digits = 4): string => (v === undefined ? '—' : String(Number(v.toPrecision(digits))))

/** The report as table rows. */
export function table(r: ConditionalReport): Row[] {
  return r.rows.map((row) => ({
    optimizer: row.optimizer,
    'optuna sampler': row.optunaSampler,
    trials: r.trials,
    seeds: r.seeds,
    'ours median': sig(row.ours.median),
    'optuna median': sig(row.optuna?.median),
    'gap ratio': sig(row.gapRatio, 3),
  }))
}

/** The standalone run's command line. */
export const cli: Cli<ConditionalOptions> = {
  command: 'bench/conditional.ts',
  defaults: () => ({ json: false, verbose: true }),
  flags: {
    trials: { value: 'n', help: 'trials per run (default 100)', apply: (o, v) => (o.trials = integerFlag('trials', v, 1)) },
    seeds: { value: 'n', help: 'seeds per optimizer (default 20)', apply: (o, v) => (o.seeds = integerFlag('seeds', v, 1)) },
    'no-optuna': { help: 'skip the Optuna side', apply: (o) => (o.optuna = false) },
    json: { help: 'print the JSON report only (no table)', apply: (o) => (o.json = true) },
    quiet: { help: 'no progress lines on stderr', apply: (o) => (o.verbose = false) },
  },
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const opts = readCli(cli)
  const report = await run(opts)
  console.log(JSON.stringify(report))
  if (!opts.json) printTable(`${title}; ${report.trials} trials × ${report.seeds} seeds`, table(report))
}
