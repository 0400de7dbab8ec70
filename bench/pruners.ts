/**
 * `pnpm bench pruners`: our pruners against Optuna 3.1's own decisions, and their cost.
 *
 * 1. Agreement: bench/optuna/pruners.py runs Optuna studies of sequential trials on seeded
 *    learning curves, asking `should_prune()` after every report; we replay the same curves,
 *    each trial judged over the trials before it (with Optuna's outcomes, so both sides see the
 *    same history), and count the trials whose outcome (completed, or pruned at which report)
 *    is the same. Once with a report at every step, once with a report every 3rd of 100 steps
 *    (where one report can cross several ASHA rungs).
 * 2. Cost: microseconds per `shouldPrune` over a 1,000-trial × 100-step history, judging every
 *    report of 20 new trials (median of 5 rounds).
 *
 *   pnpm bench pruners            # both
 *   pnpm bench pruners --quick    # fewer trials and seeds
 *   pnpm bench pruners --cost     # the cost only
 */
import type { PruneContext, Pruner, PrunerTrialView } from '@cairn/core'
import { asha, hyperband, medianPruner, nopPruner, patientPruner, percentilePruner } from '@cairn/optimizers'
import { optunaAvailable, runOptunaScript } from './lib/optuna.js'
import { median, round, type Row } from './lib/stats.js'

/** The configurations of bench/optuna/pruners.py, built with our pruners. */
const CONFIGS: Record<string, () => Pruner> = {
  median: () => medianPruner(),
  'median-warmup-interval': () => medianPruner({ nStartupTrials: 2, nWarmupSteps: 3, intervalSteps: 4, nMinTrials: 3 }),
  'percentile-25': () => percentilePruner(25),
  patient: () => patientPruner(null, { patience: 2, minDelta: 0.01 }),
  'patient-median': () => patientPruner(medianPruner({ nStartupTrials: 2 }), { patience: 1 }),
  'asha-auto': () => asha(),
  'asha-1-3': () => asha({ minResource: 1, reductionFactor: 3 }),
  'asha-bootstrap': () => asha({ minResource: 2, reductionFactor: 2, bootstrapCount: 2 }),
  'asha-rate-1': () => asha({ minResource: 1, reductionFactor: 4, minEarlyStoppingRate: 1 }),
  'hyperband-30': () => hyperband({ minResource: 1, maxResource: 30, reductionFactor: 3 }),
  'hyperband-auto': () => hyperband(),
}

interface OptunaTrial {
  status: 'ok' | 'pruned'
  reported: [number, number][]
  full: [number, number][]
}

interface Agreement {
  steps: number
  stride: number
  trials: number
  seeds: number
  byPruner: Record<string, { trials: number; same: number }>
}

const points = (xs: [number, number][]) => xs.map(([step, value]) => ({ step, value }))

async function agreement(steps: number, stride: number, trials: number, seeds: number): Promise<Agreement> {
  const out = await runOptunaScript('pruners.py', [
    '--steps',
    String(steps),
    '--stride',
    String(stride),
    '--trials',
    String(trials),
    '--seeds',
    String(seeds),
  ])
  const byPruner: Agreement['byPruner'] = {}
  for (const [key, study] of Object.entries(out.studies as Record<string, OptunaTrial[]>)) {
    const [name, direction, seed] = key.split('/') as [string, 'minimize' | 'maximize', string]
    const p = CONFIGS[name]!()
    const history: PrunerTrialView[] = []
    const tally = (byPruner[name] ??= { trials: 0, same: 0 })
    for (const [trialIdx, t] of study.entries()) {
      const full = points(t.full)
      let reports = full.length
      let status = 'ok'
      for (let n = 1; n <= full.length; n++) {
        if (p.shouldPrune({ trialIdx, seed: Number(seed), direction, intermediate: full.slice(0, n), history })) {
          status = 'pruned'
          reports = n
          break
        }
      }
      tally.trials++
      if (status === t.status && reports === t.reported.length) tally.same++
      const reported = points(t.reported)
      history.push({ trialIdx, status: t.status, score: reported[reported.length - 1]?.value, intermediate: reported })
    }
  }
  return { steps, stride, trials, seeds, byPruner }
}

/** A deterministic history of `n` trials of `steps` steps: 70% completed, 30% pruned early. */
function bigHistory(n: number, steps: number): PrunerTrialView[] {
  let x = 12345
  const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648
  return Array.from({ length: n }, (_, trialIdx) => {
    const level = rnd() * 2
    const len = rnd() < 0.3 ? 1 + Math.floor(rnd() * 20) : steps
    const intermediate = Array.from({ length: len }, (_, step) => ({ step, value: level + 1 / (1 + step) + 0.05 * rnd() }))
    return { trialIdx, status: len === steps ? 'ok' : 'pruned', score: intermediate[len - 1]!.value, intermediate }
  })
}

function cost(): Record<string, number> {
  const history = bigHistory(1000, 100)
  const ctxs: PruneContext[] = []
  for (let k = 0; k < 20; k++) {
    const curve = Array.from({ length: 100 }, (_, step) => ({ step, value: 0.5 + k / 10 + 1 / (1 + step) }))
    for (let n = 1; n <= 100; n++)
      ctxs.push({ trialIdx: 1000 + k, seed: 7, direction: 'minimize', intermediate: curve.slice(0, n), history })
  }
  const out: Record<string, number> = {}
  for (const [name, make] of Object.entries({ nop: () => nopPruner(), ...CONFIGS })) {
    const p = make()
    const rounds: number[] = []
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now()
      for (const c of ctxs) p.shouldPrune(c)
      rounds.push(((performance.now() - t0) * 1000) / ctxs.length)
    }
    out[name] = round(median(rounds), 1)
  }
  return out
}

export async function run(): Promise<Record<string, unknown>> {
  const quick = process.argv.includes('--quick')
  const trials = quick ? 20 : 40
  const seeds = quick ? 1 : 3
  const result: Record<string, unknown> = { usPerShouldPrune: cost() }
  if (process.argv.includes('--cost')) return result
  if (await optunaAvailable()) {
    result.everyStep = await agreement(30, 1, trials, seeds)
    result.sparse = await agreement(100, 3, trials, seeds)
  } else result.optuna = 'not available (/usr/bin/python3 cannot import optuna): agreement skipped'
  return result
}

export function table(result: Record<string, unknown>): Row[] {
  const us = result.usPerShouldPrune as Record<string, number>
  const every = result.everyStep as Agreement | undefined
  const sparse = result.sparse as Agreement | undefined
  return Object.keys(us).map((name) => ({
    pruner: name,
    'µs / shouldPrune (1,000 × 100 history)': us[name]!,
    'same as Optuna (every step)': every?.byPruner[name] ? `${every.byPruner[name]!.same}/${every.byPruner[name]!.trials}` : '—',
    'same as Optuna (every 3rd step)': sparse?.byPruner[name] ? `${sparse.byPruner[name]!.same}/${sparse.byPruner[name]!.trials}` : '—',
  }))
}

export const title = 'Pruners: decisions against Optuna 3.1 (trials with the same outcome) and cost'
