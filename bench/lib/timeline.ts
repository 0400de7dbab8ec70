/**
 * What a multi-worker run's trial starts say about its overhead: the idle time of a worker
 * between the end of one trial (start + the objective's fixed duration) and the start of its
 * next, i.e. reporting, the coordinator's commit, the poll that finds the next trial and the
 * claim, together.
 */
import type { PooledWorker } from './worker-pool.js'
import { median, round } from './stats.js'

/** Idle gaps between consecutive trials of each worker, for trials started at or after `since` (epoch ms). */
export function idleGaps(workers: readonly PooledWorker[], since: number, trialMs: number): number[] {
  const gaps: number[] = []
  for (const w of workers) {
    const starts = w.starts.filter((s) => s.at >= since)
    for (let i = 1; i < starts.length; i++) gaps.push(starts[i]!.at - starts[i - 1]!.at - trialMs)
  }
  return gaps
}

/** Median and 90th percentile of the gaps, ms (null when there were none: one trial per worker). */
export function gapFigures(gaps: readonly number[]): { medianGapMs: number | null; p90GapMs: number | null } {
  if (gaps.length === 0) return { medianGapMs: null, p90GapMs: null }
  const sorted = [...gaps].sort((a, b) => a - b)
  return { medianGapMs: round(median(sorted), 1), p90GapMs: round(sorted[Math.floor(0.9 * (sorted.length - 1))]!, 1) }
}

/**
 * How long the run took to get going and to wind up: ms from `since` (the go) to the first trial
 * start, and from the end of the last trial that ended by `endAt` (start + `trialMs`) to `endAt`
 * (the session holding all its trials).
 */
export function edges(
  workers: readonly PooledWorker[],
  since: number,
  endAt: number,
  trialMs: number,
): { firstStartMs: number | null; tailMs: number | null } {
  const starts = workers.flatMap((w) => w.starts.filter((s) => s.at >= since && s.at + trialMs <= endAt).map((s) => s.at))
  if (starts.length === 0) return { firstStartMs: null, tailMs: null }
  return { firstStartMs: round(Math.min(...starts) - since, 1), tailMs: round(endAt - Math.max(...starts) - trialMs, 1) }
}
