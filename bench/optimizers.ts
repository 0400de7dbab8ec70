/**
 * Optimizer quality and overhead: Cairn's random search, TPE (univariate and multivariate)
 * and CMA-ES against Optuna 3.1's RandomSampler, TPESampler and CmaEsSampler, on the same
 * machine in the same run.
 *
 *   node --conditions=@cairn/source --import tsx bench/optimizers.ts            # full: 100 trials × 20 seeds
 *   node --conditions=@cairn/source --import tsx bench/optimizers.ts --quick    # 60 trials × 5 seeds, short TPE run
 *   pnpm bench optimizers [--quick]                                             # through bench/run.ts
 *   ... --trials 100 --seeds 20 --long-trials 1000 --long-seeds 3 --functions branin,mixed
 *       --optimizers cmaes,tpe --no-optuna --json (JSON only) --quiet (no progress on stderr)
 *
 * Functions (identical in bench/optuna/optimizers.py): Branin (min 0.397887), Hartmann-6 on
 * [0,1]^6 (min −3.32237), Rosenbrock-5D on [-5,10]^5 (min 0) and a mixed space (categorical
 * kernel, log-float lr, int n, float momentum; min 0).
 *
 * For every function × optimizer: the median over seeds of the best value after `trials`
 * trials, and the optimizer's own time per suggestion (ours: `ask` + `tell` + `encodeState`,
 * which is what the session driver calls per trial; Optuna: `study.ask` + `study.tell` on its
 * in-memory storage), objective excluded. TPE is also timed at `longTrials` trials.
 *
 * Our optimizers run in a lightweight loop that mirrors the session driver with
 * `parallelism: 1` (the session's seeded RNG, history from the loop, `tell` in order, the
 * state encoded after every trial); Optuna is run by `/usr/bin/python3` (Debian's
 * `python3-optuna`), seeds 0..N-1 on both sides.
 */
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { Rng, categorical, float, int, space, type Json, type Optimizer, type SearchSpace, type TrialView } from '@cairn/core'
import { cmaEs, randomSearch, tpe } from '@cairn/optimizers'
import { integerFlag, readCli, type Cli } from './lib/args.js'
import { PYTHON, optunaAvailable, streamOptunaScript } from './lib/optuna.js'
import { median, printTable, type Row } from './lib/stats.js'
import { hartmann6 } from './lib/test-functions.js'

type Params = Record<string, Json>

/** A benchmark function with its search space and known minimum. */
export interface BenchFunction {
  name: string
  space: SearchSpace
  optimum: number
  f(p: Params): number
}

const num = (p: Params, k: string): number => p[k] as number

function branin(p: Params): number {
  const x1 = num(p, 'x1')
  const x2 = num(p, 'x2')
  const b = 5.1 / (4 * Math.PI ** 2)
  const c = 5 / Math.PI
  const t = 1 / (8 * Math.PI)
  return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10
}

function rosenbrock5(p: Params): number {
  let s = 0
  for (let i = 0; i < 4; i++) {
    const a = num(p, `x${i}`)
    const b = num(p, `x${i + 1}`)
    s += 100 * (b - a * a) ** 2 + (1 - a) ** 2
  }
  return s
}

const KERNEL_PENALTY: Record<string, number> = { rbf: 0, linear: 0.05, poly: 0.1 }

function mixed(p: Params): number {
  return (
    (Math.log10(num(p, 'lr')) + 3) ** 2 / 10 +
    ((num(p, 'n') - 17) / 32) ** 2 +
    (num(p, 'momentum') - 0.9) ** 2 +
    (KERNEL_PENALTY[p['kernel'] as string] ?? Number.NaN)
  )
}

const range = (k: number): number[] => Array.from({ length: k }, (_, i) => i)

