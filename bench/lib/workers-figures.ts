/** Figures of bench/workers.ts shared by its Cairn and Optuna sides. */
import { median, round } from './stats.js'
import type { Breakdown } from './cairn-breakdown.js'
import type { GapPartition } from './gap-partition.js'
import type { Kill } from './kill-series.js'
import type { CallSummary } from './store-timing.js'

/** One throughput run: `workers` worker processes on one session (study). */
export interface RunFigures {
  workers: number
  /** Cairn: the session's `parallelism` (trials published at once). */
  parallelism?: number
  /** Cairn: the workers reported, then claimed their next trial after its commit, in two calls (`--separate-claim`). */
  separateClaim?: true
  /** Cairn: coordinator and workers found changes by polling alone (the store shown without `watchSession`, `--unwatched`). */
  unwatched?: true
  /** Seconds from the go to the session (study) holding all its trials. */
  seconds: number
  trialsPerSecond: number
  /** The ideal time (trials × the objective's time / workers) / seconds: 1 is no overhead at all. */
  ofIdeal: number
  /** Seconds of the 1-worker run (with the same parallelism per worker) / seconds here. */
  speedUp?: number
  /** speedUp / workers (target ≥ 0.9 at 8). */
  efficiency?: number
  /** A worker's idle time between the end of one trial and the start of its next (median, p90). */
  medianGapMs: number | null
  p90GapMs: number | null
  /** Ms from the go to the first trial start. */
  firstStartMs: number | null
  /** Ms from the end of the last trial to the session (study) holding all its trials. */
  tailMs: number | null
  /** Cairn: where the time between trials goes. */
  breakdown?: Breakdown
  /** Cairn: each idle gap cut into consecutive parts (report, in-order wait, coordinator notice, tell + ask, commit, pickup). */
  partition?: GapPartition | null
  /** Cairn: CPU time per trial of the coordinator (this process) and of all the workers together. */
  cpuMsPerTrial?: { coordinator: number; workers: number }
  /** Cairn: the store calls of the coordinator and of the workers (all together). */
  calls?: { coordinator: CallSummary; workers: CallSummary }
}

/**
 * Fills in speed-up and efficiency relative to the 1-worker run with the same parallelism per
 * worker (parallelism = workers against 1 worker at parallelism 1; 2 × workers against 1 worker
 * at parallelism 2) and the same way of claiming, when there is one.
 */
export function withEfficiency(runs: RunFigures[]): RunFigures[] {
  const perWorker = (r: RunFigures): number => (r.parallelism ?? r.workers) / r.workers
  return runs.map((r) => {
    const base = runs.find(
      (b) => b.workers === 1 && perWorker(b) === perWorker(r) && b.separateClaim === r.separateClaim && b.unwatched === r.unwatched,
    )
    if (!base) return r
    const speedUp = base.seconds / r.seconds
    return { ...r, speedUp: round(speedUp, 2), efficiency: round(speedUp / r.workers, 3) }
  })
}

/** Kill → re-run figures of a kill series. */
export function rerunFigures(kills: readonly Kill[]): {
  rerunMs: (number | null)[]
  medianRerunMs: number | null
  maxRerunMs: number | null
} {
  const done = kills.map((k) => k.rerunMs).filter((m): m is number => m !== null)
  return {
    rerunMs: kills.map((k) => (k.rerunMs === null ? null : round(k.rerunMs, 0))),
    medianRerunMs: done.length ? round(median(done), 0) : null,
    maxRerunMs: done.length ? round(Math.max(...done), 0) : null,
  }
}

/** When a victim is SIGKILLed: this far into its trial. */
export const killAtMs = (trialMs: number): number => Math.round(trialMs * 0.4)

/** Seconds and throughput of a run, and its share of the ideal. */
export function pace(
  trials: number,
  trialMs: number,
  workers: number,
  seconds: number,
): Pick<RunFigures, 'seconds' | 'trialsPerSecond' | 'ofIdeal'> {
  return {
    seconds: round(seconds, 3),
    trialsPerSecond: round(trials / seconds, 2),
    ofIdeal: round((trials * trialMs) / 1000 / workers / seconds, 3),
  }
}
