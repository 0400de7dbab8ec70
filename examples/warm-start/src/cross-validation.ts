import { createMemoryStore, float, space, startSession, type WarmStartStore } from '@cairn/core'
import { tpe } from '@cairn/optimizers'
import { hashTrainset } from '@cairn/warm-start'
import { kFolds, loadCars, type Car } from './auto-mpg.js'
import { KernelRidge, type KernelRidgeParams } from './kernel-ridge.js'

/** The hyperparameters tuned on every fold. */
export const KRR_SPACE = space({
  lambda: float(1e-4, 10, { log: true }),
  lsCylinders: float(0.1, 100, { log: true }),
  lsDisplacement: float(0.1, 100, { log: true }),
  lsHorsepower: float(0.1, 100, { log: true }),
  lsWeight: float(0.1, 100, { log: true }),
  lsAcceleration: float(0.1, 100, { log: true }),
  lsYear: float(0.1, 100, { log: true }),
  lsOrigin: float(0.1, 100, { log: true }),
})

/** The job name: part of the warm-start seed key shared by the folds. */
export const JOB = 'auto-mpg-kernel-ridge'

/** Options of `compareWarmStart`. */
export interface CompareOptions {
  /** Folds. Default 5. */
  k?: number
  /** Trials per fold. Default 60. */
  trials?: number
  /** Seed of the optimizer (fold f uses seed·100 + f, with and without warm start alike). Default 1. */
  seed?: number
  /** Seed of the fold split. Default 42. */
  dataSeed?: number
}

/** One tuning run of one fold. */
export interface FoldRun {
  /** Validation score (1 − R², lower is better) of the best trial. */
  best: number
  bestParams: KernelRidgeParams
  /** Trials until the best RMSE reached the fold's target (null: not within the budget). */
  trialsToTarget: number | null
  /** Where the warm start came from (`none` without one). */
  source: 'exact' | 'preloaded' | 'none'
  /** Earlier trials handed to TPE before the first trial of this run. */
  seededTrials: number
}

/** Folds 2..k, tuned cold and warm-started, against fold 1's final quality. */
export interface FoldComparison {
  fold: number
  /** Score on this fold of fold 1's best hyperparameters: "fold 1's final quality" here. */
  target: number
  cold: FoldRun
  warm: FoldRun
}

/** What `compareWarmStart` returns. */
export interface CompareReport {
  k: number
  trials: number
  seed: number
  cars: number
  fold1: FoldRun
  folds: FoldComparison[]
}

/**
 * Tunes fold 1 with TPE, leaving its trials in a warm-start store; then tunes every other
 * fold twice with the same optimizer seed: cold, and with `warmStart: { store }` (each fold
 * has its own trainset hash, so it finds no exact match and is seeded, as a near match, with
 * the best trials of the run before it, which started from fold 1's). For each, counts the
 * trials until the fold reaches fold 1's final quality, measured on that fold: the
 * validation RMSE of fold 1's best hyperparameters.
 */
export async function compareWarmStart(options: CompareOptions = {}): Promise<CompareReport> {
  const { k = 5, trials = 60, seed = 1, dataSeed = 42 } = options
  const cars = loadCars()
  const folds = kFolds(cars, k, dataSeed)
  const store = createMemoryStore()
  const fold1 = await tuneFold(folds[0] as Fold, { trials, seed: seed * 100 + 1, store, target: null })
  const comparisons: FoldComparison[] = []
  for (let f = 1; f < k; f++) {
    const fold = folds[f] as Fold
    const target = new KernelRidge(fold.train).unexplainedVariance(fold.validation, fold1.bestParams)
    const cold = await tuneFold(fold, { trials, seed: seed * 100 + f + 1, store: null, target })
    const warm = await tuneFold(fold, { trials, seed: seed * 100 + f + 1, store, target })
    comparisons.push({ fold: f + 1, target, cold, warm })
  }
  return { k, trials, seed, cars: cars.length, fold1, folds: comparisons }
}

type Fold = { train: Car[]; validation: Car[] }

/** One TPE session on one fold; `store` enables warm start (read and write). */
export async function tuneFold(
  fold: Fold,
  opts: { trials: number; seed: number; store: WarmStartStore | null; target: number | null },
): Promise<FoldRun> {
  const model = new KernelRidge(fold.train)
  let best = Infinity
  let bestParams: KernelRidgeParams | null = null
  let trialsToTarget: number | null = null
  let trial = 0
  const handle = await startSession({
    optimizer: tpe({ multivariate: true }),
    space: KRR_SPACE,
    seed: opts.seed,
    maxTrials: opts.trials,
    job: JOB,
    // The fold's own trainset: part of the exact warm-start key (and verified on resume).
    trainsetHash: await hashTrainset(fold.train),
    ...(opts.store ? { warmStart: { store: opts.store } } : {}),
    objective: (candidate: KernelRidgeParams) => {
      trial++
      const score = model.unexplainedVariance(fold.validation, candidate)
      if (score < best) {
        best = score
        bestParams = candidate
      }
      if (trialsToTarget === null && opts.target !== null && best <= opts.target) trialsToTarget = trial
      return score
    },
  })
  const result = await handle.wait()
  if (result.status !== 'completed') throw new Error(`fold session ended ${result.status}: ${result.terminalReason ?? ''}`)
  const info = handle.head().warmStart
  return {
    best,
    bestParams: bestParams as unknown as KernelRidgeParams,
    trialsToTarget,
    source: info?.source ?? 'none',
    seededTrials: info?.seededTrials ?? 0,
  }
}

/** Median of numbers, with `null` (target not reached) counted as `budget + 1`. */
export function medianTrials(values: readonly (number | null)[], budget: number): number {
  const sorted = values.map((v) => v ?? budget + 1).sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}