/** The four benchmark functions. */
export const FUNCTIONS: readonly BenchFunction[] = [
  { name: 'branin', space: space({ x1: float(-5, 10), x2: float(0, 15) }), optimum: 0.397887, f: branin },
  {
    name: 'hartmann6',
    space: space(Object.fromEntries(range(6).map((i) => [`x${i}`, float(0, 1)]))),
    optimum: -3.32237,
    f: (p) => hartmann6(Array.from({ length: 6 }, (_, j) => num(p, `x${j}`))),
  },
  {
    name: 'rosenbrock5',
    space: space(Object.fromEntries(range(5).map((i) => [`x${i}`, float(-5, 10)]))),
    optimum: 0,
    f: rosenbrock5,
  },
  {
    name: 'mixed',
    space: space({
      kernel: categorical(['rbf', 'linear', 'poly']),
      lr: float(1e-5, 1e-1, { log: true }),
      momentum: float(0, 1),
      n: int(1, 64),
    }),
    optimum: 0,
    f: mixed,
  },
]

/** Our optimizers, keyed like the Optuna samplers they are compared with. */
export const OURS: Readonly<Record<string, () => Optimizer<any>>> = {
  random: () => randomSearch(),
  tpe: () => tpe(),
  'tpe-mv': () => tpe({ multivariate: true }),
  cmaes: () => cmaEs(),
}

/**
 * Runs `trials` trials of `make()` on `fn` with `seed`, the way the session driver does with
 * `parallelism: 1`. Returns the best value and the optimizer's mean time per trial (ms).
 */
export async function runLoop(
  make: () => Optimizer<any>,
  fn: BenchFunction,
  seed: number,
  trials: number,
): Promise<{ best: number; msPerSuggestion: number }> {
  const optimizer = make()
  const sampler = optimizer.sampler
  if (!sampler) throw new Error(`${optimizer.id} is not an ask/tell optimizer`)
  const rng = Rng.fromSeed(seed)
  const history: TrialView[] = []
  let spent = 0
  let t0 = performance.now()
  let state = await sampler.init({ seed, rng, direction: 'minimize', space: fn.space, history })
  spent += performance.now() - t0
  let best = Infinity
  for (let trialIdx = 0; trialIdx < trials; trialIdx++) {
    t0 = performance.now()
    const asked = await sampler.ask(state, { trialIdx, rng, history, pending: [], direction: 'minimize', space: fn.space })
    let t1 = performance.now()
    spent += t1 - t0
    if (asked.kind === 'halt') break
    const score = fn.f(asked.candidate as Params)
    const view: TrialView = { trialIdx, candidate: asked.candidate, status: 'ok', score }
    t1 = performance.now()
    history.push(view)
    state = sampler.tell ? sampler.tell(asked.state, view, { history }) : asked.state
    sampler.encodeState(state)
    spent += performance.now() - t1
    if (score < best) best = score
  }
  return { best, msPerSuggestion: spent / trials }
}

/** Options of `run`. */
export interface BenchOptions {
  trials?: number
  seeds?: number
  /** Trials of the long TPE timing run (0 skips it). */
  longTrials?: number
  longSeeds?: number
  /** The function of the long TPE run. */
  longFunction?: string
  /** Skip the Optuna side. */
  optuna?: boolean
  /** Subsets (names as in `FUNCTIONS` / `OURS`). */
  functions?: string[]
  optimizers?: string[]
  /** Progress lines (ours and Optuna's) on stderr. */
  verbose?: boolean
}

/** One row of the result: a function × optimizer on both sides. */
export interface BenchRow {
  function: string
  optimizer: string
  optimum: number
  ours: { median: number; msPerSuggestion: number; best: number[] }
  optuna?: { median: number; msPerSuggestion: number; best: number[] }
  /** (ours − optimum) / (Optuna − optimum): below 1 means we got closer to the optimum. */
  gapRatio?: number
  /** Our time per suggestion / Optuna's. */
  timeRatio?: number
}

/** What `run` returns. */
export interface BenchReport {
  trials: number
  seeds: number
  node: string
  optunaVersion?: string
  note?: string
  rows: BenchRow[]
  long: {
    optimizer: string
    function: string
    trials: number
    seeds: number
    ours: { median: number; msPerSuggestion: number }
    optuna?: { median: number; msPerSuggestion: number }
    timeRatio?: number
  }[]
}

interface OptunaOut {
  optuna: string
  results: Record<string, Record<string, { best: number[]; median: number; msPerSuggestion: number }>>
  long: Record<string, { function: string; trials: number; seeds: number; median: number; msPerSuggestion: number }>
}

