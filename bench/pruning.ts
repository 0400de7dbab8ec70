/**
 * Pruning: epochs spent and quality reached with no pruning, Cairn's medianPruner / asha /
 * hyperband and Optuna 3.1's MedianPruner / SuccessiveHalvingPruner / HyperbandPruner, all with
 * TPE (Cairn `tpe()`, Optuna `TPESampler(seed)`) and every pruner at its defaults, on the same
 * learning curves, in one run; then the cost of `ctx.report` and `ctx.checkpoint` on the fs and
 * level stores beside a raw durable write of the same bytes.
 *
 *   pnpm bench pruning [--quick] [--seeds=20] ...       # through bench/run.ts (flags as --name=value)
 *   node --conditions=@cairn/source --import tsx bench/pruning.ts [--quick] [--seeds 20] [--trials 100]
 *       [--workloads curves,sgd] [--pruners none,median,asha,hyperband] [--no-optuna]
 *       [--no-overhead] [--overhead-only] [--json] [--quiet]
 *
 * Workloads, identical on both sides (bench/lib/pruning-curves.ts, bench/lib/pruning-sgd.ts and
 * bench/optuna/pruning.py; the run starts by checking that both languages give the same values
 * for a few candidates, and stops if they do not):
 * - `curves`: synthetic learning curves over a 7-parameter space (4 floats, a log-scale float,
 *   an int, a categorical) whose final values are Hartmann-6 plus a penalty, approached from
 *   above at a rate that depends on the parameters, with hashed noise; 27 epochs.
 * - `sgd`: softmax regression of the Palmer penguins' species (the `vega-datasets` package, a
 *   root devDependency for this bench) by minibatch SGD, validation log loss after each of 27
 *   epochs; parameters lr (log), l2 (log), batch size (int).
 * The objective reports the value after every epoch at step = epochs trained (1..27), asks the
 * pruner after every report and counts the epochs it trains. For each workload × side × pruner,
 * seeds 0..N−1, `trials` trials each: the median over seeds of the epochs trained in total and of
 * the best final value (over trials that completed: a pruned trial's last value does not count).
 *
 * At equal quality (bench/lib/pruning-anytime.ts): a configuration with a pruner runs
 * `trialsPruned` trials (default 2 × `trials`, same seeds, both sides), and every study's anytime
 * curve (best final value so far against epochs spent so far) is read at target qualities —
 * Optuna's best pruner's median best and each side's no-pruning median best, over the first
 * `trials` trials — giving the median over seeds of the epochs needed to reach each (a seed that
 * never does counts as infinitely many; how many never do is shown), and at epoch budgets (a
 * third of no pruning's, and no pruning's), giving the median best value within each. The
 * number of trials that trained past each of ASHA's rungs shows where the epochs go.
 * Cairn alone also runs `asha-cohort`, `asha({ cohortSize: 20 })` (bench/lib/pruning-cairn.ts),
 * with 3 × `trialsPruned` trials (it spends fewer epochs a trial); its verdict is shown beside
 * `asha()`'s.
 *
 * Then the pruners alone (bench/lib/pruning-replay.ts): both sides judge the same 100 fixed
 * candidates of the curves in order, which separates the pruning rules from the samplers.
 *
 * Ratios: epochs / the same side's no-pruning epochs; gap ratio = (value − optimum) /
 * (reference − optimum), optimum = a lower bound of the values (Hartmann-6's minimum; 0 for a
 * log loss), < 1 means closer to the optimum than the reference (Optuna's best pruner, or no
 * pruning). Targets (issue 14): Cairn's ASHA reaches the quality of Optuna's best pruner with no
 * more epochs than it, and spends ≤ 1/3 of the epochs of no pruning at equal quality (here: a
 * gap ratio to no pruning ≤ 1.05).
 */
import { fileURLToPath } from 'node:url'
import { integerFlag, readCli, type Cli } from './lib/args.js'
import { PYTHON, optunaAvailable, runOptunaScript } from './lib/optuna.js'
import { anytimeCurve, prefixSummary, qualityWithin, reachOverSeeds, reachedSteps, type Reach } from './lib/pruning-anytime.js'
import { OPTUNA_PRUNER_NAMES, PRUNER_NAMES, TRIALS_FACTOR, runCairnStudy, type PrunerName, type StudyRun } from './lib/pruning-cairn.js'
import { checkWorkloadsAgree, type WorkloadCheck } from './lib/pruning-check.js'
import { runOverhead, type StoreOverhead } from './lib/pruning-overhead.js'
import { runReplay, type ReplayRow } from './lib/pruning-replay.js'
import { penguinsPath } from './lib/pruning-sgd.js'
import { curvesWorkload, sgdWorkload, type Workload, type WorkloadName } from './lib/pruning-workloads.js'
import { median, printTable, type Row } from './lib/stats.js'

