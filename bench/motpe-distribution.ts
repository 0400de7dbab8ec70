/**
 * Multi-objective TPE against Optuna 3.1's MOTPE at the level of one proposal: Optuna builds a
 * multi-objective history (its TPESampler, seed 0, `trials` trials), then draws `draws`
 * proposals for it (bench/optuna/motpe_distribution.py); ours, `tpe({ optunaDefaults: true })`,
 * draws as many for the same history (another seed). Per parameter: a two-sample
 * Kolmogorov–Smirnov distance with its 5% critical value, means and quartiles; and the largest
 * differences of log l(x) and log g(x) (the good and the other estimator) over 21 points per
 * parameter. The same algorithm gives about 5% of parameters beyond the critical value and
 * density differences at the level of our erfc approximation (1e-7).
 *
 *   pnpm bench motpe-distribution                  # 60 ZDT1 trials, 2,000 draws (minutes: Optuna is slow)
 *   pnpm bench motpe-distribution --draws=500 --problem=dtlz2
 */
import { fileURLToPath } from 'node:url'
import { float, Rng, space, type Direction, type TrialView } from '@cairn/core'
import { compileSpace } from '../packages/optimizers/src/space-math/index.js'
import { splitGroups } from '../packages/optimizers/src/tpe/multi-objective.js'
import { scoreObservations } from '../packages/optimizers/src/tpe/objectives.js'
import { resolveTpeOptions } from '../packages/optimizers/src/tpe/options.js'
import { tpeSampler } from '../packages/optimizers/src/tpe/sampler.js'
import { NumericParzen } from '../packages/optimizers/src/tpe/univariate.js'
import { integerFlag, readCli, type Cli } from './lib/args.js'
import { optunaAvailable, runOptunaScript } from './lib/optuna.js'
import { round, type Row } from './lib/stats.js'

/** Options of `run`. */
export interface DistributionOptions {
  trials?: number
  draws?: number
  problem?: string
}

/** One parameter's comparison. */
export interface ParamRow {
  name: string
  ks: number
  mean: [number, number]
  quartiles: [[number, number], [number, number]]
}

/** What `run` returns. */
export interface DistributionReport {
  trials: number
  draws: number
  problem: string
  optunaVersion?: string
  note?: string
  sameGoodGroup?: boolean
  /** Largest |log l(x) ours − Optuna's| and the same for g, over every parameter and point. */
  maxLogDensityDiff?: { l: number; g: number }
  ksCritical?: number
  beyondCritical?: number
  params: ParamRow[]
}

interface OptunaOut {
  optuna: string
  history: { params: Record<string, number>; values: number[] }[]
  below: number[]
  proposals: Record<string, number[]>
  grid: number[]
  logpdf: Record<string, { l: number[]; g: number[] }>
}

/** The two-sample Kolmogorov–Smirnov distance. */
function ks(a: readonly number[], b: readonly number[]): number {
  const x = [...a].sort((p, q) => p - q)
  const y = [...b].sort((p, q) => p - q)
  let i = 0
  let j = 0
  let d = 0
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i]!, y[j]!)
    while (i < x.length && x[i]! <= v) i++
    while (j < y.length && y[j]! <= v) j++
    d = Math.max(d, Math.abs(i / x.length - j / y.length))
  }
  return d
}

const mean = (a: readonly number[]) => a.reduce((s, v) => s + v, 0) / a.length
const quantile = (a: readonly number[], p: number) => [...a].sort((x, y) => x - y)[Math.floor(p * (a.length - 1))]!