function runOptuna(args: string[], verbose: boolean): Promise<OptunaOut> {
  return streamOptunaScript('optimizers.py', args, verbose) as Promise<OptunaOut>
}

/** Settings of `--quick`. */
export const QUICK: BenchOptions = { trials: 60, seeds: 5, longTrials: 300, longSeeds: 1 }

/**
 * Runs the benchmark (ours in this process, Optuna in a child `/usr/bin/python3`, skipped
 * with a note when Optuna is not installed). Without options it honours `--quick` on the
 * command line (so `pnpm bench optimizers --quick` works).
 */
export async function run(options?: BenchOptions): Promise<BenchReport> {
  const opts: BenchOptions = options ?? (process.argv.includes('--quick') ? QUICK : {})
  const trials = opts.trials ?? 100
  const seeds = opts.seeds ?? 20
  const longTrials = opts.longTrials ?? 1000
  const longSeeds = opts.longSeeds ?? 3
  const longFunction = opts.longFunction ?? 'hartmann6'
  const fns = FUNCTIONS.filter((f) => !opts.functions || opts.functions.includes(f.name))
  const names = Object.keys(OURS).filter((k) => !opts.optimizers || opts.optimizers.includes(k))
  const withOptuna = opts.optuna !== false && (await optunaAvailable())
  const optunaRun = !withOptuna
    ? undefined
    : runOptuna(
        [
          '--trials',
          String(trials),
          '--seeds',
          String(seeds),
          '--functions',
          fns.map((f) => f.name).join(','),
          '--samplers',
          names.join(','),
          '--long-trials',
          String(names.some((n) => n.startsWith('tpe')) ? longTrials : 0),
          '--long-seeds',
          String(longSeeds),
          '--long-function',
          longFunction,
        ],
        opts.verbose ?? false,
      )
  const log = (line: string): void => {
    if (opts.verbose) process.stderr.write(`${line}\n`)
  }
  // Our side runs while Python works (2 cores: one each).
  const rows: BenchRow[] = []
  for (const fn of fns) {
    for (const name of names) {
      const best: number[] = []
      const times: number[] = []
      for (let seed = 0; seed < seeds; seed++) {
        const r = await runLoop(OURS[name]!, fn, seed, trials)
        best.push(r.best)
        times.push(r.msPerSuggestion)
      }
      rows.push({
        function: fn.name,
        optimizer: name,
        optimum: fn.optimum,
        ours: { median: median(best), msPerSuggestion: median(times), best },
      })
      log(`cairn ${fn.name} ${name}: median ${median(best).toPrecision(6)}, ${median(times).toFixed(3)} ms/suggestion`)
    }
  }
  const long: BenchReport['long'] = []
  const lf = FUNCTIONS.find((f) => f.name === longFunction)
  if (longTrials > 0 && lf) {
    for (const name of names.filter((n) => n.startsWith('tpe'))) {
      const best: number[] = []
      const times: number[] = []
      for (let seed = 0; seed < longSeeds; seed++) {
        const r = await runLoop(OURS[name]!, lf, seed, longTrials)
        best.push(r.best)
        times.push(r.msPerSuggestion)
      }
      long.push({
        optimizer: name,
        function: lf.name,
        trials: longTrials,
        seeds: longSeeds,
        ours: { median: median(best), msPerSuggestion: median(times) },
      })
      log(`cairn long ${name}: ${median(times).toFixed(3)} ms/suggestion`)
    }
  }
  let optunaVersion: string | undefined
  if (optunaRun) {
    const py = await optunaRun
    optunaVersion = py.optuna
    for (const row of rows) {
      const o = py.results[row.function]?.[row.optimizer]
      if (!o) continue
      row.optuna = o
      row.gapRatio = (row.ours.median - row.optimum) / (o.median - row.optimum)
      row.timeRatio = row.ours.msPerSuggestion / o.msPerSuggestion
    }
    for (const l of long) {
      const o = py.long[l.optimizer]
      if (!o) continue
      l.optuna = { median: o.median, msPerSuggestion: o.msPerSuggestion }
      l.timeRatio = l.ours.msPerSuggestion / o.msPerSuggestion
    }
  }
  return {
    trials,
    seeds,
    node: process.version,
    ...(optunaVersion ? { optunaVersion } : {}),
    ...(opts.optuna !== false && !withOptuna ? { note: `Optuna not importable by ${PYTHON}: its side was skipped` } : {}),
    rows,
    long,
  }
}