const WORKLOAD_NAMES: readonly WorkloadName[] = ['curves', 'sgd']
/** Optuna studies run in this many Python processes at once (one workload × pruner × half of the seeds each). */
const OPTUNA_PROCESSES = 6

/** Options of `run`. */
export interface PruningOptions {
  /** Trials per study without a pruner; the classic table compares every configuration over this many. */
  trials?: number
  /** Trials per study with a pruner (default 2 × `trials`), so that the anytime curves reach further than no pruning's budget. */
  trialsPruned?: number
  seeds?: number
  /** Skip the Optuna side. */
  optuna?: boolean
  workloads?: WorkloadName[]
  pruners?: PrunerName[]
  /** The report / checkpoint overhead part (default true; skipped with a note on a store without trialProgress). */
  overhead?: boolean
  /** Only the overhead part. */
  overheadOnly?: boolean
  /** Progress lines on stderr. */
  verbose?: boolean
}

/** Settings of `--quick`. */
export const QUICK: PruningOptions = { trials: 40, trialsPruned: 80, seeds: 3 }

/** The trials that trained at least this many epochs are counted (past ASHA's rungs at 1, 4 and 16 epochs with Optuna's defaults; 27: completed). */
export const STEPS_COUNTED = [2, 5, 17, 27] as const

/** One side × pruner of a workload: medians over seeds (of the first `trials` trials), and the per-seed runs. */
export interface PruningRow {
  side: 'cairn' | 'optuna'
  pruner: PrunerName
  /** Median epochs trained per study (first `trials` trials). */
  epochs: number
  /** Median best final value. */
  best: number
  completed: number
  pruned: number
  /** Median seconds per study (wall clock, objective included). */
  seconds: number
  /** epochs / the same side's no-pruning epochs. */
  epochsVsNone?: number
  /** (best − optimum) / (Optuna's best pruner's best − optimum). */
  gapVsOptunaBest?: number
  /** Trials per study actually run (more than `trials` with a pruner). */
  trialsRun: number
  /** Over all trials run: the median number of trials that trained at least `STEPS_COUNTED[i]` epochs. */
  reachedSteps: number[]
  /** Over all trials run: epochs to reach each of the workload's target qualities (`AnytimeTargets`, same order). */
  reach?: Reach[]
  /** Over all trials run: median best final value within each of the workload's budgets (`AnytimeTargets.budgets`). */
  within?: (number | null)[]
  runs: StudyRun[]
}

/** The qualities and budgets every row's anytime curve is read at. */
export interface AnytimeTargets {
  /** Named qualities: Optuna's best pruner's median best, and each side's no-pruning median best (first `trials` trials). */
  qualities: { name: string; quality: number }[]
  /** Epoch budgets: a third of no pruning's epochs, and no pruning's. */
  budgets: number[]
}

/** Where a Cairn ASHA configuration (`asha`, `asha-cohort`) stands against the issue's targets on one workload, at equal quality (anytime curves). */
export interface AnytimeVerdict {
  /** The Cairn configuration judged. */
  pruner: PrunerName
  /** Optuna's pruner with the best median quality over the first `trials` trials, and that quality. */
  optunaBest: { pruner: PrunerName; quality: number }
  /** Median epochs the Cairn configuration / that Optuna pruner needed to reach that quality (null: half the seeds or more never did). */
  ashaEpochsToOptunaBest: number | null
  optunaEpochsToOptunaBest: number | null
  /** Cairn's no-pruning median best (reached in `noneEpochs` epochs, in median). */
  noneQuality: number
  noneEpochs: number
  /** Median epochs the Cairn configuration needed to reach `noneQuality`. */
  ashaEpochsToNone: number | null
  /** `noneEpochs / ashaEpochsToNone` (target ≥ 3). */
  fewerThanNone: number | null
  reachesOptunaBest: boolean
  threeTimesFewerAtEqualQuality: boolean
}

