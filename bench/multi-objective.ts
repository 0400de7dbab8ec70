/**
 * Several objectives and constraints: Cairn's NSGA-II and multi-objective TPE against Optuna
 * 3.1's NSGAIISampler and TPESampler (MOTPE), and Cairn's TPE with constraints against
 * Optuna's TPESampler with `constraints_func`, in the same run, seeds 0..N-1 on both sides.
 *
 *   pnpm bench multi-objective                          # full: 200 trials × 20 seeds, constrained 100 trials × 20 seeds
 *   pnpm bench multi-objective --seeds=3 --trials=100   # a quick look (through bench/run.ts, flags take `=`)
 *   node --conditions=@cairn/source --import tsx bench/multi-objective.ts [flags]
 *     --trials 200 --seeds 20 --constrained-trials 100 --problems zdt1,dtlz2 --constrained gardner
 *     --no-optuna --optuna-json <file> (reuse the Optuna side a previous run saved with --save-optuna <file>;
 *     rows may hold fewer Optuna seeds than ours: the ratio then compares the same seeds)
 *     --json (JSON only) --quiet (no progress on stderr)
 *
 * Problems (identical in bench/optuna/multi_objective.py, see bench/lib/multi-objective-problems.ts):
 * ZDT1, ZDT2 and ZDT3 (30 variables, 2 objectives), DTLZ2 (12 variables, 3 objectives); the
 * hypervolume of all trials after `trials` trials, with one fixed reference point per problem
 * for both sides, computed by `hypervolume()` from @cairn/optimizers (Optuna's side sends its
 * objective values); medians with the quartiles over seeds, and for each ratio a 90% bootstrap
 * interval (seed-to-seed noise). Constrained: Gardner's problem 1 and Branin in a disk; the best
 * feasible value after `constrained-trials` trials.
 *
 * Our samplers run in a loop that mirrors the session driver with `parallelism: 1` (the
 * session's seeded RNG, history from the loop with `values` and `constraints` as the driver
 * records them, `tell` in order, the state encoded after every trial).
 */
import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { Rng, type Direction, type Json, type Optimizer, type SearchSpace, type TrialView } from '@cairn/core'
import { cmaEs, hypervolume, nsga2, tpe } from '@cairn/optimizers'
import { integerFlag, readCli, type Cli } from './lib/args.js'
import { CONSTRAINED_PROBLEMS, MO_PROBLEMS, varsOf, type ConstrainedProblem, type MoProblem } from './lib/multi-objective-problems.js'
import { optunaAvailable, streamOptunaScript } from './lib/optuna.js'
import { median, medianRatioInterval, printTable, quartiles, round, type Row } from './lib/stats.js'

type Params = Record<string, Json>

/** Our optimizers on multi-objective problems, each with the Optuna sampler it is compared with. */
const OURS_MO: Record<string, { optuna: string; make: () => Optimizer<any> }> = {
  nsga2: { optuna: 'nsga2', make: () => nsga2() },
  'nsga2-dominance': { optuna: 'nsga2', make: () => nsga2({ tournament: 'dominance' }) },
  // With several objectives tpe() takes Optuna's prior weight and kernel widths, plus 30% local moves around good trials.
  tpe: { optuna: 'tpe', make: () => tpe() },
  // Optuna 3.1's MOTPE algorithm, unchanged.
  'tpe-optuna-defaults': { optuna: 'tpe', make: () => tpe({ optunaDefaults: true }) },
}

/** Our optimizers on constrained problems (Optuna's side: TPE with `constraints_func`). */
const OURS_CONSTRAINED: Record<string, () => Optimizer<any>> = {
  tpe: () => tpe(),
  'tpe-optuna-defaults': () => tpe({ optunaDefaults: true }),
  cmaes: () => cmaEs(),
}

/** What one objective evaluation gives the loop. */
interface Outcome {
  values?: number[]
  score?: number
  constraints?: number[]
}

