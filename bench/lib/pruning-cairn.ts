/**
 * The Cairn side of bench/pruning.ts: one session per pruner × seed, on the memory store with
 * `tpe()` and the pruner's defaults (which are Optuna's), the objective reporting the value
 * after every epoch (step = epochs trained so far, 1..27) and returning `ctx.prune()` when the
 * pruner says so.
 */
import { createMemoryStore, startSession, type Json, type Pruner } from '@cairn/core'
import { asha, hyperband, medianPruner, tpe } from '@cairn/optimizers'
import type { Workload } from './pruning-workloads.js'

/** The configurations compared; all but `asha-cohort` (Cairn only) have the same names in bench/optuna/pruning.py. */
export const PRUNER_NAMES = ['none', 'median', 'asha', 'hyperband', 'asha-cohort'] as const
export type PrunerName = (typeof PRUNER_NAMES)[number]

/** The configurations Optuna runs too. */
export const OPTUNA_PRUNER_NAMES: readonly PrunerName[] = ['none', 'median', 'asha', 'hyperband']

/** `asha-cohort`: a trial competes at each rung with the last this many trials that reached it (`asha({ cohortSize })`). */
export const COHORT_SIZE = 20

/**
 * Trials a configuration with a pruner runs, in units of the bench's `trialsPruned`: `asha-cohort`
 * spends fewer epochs a trial (about 2,150 in 600 trials on the curves, 1,750 on SGD), so it runs 3×
 * as many for its anytime curve to reach as far as the others'.
 */
export const TRIALS_FACTOR: Readonly<Partial<Record<PrunerName, number>>> = { 'asha-cohort': 3 }

/** Each configuration's pruner (`undefined`: no pruning), with its defaults. */
export const CAIRN_PRUNERS: Readonly<Record<PrunerName, () => Pruner | undefined>> = {
  none: () => undefined,
  median: () => medianPruner(),
  asha: () => asha(),
  hyperband: () => hyperband(),
  'asha-cohort': () => asha({ cohortSize: COHORT_SIZE }),
}

/** What one study (session) of one seed gave. */
export interface StudyRun {
  /** Epochs trained in total (counted by the objective). */
  epochs: number
  /** The best final value over trials that completed; null when none did. */
  best: number | null
  completed: number
  pruned: number
  seconds: number
  /**
   * Every trial in the order it ran: the epochs it trained and its final value, null when it was
   * pruned (the anytime curve and the rung counts are derived from these, bench/lib/pruning-anytime.ts).
   */
  trials: [number, number | null][]
}

/** Runs `trials` trials of `workload` with pruner `name` and seed `seed`. */
export async function runCairnStudy(workload: Workload, name: PrunerName, seed: number, trials: number): Promise<StudyRun> {
  const t0 = performance.now()
  const store = createMemoryStore()
  let epochs = 0
  const log: [number, number | null][] = []
  const pruner = CAIRN_PRUNERS[name]()
  const handle = await startSession({
    store,
    sessionId: `${workload.name}-${name}-${seed}`,
    optimizer: tpe(),
    space: workload.space,
    seed,
    maxTrials: trials,
    ...(pruner ? { pruner } : {}),
    objective: (params: Record<string, Json>, ctx) => {
      const next = workload.start(params)
      let value = Number.NaN
      for (let t = 0; t < workload.epochs; t++) {
        epochs++
        value = next(t)
        ctx.report(t + 1, value)
        if (ctx.shouldPrune()) {
          log.push([t + 1, null])
          return ctx.prune()
        }
      }
      log.push([workload.epochs, value])
      return value
    },
  })
  const result = await handle.wait()
  if (result.status !== 'completed')
    throw new Error(`bench pruning: session ${handle.id} ended ${result.status} (${result.terminalReason ?? ''})`)
  const records = await store.readTrials(handle.id)
  let best: number | null = null
  let completed = 0
  let pruned = 0
  for (const r of records) {
    if (r.status === 'pruned') pruned++
    if (r.status !== 'ok' || typeof r.score !== 'number') continue
    completed++
    if (best === null || r.score < best) best = r.score
  }
  return { epochs, best, completed, pruned, seconds: (performance.now() - t0) / 1000, trials: log }
}