/** Where Cairn's ASHA stands against the issue's targets on one workload (end points of `trials` trials). */
export interface PruningTarget {
  /** Optuna's pruner with the best median quality. */
  optunaBest: { pruner: PrunerName; best: number; epochs: number }
  ashaBest: number
  ashaEpochs: number
  /** ASHA's gap ratio to Optuna's best pruner (≤ 1: reaches its quality). */
  gapVsOptunaBest: number
  /** ASHA's epochs / those of Optuna's best pruner (≤ 1: no more epochs). */
  epochsVsOptunaBest: number
  /** ASHA's gap ratio to Cairn without pruning. */
  gapVsNone?: number
  /** ASHA's epochs / Cairn's without pruning (target ≤ 1/3). */
  epochsVsNone?: number
  reachesOptunaBest: boolean
  threeTimesFewerAtEqualQuality?: boolean
}

/** One workload's results. */
export interface WorkloadReport {
  workload: WorkloadName
  label: string
  epochsPerTrial: number
  optimum: number
  rows: PruningRow[]
  target?: PruningTarget
  anytime?: AnytimeTargets
  /** One per Cairn ASHA configuration run (`asha`, `asha-cohort`). */
  verdicts?: AnytimeVerdict[]
}

/** What `run` returns. */
export interface PruningReport {
  trials: number
  trialsPruned: number
  seeds: number
  node: string
  optunaVersion?: string
  /** The TypeScript-vs-Python agreement check of the workloads. */
  check?: WorkloadCheck
  /** The pruners alone on fixed candidates of the curves (bench/lib/pruning-replay.ts). */
  replay?: ReplayRow[]
  notes: string[]
  workloads: WorkloadReport[]
  overhead: StoreOverhead[] | null
}

interface OptunaOut {
  optuna: string
  results: Record<string, StudyRun[]>
}

const medianOf = (runs: readonly StudyRun[], pick: (r: StudyRun) => number | null): number =>
  median(runs.map(pick).filter((v): v is number => v !== null))

function summarize(side: 'cairn' | 'optuna', pruner: PrunerName, runs: StudyRun[], trials: number): PruningRow {
  const first = runs.map((r) => prefixSummary(r.trials, trials))
  return {
    side,
    pruner,
    epochs: median(first.map((r) => r.epochs)),
    best: median(first.map((r) => r.best).filter((v): v is number => v !== null)),
    completed: median(first.map((r) => r.completed)),
    pruned: median(first.map((r) => r.pruned)),
    seconds: medianOf(runs, (r) => r.seconds),
    trialsRun: median(runs.map((r) => r.trials.length)),
    reachedSteps: reachedSteps(
      runs.map((r) => r.trials),
      STEPS_COUNTED,
    ),
    runs,
  }
}

/** Reads every row's anytime curves at the workload's target qualities and budgets; fills `w.anytime` and `w.verdicts`. */
function compareAnytime(w: WorkloadReport): void {
  const row = (side: string, pruner: string): PruningRow | undefined => w.rows.find((r) => r.side === side && r.pruner === pruner)
  const optunaPruned = w.rows.filter((r) => r.side === 'optuna' && r.pruner !== 'none' && Number.isFinite(r.best))
  const qualities: { name: string; quality: number }[] = []
  const ob = optunaPruned.length > 0 ? optunaPruned.reduce((a, b) => (b.best < a.best ? b : a)) : undefined
  if (ob) qualities.push({ name: `Optuna ${ob.pruner}`, quality: ob.best })
  for (const side of ['cairn', 'optuna'] as const) {
    const none = row(side, 'none')
    if (none && Number.isFinite(none.best)) qualities.push({ name: `${side} none`, quality: none.best })
  }
  const noneEpochs = (row('cairn', 'none') ?? row('optuna', 'none'))?.epochs
  const budgets = noneEpochs === undefined ? [] : [Math.round(noneEpochs / 3), noneEpochs]
  w.anytime = { qualities, budgets }
  for (const r of w.rows) {
    const curves = r.runs.map((run) => anytimeCurve(run.trials))
    r.reach = qualities.map((q) => reachOverSeeds(curves, q.quality))
    r.within = budgets.map((b) => qualityWithin(curves, b))
  }
  const noneC = row('cairn', 'none')
  if (!ob || !noneC || noneEpochs === undefined) return
  const at = (r: PruningRow, name: string): number | null => r.reach?.[qualities.findIndex((q) => q.name === name)]?.epochs ?? null
  const obToOb = at(ob, `Optuna ${ob.pruner}`)
  w.verdicts = []
  for (const name of ['asha', 'asha-cohort'] as const) {
    const asha = row('cairn', name)
    if (!asha) continue
    const ashaToOb = at(asha, `Optuna ${ob.pruner}`)
    const ashaToNone = at(asha, 'cairn none')
    const fewer = ashaToNone === null ? null : noneC.epochs / ashaToNone
    w.verdicts.push({
      pruner: name,
      optunaBest: { pruner: ob.pruner, quality: ob.best },
      ashaEpochsToOptunaBest: ashaToOb,
      optunaEpochsToOptunaBest: obToOb,
      noneQuality: noneC.best,
      noneEpochs: noneC.epochs,
      ashaEpochsToNone: ashaToNone,
      fewerThanNone: fewer,
      reachesOptunaBest: ashaToOb !== null && (obToOb === null || ashaToOb <= obToOb),
      threeTimesFewerAtEqualQuality: fewer !== null && fewer >= 3,
    })
  }
}