/** Drives a sampler for `trials` trials, as the session driver does with parallelism 1; returns the history. */
async function runLoop(
  optimizer: Optimizer<any>,
  space: SearchSpace,
  directions: Direction[],
  f: (p: Params) => Outcome,
  trials: number,
  seed: number,
): Promise<TrialView[]> {
  const sampler = optimizer.sampler
  if (!sampler) throw new Error(`${optimizer.id} is not an ask/tell optimizer`)
  const rng = Rng.fromSeed(seed)
  const base = { direction: directions[0]!, ...(directions.length >= 2 ? { directions } : {}), space }
  const history: TrialView[] = []
  let state = await sampler.init({ seed, rng, history, ...base })
  for (let trialIdx = 0; trialIdx < trials; trialIdx++) {
    const asked = await sampler.ask(state, { trialIdx, rng, history, pending: [], ...base })
    if (asked.kind === 'halt') break
    const out = f(asked.candidate as Params)
    const view: TrialView = {
      trialIdx,
      candidate: asked.candidate,
      status: 'ok',
      ...(out.values ? { values: out.values } : {}),
      ...(out.score !== undefined ? { score: out.score } : {}),
      ...(out.constraints ? { constraints: out.constraints } : {}),
    }
    history.push(view)
    state = sampler.tell ? sampler.tell(asked.state, view, { history }) : asked.state
    sampler.encodeState(state)
  }
  return history
}

/** Options of `run`. */
export interface BenchOptions {
  trials?: number
  seeds?: number
  constrainedTrials?: number
  problems?: string[]
  constrained?: string[]
  optuna?: boolean
  /** Read the Optuna side from this file (written by `saveOptuna`) instead of running it. */
  optunaJson?: string
  /** Write the Optuna side's output to this file. */
  saveOptuna?: string
  verbose?: boolean
}

/** One multi-objective row: a problem × sampler on both sides. */
export interface MoRow {
  problem: string
  /** Ours: `nsga2`, `tpe`, or Optuna's algorithms (`nsga2-dominance`: NSGA-II with Optuna's tournament, `tpe-optuna-defaults`). */
  sampler: string
  /** The Optuna sampler it is compared with (`nsga2`: NSGAIISampler, `tpe`: TPESampler). */
  optunaSampler: string
  reference: number[]
  /** Our hypervolume per seed, its median and quartiles (the spread over seeds). */
  ours: { median: number; quartiles: [number, number]; hypervolume: number[] }
  /** Optuna's hypervolume per seed (the seeds it ran, see `OptunaOut.moSeeds`), its median and quartiles. */
  optuna?: { median: number; quartiles: [number, number]; seeds: number; hypervolume: number[] }
  /** Our median over the seeds Optuna ran (the same seeds), when it ran fewer than we did. */
  oursSameSeeds?: number
  /** Our median hypervolume (over the seeds Optuna ran) / Optuna's (above 1: ours is better). */
  ratio?: number
  /** A 90% bootstrap interval of `ratio` (seeds resampled on both sides): how far seed-to-seed noise alone moves it. */
  ratioInterval?: [number, number]
}

/** One constrained row: best feasible value per seed (null: no feasible trial). */
export interface ConstrainedRow {
  problem: string
  optimizer: string
  ours: { median: number; feasibleSeeds: number; best: (number | null)[] }
  /** Optuna's TPESampler with `constraints_func`. */
  optuna?: { median: number; feasibleSeeds: number; best: (number | null)[] }
}

/** What `run` returns. */
export interface BenchReport {
  trials: number
  seeds: number
  constrainedTrials: number
  node: string
  optunaVersion?: string
  note?: string
  mo: MoRow[]
  constrained: ConstrainedRow[]
}

interface OptunaOut {
  optuna: string
  trials: number
  seeds: number
  mo: Record<string, Record<string, number[][][]>>
  /** The seed of each run in `mo` (merge_multi_objective.py); absent: seeds 0, 1, … */
  moSeeds?: Record<string, Record<string, number[]>>
  constrained: Record<string, { tpe: (number | null)[] }>
}

function runOptuna(args: string[], verbose: boolean): Promise<OptunaOut> {
  return streamOptunaScript('multi_objective.py', args, verbose) as Promise<OptunaOut>
}

/** The median of the finite values (NaN when none), counting the rest as missing. */
function medianOfFinite(xs: readonly (number | null)[]): number {
  const ok = xs.filter((x): x is number => x !== null && Number.isFinite(x))
  return ok.length === 0 ? Number.NaN : median(ok)
}

function bestFeasible(history: readonly TrialView[]): number | null {
  let best = Infinity
  for (const t of history)
    if (t.status === 'ok' && t.score !== undefined && (t.constraints ?? []).every((c) => c <= 0)) best = Math.min(best, t.score)
  return Number.isFinite(best) ? best : null
}

function moHypervolume(problem: MoProblem, points: readonly number[][]): number {
  return hypervolume(points, problem.reference)
}

/**
 * Runs the benchmark (ours in this process, Optuna in a child `/usr/bin/python3`, skipped
 * with a note when Optuna is not installed).
 */
