/** Figures of bench/workers.ts shared by its Cairn and Optuna sides. */
import { median, round } from './stats.js'
import type { Kill } from './kill-series.js'

/** One throughput run: `workers` worker processes on one session (study). */
export interface RunFigures {
  workers: number
  /** Cairn: the session's `parallelism` (trials published at once). */
  parallelism?: number
  /** Seconds from the go to the session (study) holding all its trials. */
  seconds: number
  trialsPerSecond: number
  /** seconds with 1 worker / seconds here. */
  speedUp?: number
  /** speedUp / workers (target ≥ 0.9 at 8). */
  efficiency?: number
  /** A worker's idle time between the end of one trial and the start of its next (median, p90). */
  medianGapMs: number | null
  p90GapMs: number | null
  /** Ms from the go to the first trial start. */
  firstStartMs: number | null
}

/** Fills in speed-up and efficiency relative to the 1-worker run (when there is one). */
export function withEfficiency(runs: RunFigures[]): RunFigures[] {
  const base = runs.find((r) => r.workers === 1 && (r.parallelism ?? 1) === 1)
  if (!base) return runs
  return runs.map((r) => {
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