/** Fills the ratios of `w`'s rows and its target line. */
function compare(w: WorkloadReport): void {
  const gap = (v: number, ref: number): number => (v - w.optimum) / (ref - w.optimum)
  const row = (side: string, pruner: string): PruningRow | undefined => w.rows.find((r) => r.side === side && r.pruner === pruner)
  for (const r of w.rows) {
    const none = row(r.side, 'none')
    if (none && r.pruner !== 'none') r.epochsVsNone = r.epochs / none.epochs
  }
  const optunaPruned = w.rows.filter((r) => r.side === 'optuna' && r.pruner !== 'none' && Number.isFinite(r.best))
  if (optunaPruned.length === 0) return
  // The best quality; among equals, the fewest epochs (the harder bar).
  const ob = optunaPruned.reduce((a, b) => (b.best < a.best || (b.best === a.best && b.epochs < a.epochs) ? b : a))
  for (const r of w.rows) r.gapVsOptunaBest = gap(r.best, ob.best)
  const ours = row('cairn', 'asha')
  if (!ours) return
  const none = row('cairn', 'none')
  const gapVsNone = none ? gap(ours.best, none.best) : undefined
  const epochsVsNone = none ? ours.epochs / none.epochs : undefined
  w.target = {
    optunaBest: { pruner: ob.pruner, best: ob.best, epochs: ob.epochs },
    ashaBest: ours.best,
    ashaEpochs: ours.epochs,
    gapVsOptunaBest: gap(ours.best, ob.best),
    epochsVsOptunaBest: ours.epochs / ob.epochs,
    ...(gapVsNone !== undefined ? { gapVsNone } : {}),
    ...(epochsVsNone !== undefined ? { epochsVsNone } : {}),
    reachesOptunaBest: ours.best <= ob.best && ours.epochs <= ob.epochs,
    ...(gapVsNone !== undefined && epochsVsNone !== undefined
      ? { threeTimesFewerAtEqualQuality: epochsVsNone <= 1 / 3 && gapVsNone <= 1.05 }
      : {}),
  }
}

/**
 * Runs the benchmark: Optuna in child `/usr/bin/python3` processes (one per workload × pruner) while
 * this process runs the Cairn sessions, then the overhead part alone.
 */