export async function run(opts: BenchOptions = {}): Promise<BenchReport> {
  const trials = opts.trials ?? 200
  const seeds = opts.seeds ?? 20
  const constrainedTrials = opts.constrainedTrials ?? 100
  const verbose = opts.verbose !== false
  const problems = MO_PROBLEMS.filter((p) => !opts.problems || opts.problems.includes(p.name))
  const constrained = CONSTRAINED_PROBLEMS.filter((p) => !opts.constrained || opts.constrained.includes(p.name))
  let optunaRun: Promise<OptunaOut> | undefined
  let note: string | undefined
  // An Optuna side saved in a file is read once ours has run, so a long run in parts may still be finishing.
  if (!opts.optunaJson && opts.optuna !== false && (await optunaAvailable())) {
    optunaRun = runOptuna(
      [
        '--trials',
        String(trials),
        '--seeds',
        String(seeds),
        '--problems',
        problems.map((p) => p.name).join(','),
        '--constrained',
        constrained.map((p) => p.name).join(','),
        '--constrained-trials',
        String(constrainedTrials),
      ],
      verbose,
    )
    if (opts.saveOptuna) {
      const file = opts.saveOptuna
      optunaRun = optunaRun.then(async (out) => {
        await writeFile(file, JSON.stringify(out))
        return out
      })
    }
  } else if (!opts.optunaJson) {
    note = 'Optuna side skipped (--no-optuna, or /usr/bin/python3 cannot import optuna)'
  }
  // Ours runs while Python works (the machine has two cores).
  const moRows: MoRow[] = []
  for (const problem of problems) {
    const directions = Array.from({ length: problem.nObjectives }, () => 'minimize' as Direction)
    const f = (p: Params): Outcome => ({ values: problem.f(varsOf(p, problem.nVars)) })
    for (const [name, { optuna, make }] of Object.entries(OURS_MO)) {
      const hv: number[] = []
      for (let seed = 0; seed < seeds; seed++) {
        const history = await runLoop(make(), problem.space, directions, f, trials, seed)
        hv.push(
          moHypervolume(
            problem,
            history.map((t) => t.values as number[]),
          ),
        )
      }
      if (verbose) process.stderr.write(`cairn ${problem.name} ${name}: median hypervolume ${round(median(hv), 4)}\n`)
      moRows.push({
        problem: problem.name,
        sampler: name,
        optunaSampler: optuna,
        reference: problem.reference,
        ours: { median: median(hv), quartiles: quartiles(hv), hypervolume: hv },
      })
    }
  }
  const constrainedRows: ConstrainedRow[] = []
  for (const problem of constrained) {
    const f = (p: Params): Outcome => {
      const { value, constraints } = problem.f(p)
      return { score: value, constraints }
    }
    for (const [name, make] of Object.entries(OURS_CONSTRAINED)) {
      const best: (number | null)[] = []
      for (let seed = 0; seed < seeds; seed++)
        best.push(bestFeasible(await runLoop(make(), problem.space, ['minimize'], f, constrainedTrials, seed)))
      if (verbose) process.stderr.write(`cairn ${problem.name} ${name}: median best feasible ${round(medianOfFinite(best), 5)}\n`)
      constrainedRows.push({
        problem: problem.name,
        optimizer: name,
        ours: { median: medianOfFinite(best), feasibleSeeds: best.filter((b) => b !== null).length, best },
      })
    }
  }
  let optunaVersion: string | undefined
  if (opts.optunaJson) optunaRun = readFile(opts.optunaJson, 'utf8').then((text) => JSON.parse(text) as OptunaOut)
  if (optunaRun) {
    const out = await optunaRun
    optunaVersion = out.optuna
    if (out.trials !== trials) note = `the Optuna side ran ${out.trials} trials`
    for (const row of moRows) {
      const runs = out.mo[row.problem]?.[row.optunaSampler]
      if (!runs) continue
      const problem = problems.find((p) => p.name === row.problem)!
      const hv = runs.map((values) => moHypervolume(problem, values))
      row.optuna = { median: median(hv), quartiles: quartiles(hv), seeds: hv.length, hypervolume: hv }
      // Ours on the seeds Optuna ran (those we ran too).
      const seedsRun = out.moSeeds?.[row.problem]?.[row.optunaSampler] ?? hv.map((_, i) => i)
      const ours = seedsRun.filter((s) => s < row.ours.hypervolume.length).map((s) => row.ours.hypervolume[s]!)
      const same = median(ours)
      if (ours.length < row.ours.hypervolume.length) row.oursSameSeeds = same
      row.ratio = same / row.optuna.median
      const rng = Rng.fromSeed(0)
      row.ratioInterval = medianRatioInterval(ours, hv, () => rng.next())
    }
    for (const row of constrainedRows) {
      const best = out.constrained[row.problem]?.tpe
      if (!best) continue
      row.optuna = { median: medianOfFinite(best), feasibleSeeds: best.filter((b) => b !== null).length, best }
    }
  }
  return {
    trials,
    seeds,
    constrainedTrials,
    node: process.version,
    ...(optunaVersion ? { optunaVersion } : {}),
    ...(note ? { note } : {}),
    mo: moRows,
    constrained: constrainedRows,
  }
}