/** Runs Optuna's side, then ours on the history it sent back. */
export async function run(opts: DistributionOptions = {}): Promise<DistributionReport> {
  const trials = opts.trials ?? 60
  const draws = opts.draws ?? 2000
  const problem = opts.problem ?? 'zdt1'
  if (!(await optunaAvailable()))
    return { trials, draws, problem, note: 'Optuna not available (/usr/bin/python3 cannot import optuna)', params: [] }
  const out = (await runOptunaScript(
    'motpe_distribution.py',
    ['--trials', String(trials), '--draws', String(draws), '--problem', problem],
    3_600_000,
  )) as OptunaOut
  const names = Object.keys(out.proposals).sort()
  const s = space(Object.fromEntries(names.map((n) => [n, float(0, 1)])))
  const directions: Direction[] = out.history[0]!.values.map(() => 'minimize')
  const history: TrialView[] = out.history.map((h, i) => ({ trialIdx: i, candidate: h.params, status: 'ok', values: h.values }))
  const cfg = resolveTpeOptions({ optunaDefaults: true })
  const base = { direction: 'minimize' as Direction, directions, space: s, history, pending: [] }
  const sampler = tpeSampler(cfg)
  const state = await sampler.init({ seed: 1, rng: Rng.fromSeed(1), ...base })
  const rng = Rng.fromSeed(777)
  const ours: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]))
  for (let i = 0; i < draws; i++) {
    const asked = await sampler.ask(state, { trialIdx: history.length, rng, ...base })
    if (asked.kind !== 'candidate') throw new Error('tpe halted')
    for (const n of names) ours[n]!.push((asked.candidate as Record<string, number>)[n]!)
  }
  // The good group and the densities at the same points.
  const cs = compileSpace(s)
  const model = { ...cfg, ...cfg.multiObjective }
  const scored = scoreObservations(cs, { trialIdx: history.length, rng, ...base }, [])
  const groups = splitGroups(model, scored)
  const c = 0.5 * Math.log(2 * Math.PI) // Optuna's log densities include −log √(2π)
  let dl = 0
  let dg = 0
  cs.numeric.forEach((dim, j) => {
    const l = new NumericParzen(dim, scored.obs.numeric[j]!, groups.below, groups.wBelow, model, model.bandwidthBelow)
    const g = new NumericParzen(dim, scored.obs.numeric[j]!, groups.above, groups.wAbove, model)
    out.grid.forEach((x, k) => {
      dl = Math.max(dl, Math.abs(Math.log(l.density(x)) - c - out.logpdf[dim.name]!.l[k]!))
      dg = Math.max(dg, Math.abs(Math.log(g.density(x)) - c - out.logpdf[dim.name]!.g[k]!))
    })
  })
  const nb = out.proposals[names[0]!]!.length
  const ksCritical = 1.358 * Math.sqrt((draws + nb) / (draws * nb))
  const params: ParamRow[] = names.map((name) => {
    const a = ours[name]!
    const b = out.proposals[name]!
    return {
      name,
      ks: ks(a, b),
      mean: [mean(a), mean(b)],
      quartiles: [
        [quantile(a, 0.25), quantile(a, 0.75)],
        [quantile(b, 0.25), quantile(b, 0.75)],
      ],
    }
  })
  return {
    trials,
    draws,
    problem,
    optunaVersion: out.optuna,
    sameGoodGroup: JSON.stringify(Array.from(groups.below)) === JSON.stringify(out.below),
    maxLogDensityDiff: { l: dl, g: dg },
    ksCritical,
    beyondCritical: params.filter((p) => p.ks > ksCritical).length,
    params,
  }
}

export const title = "Multi-objective tpe({ optunaDefaults: true }) vs Optuna 3.1's MOTPE: proposals for one history"

/** One row per parameter. */
export function table(r: DistributionReport): Row[] {
  return r.params.map((p) => ({
    param: p.name,
    KS: round(p.ks, 4),
    'beyond 5% critical': r.ksCritical !== undefined && p.ks > r.ksCritical ? 'yes' : '',
    'mean (cairn / optuna)': `${round(p.mean[0], 4)} / ${round(p.mean[1], 4)}`,
    'quartiles cairn': `${round(p.quartiles[0][0], 3)}–${round(p.quartiles[0][1], 3)}`,
    'quartiles optuna': `${round(p.quartiles[1][0], 3)}–${round(p.quartiles[1][1], 3)}`,
  }))
}

export const cli: Cli<DistributionOptions> = {
  command: 'bench/motpe-distribution.ts',
  defaults: () => ({}),
  flags: {
    trials: { value: 'n', help: 'trials in the history (default 60)', apply: (o, v) => (o.trials = integerFlag('trials', v, 1)) },
    draws: { value: 'n', help: 'proposals on each side (default 2000)', apply: (o, v) => (o.draws = integerFlag('draws', v, 1)) },
    problem: { value: 'name', help: 'zdt1, zdt2, zdt3 or dtlz2 (default zdt1)', apply: (o, v) => (o.problem = v) },
  },
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const report = await run(readCli(cli))
  console.log(JSON.stringify(report, (k, v) => (k === 'params' ? undefined : v)))
}