export async function run(opts: PruningOptions = {}): Promise<PruningReport> {
  const trials = opts.trials ?? 100
  const trialsPruned = opts.trialsPruned ?? 2 * trials
  const seeds = opts.seeds ?? 20
  const pruners = opts.pruners ?? [...PRUNER_NAMES]
  const names = opts.overheadOnly ? [] : (opts.workloads ?? [...WORKLOAD_NAMES])
  const log = (line: string): void => {
    if (opts.verbose) process.stderr.write(`${line}\n`)
  }
  const notes: string[] = []
  const withOptuna = names.length > 0 && opts.optuna !== false && (await optunaAvailable())
  if (names.length > 0 && opts.optuna !== false && !withOptuna) notes.push(`Optuna not importable by ${PYTHON}: its side was skipped`)
  let check: WorkloadCheck | undefined
  if (withOptuna) {
    check = await checkWorkloadsAgree()
    log(`workloads agree in TypeScript and Python (${check.compared} values, largest relative difference ${check.maxRelativeDiff})`)
  }
  const workloads: Workload[] = names.map((n) => (n === 'curves' ? curvesWorkload : sgdWorkload()))
  // Python runs each workload × pruner × half of the seeds in its own process, `OPTUNA_PROCESSES` at a time, while
  // this process runs ours: the studies are independent (a study's results do not depend on the
  // process it runs in), and on a shared machine one process would get a small share of it.
  let optunaVersion: string | undefined
  const optunaRuns = withOptuna
    ? (async () => {
        const out: Partial<Record<WorkloadName, OptunaOut>> = {}
        // Each workload × pruner's seeds in two halves, merged in seed order.
        const half = Math.ceil(seeds / 2)
        const halves = [
          { first: 0, count: half },
          { first: half, count: seeds - half },
        ].filter((h) => h.count > 0)
        const theirs = pruners.filter((p) => OPTUNA_PRUNER_NAMES.includes(p))
        const tasks = workloads.flatMap((w) => theirs.flatMap((pruner) => halves.map((h) => ({ w, pruner, ...h }))))
        const parts = new Map<string, StudyRun[][]>()
        const next = async (): Promise<void> => {
          for (let task = tasks.shift(); task; task = tasks.shift()) {
            const { w, pruner, first, count } = task
            const args = ['--workload', w.name, '--pruners', pruner, '--trials', String(trials), '--seeds', String(count)]
            args.push('--first-seed', String(first), '--trials-pruned', String(trialsPruned), '--data', penguinsPath())
            const got = (await runOptunaScript('pruning.py', args, 4 * 3600_000)) as OptunaOut
            const into = (out[w.name] ??= { optuna: got.optuna, results: {} })
            const key = `${w.name}/${pruner}`
            const bySeed = parts.get(key) ?? []
            bySeed[first] = got.results[pruner] ?? []
            parts.set(key, bySeed)
            into.results[pruner] = bySeed.flat() // the halves in seed order (a half not done yet is a hole)
            log(`optuna ${w.name} ${pruner} seeds ${first}–${first + count - 1}: done`)
          }
        }
        await Promise.all(Array.from({ length: OPTUNA_PROCESSES }, next))
        return out
      })()
    : undefined
  const reports: WorkloadReport[] = []
  for (const w of workloads) {
    const report: WorkloadReport = { workload: w.name, label: w.label, epochsPerTrial: w.epochs, optimum: w.optimum, rows: [] }
    for (const pruner of pruners) {
      const runs: StudyRun[] = []
      const n = pruner === 'none' ? trials : trialsPruned * (TRIALS_FACTOR[pruner] ?? 1)
      for (let seed = 0; seed < seeds; seed++) runs.push(await runCairnStudy(w, pruner, seed, n))
      const row = summarize('cairn', pruner, runs, trials)
      report.rows.push(row)
      log(`cairn ${w.name} ${pruner}: median ${row.epochs} epochs, best ${row.best.toPrecision(5)}, ${row.seconds.toFixed(1)} s/study`)
    }
    reports.push(report)
  }
  if (optunaRuns) {
    const py = await optunaRuns
    for (const report of reports) {
      const out = py[report.workload]
      if (!out) continue
      optunaVersion = out.optuna
      for (const pruner of pruners) {
        const runs = out.results[pruner]
        if (runs) report.rows.push(summarize('optuna', pruner, runs, trials))
      }
    }
  }
  for (const report of reports) {
    compare(report)
    compareAnytime(report)
  }
  const replay =
    withOptuna && names.includes('curves') ? await runReplay(pruners.filter((p) => OPTUNA_PRUNER_NAMES.includes(p))) : undefined
  let overhead: StoreOverhead[] | null = null
  if (opts.overhead !== false) {
    log('overhead: fs and level')
    const o = await runOverhead()
    overhead = o.stores
    notes.push(...o.notes)
  }
  return {
    trials,
    trialsPruned,
    seeds,
    node: process.version,
    ...(optunaVersion ? { optunaVersion } : {}),
    ...(check ? { check } : {}),
    ...(replay ? { replay } : {}),
    notes,
    workloads: reports,
    overhead,
  }
}

/** Significant digits as text (printTable would round numbers to 3 decimals). */
const sig = (v: number | undefined, digits = 4): string =>
  v === undefined || Number.isNaN(v) ? '—' : Math.abs(v) >= 1000 ? String(Math.round(v)) : String(Number(v.toPrecision(digits)))

/** Title of the first table (for bench/run.ts). */
export const title = 'Pruning vs Optuna 3.1 (TPE; medians over seeds)'