/** Title of the table (for bench/run.ts). */
export const title =
  'Optimizers vs Optuna: median best value and ms per suggestion (gap ratio = (ours − optimum) / (Optuna − optimum), < 1 is better)'

/** Significant digits as text (printTable would round numbers to 3 decimals). */
const sig = (v: number | undefined, digits = 4): string =>
  v === undefined ? '—' : Math.abs(v) >= 1000 ? String(Math.round(v)) : String(Number(v.toPrecision(digits)))

/** The report as table rows (for bench/run.ts and the standalone run). */
export function table(r: BenchReport): Row[] {
  const rows: Row[] = r.rows.map((row) => ({
    function: row.function,
    optimizer: row.optimizer,
    'ours median': sig(row.ours.median),
    'optuna median': sig(row.optuna?.median),
    'gap ratio': sig(row.gapRatio, 3),
    'ours ms/sugg': sig(row.ours.msPerSuggestion, 3),
    'optuna ms/sugg': sig(row.optuna?.msPerSuggestion, 3),
    'time ratio': sig(row.timeRatio, 3),
  }))
  for (const l of r.long)
    rows.push({
      function: `${l.function}@${l.trials}`,
      optimizer: l.optimizer,
      'ours median': sig(l.ours.median),
      'optuna median': sig(l.optuna?.median),
      'gap ratio': '',
      'ours ms/sugg': sig(l.ours.msPerSuggestion, 3),
      'optuna ms/sugg': sig(l.optuna?.msPerSuggestion, 3),
      'time ratio': sig(l.timeRatio, 3),
    })
  return rows
}

/** The standalone run's command line. */
export const cli: Cli<BenchOptions & { json: boolean }> = {
  command: 'bench/optimizers.ts',
  defaults: () => ({ json: false, verbose: true }),
  flags: {
    quick: {
      help: `${QUICK.trials} trials × ${QUICK.seeds} seeds, long run ${QUICK.longTrials} trials × ${QUICK.longSeeds} seed (flags after it override it)`,
      apply: (o) => Object.assign(o, QUICK),
    },
    trials: { value: 'n', help: 'trials per run (default 100)', apply: (o, v) => (o.trials = integerFlag('trials', v, 1)) },
    seeds: { value: 'n', help: 'seeds per function × optimizer (default 20)', apply: (o, v) => (o.seeds = integerFlag('seeds', v, 1)) },
    'long-trials': {
      value: 'n',
      help: 'trials of the long TPE timing run, 0 skips it (default 1000)',
      apply: (o, v) => (o.longTrials = integerFlag('long-trials', v, 0)),
    },
    'long-seeds': {
      value: 'n',
      help: 'seeds of the long run (default 3)',
      apply: (o, v) => (o.longSeeds = integerFlag('long-seeds', v, 1)),
    },
    'long-function': { value: 'name', help: 'function of the long run (default hartmann6)', apply: (o, v) => (o.longFunction = v) },
    functions: {
      value: 'a,b',
      help: `only these functions (of ${FUNCTIONS.map((f) => f.name).join(', ')})`,
      apply: (o, v) => (o.functions = v.split(',')),
    },
    optimizers: {
      value: 'a,b',
      help: `only these optimizers (of ${Object.keys(OURS).join(', ')})`,
      apply: (o, v) => (o.optimizers = v.split(',')),
    },
    'no-optuna': { help: 'skip the Optuna side', apply: (o) => (o.optuna = false) },
    json: { help: 'print the JSON report only (no table)', apply: (o) => (o.json = true) },
    quiet: { help: 'no progress lines on stderr', apply: (o) => (o.verbose = false) },
  },
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const opts = readCli(cli)
  const report = await run(opts)
  console.log(JSON.stringify(report, (k, v) => (k === 'best' ? undefined : v)))
  if (!opts.json) printTable(`${title}; ${report.trials} trials × ${report.seeds} seeds`, table(report))
}