export const title = 'Several objectives and constraints vs Optuna 3.1'

const spread = ([q1, q3]: [number, number]): string => `${round(q1, 3)}–${round(q3, 3)}`

/** Two tables: hypervolume medians (and quartiles over seeds), then best feasible medians. */
export function tables(r: BenchReport): { title: string; rows: Row[] }[] {
  return [
    {
      title: `Hypervolume after ${r.trials} trials (median of ${r.seeds} seeds; higher is better)`,
      rows: r.mo.map((m) => ({
        problem: m.problem,
        cairn: m.sampler,
        optuna: m.optunaSampler,
        reference: m.reference.join(', '),
        'cairn median': round(m.ours.median, 4),
        'cairn quartiles': spread(m.ours.quartiles),
        'cairn, optuna seeds': m.oursSameSeeds !== undefined ? round(m.oursSameSeeds, 4) : '=',
        'optuna median': m.optuna ? round(m.optuna.median, 4) : '-',
        'optuna quartiles': m.optuna ? spread(m.optuna.quartiles) : '-',
        'optuna seeds': m.optuna ? m.optuna.seeds : '-',
        'cairn / optuna': m.ratio !== undefined ? round(m.ratio, 3) : '-',
        'ratio, 90% bootstrap': m.ratioInterval ? spread(m.ratioInterval) : '-',
      })),
    },
    {
      title: `Best feasible value after ${r.constrainedTrials} trials (median of ${r.seeds} seeds; lower is better; Optuna: TPESampler with constraints_func)`,
      rows: r.constrained.map((c) => ({
        problem: c.problem,
        cairn: c.optimizer,
        'cairn median': round(c.ours.median, 5),
        'optuna tpe median': c.optuna ? round(c.optuna.median, 5) : '-',
        'feasible seeds (cairn / optuna)': `${c.ours.feasibleSeeds} / ${c.optuna ? c.optuna.feasibleSeeds : '-'}`,
      })),
    },
  ]
}

export const cli: Cli<BenchOptions & { json: boolean }> = {
  command: 'bench/multi-objective.ts',
  defaults: () => ({ json: false, verbose: true }),
  flags: {
    trials: { value: 'n', help: 'trials per multi-objective run (default 200)', apply: (o, v) => (o.trials = integerFlag('trials', v, 1)) },
    seeds: { value: 'n', help: 'seeds per problem × sampler (default 20)', apply: (o, v) => (o.seeds = integerFlag('seeds', v, 1)) },
    'constrained-trials': {
      value: 'n',
      help: 'trials per constrained run (default 100)',
      apply: (o, v) => (o.constrainedTrials = integerFlag('constrained-trials', v, 1)),
    },
    problems: {
      value: 'a,b',
      help: `only these multi-objective problems (of ${MO_PROBLEMS.map((p) => p.name).join(', ')}; '' for none)`,
      apply: (o, v) => (o.problems = v.split(',')),
    },
    constrained: {
      value: 'a,b',
      help: `only these constrained problems (of ${CONSTRAINED_PROBLEMS.map((p: ConstrainedProblem) => p.name).join(', ')}; '' for none)`,
      apply: (o, v) => (o.constrained = v.split(',')),
    },
    'no-optuna': { help: 'skip the Optuna side', apply: (o) => (o.optuna = false) },
    'optuna-json': {
      value: 'file',
      help: 'read the Optuna side from a file saved by --save-optuna (read after ours has run)',
      apply: (o, v) => (o.optunaJson = v),
    },
    'save-optuna': { value: 'file', help: "save the Optuna side's output to a file", apply: (o, v) => (o.saveOptuna = v) },
    json: { help: 'print the JSON report only (no tables)', apply: (o) => (o.json = true) },
    quiet: { help: 'no progress lines on stderr', apply: (o) => (o.verbose = false) },
  },
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const opts = readCli(cli)
  const report = await run(opts)
  console.log(JSON.stringify(report, (k, v) => (k === 'hypervolume' || k === 'best' ? undefined : v)))
  if (!opts.json) for (const t of tables(report)) printTable(t.title, t.rows)
}