/** The report as tables: one per workload, the targets, the overhead. */
export function tables(r: PruningReport): { title: string; rows: Row[] }[] {
  const out: { title: string; rows: Row[] }[] = []
  for (const w of r.workloads) {
    out.push({
      title: `${title}: ${w.label}; the first ${r.trials} trials × ${r.seeds} seeds, ${w.epochsPerTrial} epochs a trial`,
      rows: w.rows.map((row) => ({
        side: row.side,
        pruner: row.pruner,
        'total epochs': sig(row.epochs),
        'epochs vs none': sig(row.epochsVsNone, 3),
        'best final value': sig(row.best),
        'gap vs Optuna best': sig(row.gapVsOptunaBest, 3),
        completed: sig(row.completed),
        pruned: sig(row.pruned),
        's/study': sig(row.seconds, 3),
      })),
    })
  }
  for (const w of r.workloads) {
    const a = w.anytime
    if (!a) continue
    out.push({
      title: `Anytime, ${w.workload}: medians over seeds of the epochs to reach a quality (not reached: seeds) and of the best value within a budget; ${r.trials} trials without a pruner, ${r.trialsPruned} with (asha-cohort: ${r.trialsPruned * (TRIALS_FACTOR['asha-cohort'] ?? 1)}); trials past ${STEPS_COUNTED.join(' / ')} epochs`,
      rows: w.rows.map((row) => {
        const cells: Row = { side: row.side, pruner: row.pruner, trials: sig(row.trialsRun) }
        a.qualities.forEach((q, i) => {
          const x = row.reach?.[i]
          cells[`to ${q.name} ${sig(q.quality)}`] = x
            ? `${x.epochs === null ? 'never' : sig(x.epochs)}${x.notReached ? ` (${x.notReached})` : ''}`
            : '—'
        })
        a.budgets.forEach((b, i) => {
          const v = row.within?.[i]
          cells[`best within ${b}`] = v === null || v === undefined ? '—' : sig(v)
        })
        cells['trials past steps'] = row.reachedSteps.map((n) => sig(n, 3)).join(' / ')
        return cells
      }),
    })
  }
  const verdicts = r.workloads.flatMap((w) => (w.verdicts ?? []).map((v) => ({ w, v })))
  if (verdicts.length > 0)
    out.push({
      title:
        "Cairn ASHA (asha(), asha({ cohortSize })) at equal quality (anytime curves): epochs to reach Optuna's best pruner's quality vs that pruner's; epochs to reach no pruning's quality vs no pruning's epochs (target ≥ 3×)",
      rows: verdicts.map(({ w, v }) => {
        const e = (x: number | null): string => (x === null ? 'never' : sig(x))
        return {
          workload: w.workload,
          cairn: v.pruner,
          'Optuna best': `${v.optunaBest.pruner} ${sig(v.optunaBest.quality)}`,
          'ASHA epochs to it': e(v.ashaEpochsToOptunaBest),
          'its epochs to it': e(v.optunaEpochsToOptunaBest),
          'reaches it with ≤ epochs': v.reachesOptunaBest ? 'yes' : 'no',
          'none quality': sig(v.noneQuality),
          'none epochs': sig(v.noneEpochs),
          'ASHA epochs to it ': e(v.ashaEpochsToNone),
          'fewer ×': v.fewerThanNone === null ? '—' : sig(v.fewerThanNone, 3),
          '≥ 3×': v.threeTimesFewerAtEqualQuality ? 'yes' : 'no',
        }
      }),
    })
  const targets = r.workloads.filter((w) => w.target)
  if (targets.length > 0)
    out.push({
      title:
        "Cairn ASHA against the targets (≤ Optuna best pruner's quality with ≤ its epochs; ≤ 1/3 of no pruning's epochs at equal quality)",
      rows: targets.map((w) => {
        const t = w.target!
        return {
          workload: w.workload,
          'Optuna best': t.optunaBest.pruner,
          'gap vs it': sig(t.gapVsOptunaBest, 3),
          'epochs vs it': sig(t.epochsVsOptunaBest, 3),
          'reaches it': t.reachesOptunaBest ? 'yes' : 'no',
          'gap vs none': sig(t.gapVsNone, 3),
          'epochs vs none': sig(t.epochsVsNone, 3),
          '≥ 3× fewer': t.threeTimesFewerAtEqualQuality === undefined ? '—' : t.threeTimesFewerAtEqualQuality ? 'yes' : 'no',
        }
      }),
    })
  if (r.replay && r.replay.length > 0)
    out.push({
      title: 'The pruners alone: 100 fixed candidates of the curves judged in order by both sides (no sampler)',
      rows: r.replay.map((x) => ({
        pruner: x.pruner,
        'cairn epochs': x.cairnEpochs,
        'optuna epochs': x.optunaEpochs,
        'candidates stopped elsewhere': x.differ,
        'first (trial: cairn/optuna epochs)': x.firstDifferences.join(', '),
      })),
    })
  if (r.overhead && r.overhead.length > 0) {
    const rows: Row[] = []
    for (const s of r.overhead) {
      rows.push({
        store: s.store,
        what: 'ctx.report (1,000, no checkpoint)',
        'ms each': sig(s.msPerReport, 3),
        target: '≤ 0.05 ms',
      })
      for (const c of s.checkpoints)
        for (const q of c.ratios)
          rows.push({
            store: s.store,
            what: `ctx.checkpoint, ${c.stateBytes / 1024} KB state (${c.savedBytes} B saved)`,
            'ms each': sig(c.msPerCheckpoint, 3),
            'raw durable write': q.raw,
            'raw ms': sig(q.msPerRawWrite, 3),
            ratio: `${sig(q.checkpointRatio, 3)} [${sig(q.checkpointInterval[0], 3)}, ${sig(q.checkpointInterval[1], 3)}]`,
            'store save alone': `${sig(q.saveRatio, 3)} [${sig(q.saveInterval[0], 3)}, ${sig(q.saveInterval[1], 3)}]`,
            target: '≤ 1 raw write',
          })
    }
    out.push({ title: 'Report and checkpoint overhead (medians; ratios: median of paired ratios [95% interval])', rows })
  }
  return out
}

/** The standalone run's command line. */
export const cli: Cli<PruningOptions & { json: boolean }> = {
  command: 'bench/pruning.ts',
  defaults: () => ({ json: false, verbose: true }),
  flags: {
    quick: {
      help: `${QUICK.trials} trials × ${QUICK.seeds} seeds (flags after it override it)`,
      apply: (o) => Object.assign(o, QUICK),
    },
    trials: {
      value: 'n',
      help: 'trials per study without a pruner (default 100)',
      apply: (o, v) => (o.trials = integerFlag('trials', v, 1)),
    },
    'trials-pruned': {
      value: 'n',
      help: 'trials per study with a pruner (default 2 × --trials)',
      apply: (o, v) => (o.trialsPruned = integerFlag('trials-pruned', v, 1)),
    },
    seeds: { value: 'n', help: 'seeds per workload × side × pruner (default 20)', apply: (o, v) => (o.seeds = integerFlag('seeds', v, 1)) },
    workloads: {
      value: 'a,b',
      help: `only these workloads (of ${WORKLOAD_NAMES.join(', ')})`,
      apply: (o, v) => (o.workloads = v.split(',') as WorkloadName[]),
    },
    pruners: {
      value: 'a,b',
      help: `only these configurations (of ${PRUNER_NAMES.join(', ')})`,
      apply: (o, v) => (o.pruners = v.split(',') as PrunerName[]),
    },
    'no-optuna': { help: 'skip the Optuna side', apply: (o) => (o.optuna = false) },
    'no-overhead': { help: 'skip the report / checkpoint overhead part', apply: (o) => (o.overhead = false) },
    'overhead-only': { help: 'only the report / checkpoint overhead part', apply: (o) => (o.overheadOnly = true) },
    json: { help: 'print the JSON report only (no table)', apply: (o) => (o.json = true) },
    quiet: { help: 'no progress lines on stderr', apply: (o) => (o.verbose = false) },
  },
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const opts = readCli(cli)
  for (const w of opts.workloads ?? [])
    if (!WORKLOAD_NAMES.includes(w)) throw new Error(`bench/pruning.ts: no workload "${w}" (have: ${WORKLOAD_NAMES.join(', ')})`)
  for (const p of opts.pruners ?? [])
    if (!PRUNER_NAMES.includes(p)) throw new Error(`bench/pruning.ts: no pruner "${p}" (have: ${PRUNER_NAMES.join(', ')})`)
  const report = await run(opts)
  console.log(JSON.stringify(report)) // with each seed's run, to judge the spread behind a median
  if (!opts.json) for (const t of tables(report)) printTable(t.title, t.rows)
}
