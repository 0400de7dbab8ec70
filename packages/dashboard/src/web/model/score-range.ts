import type { Direction } from '@cairn/core'

/** The score axis of the history and slice charts. */
export interface ScoreAxis {
  min: number
  max: number
  log: boolean
  /** True when some scores lie outside [min, max] and are drawn clamped to its edge. */
  clipped: boolean
}

/** How far past the quartiles (in interquartile ranges) a score still counts as typical. */
const FENCE = 3

function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const a = sorted[lo] as number
  const b = sorted[Math.min(sorted.length - 1, lo + 1)] as number
  return a + (b - a) * (pos - lo)
}

/**
 * The range of the score axis. With `clip`, only the worse side is clipped: scores beyond a far
 * fence (the quartile plus 3 interquartile ranges, Tukey's "far out") on the side away from the
 * best are drawn on the edge, so one failed-ish trial scoring 1e6 cannot squash the convergence
 * into a flat line. The better side is never clipped: the best scores are what the chart is for.
 * With `log` (only when every score is positive) the range is computed on log10 of the scores.
 */
export function scoreAxis(scores: readonly number[], direction: Direction, options: { log: boolean; clip: boolean }): ScoreAxis | null {
  const finite = scores.filter((s) => Number.isFinite(s) && (!options.log || s > 0))
  if (finite.length === 0) return null
  const log = options.log
  const values = (log ? finite.map(Math.log10) : finite).sort((a, b) => a - b)
  const lo = values[0] as number
  const hi = values[values.length - 1] as number
  let min = lo
  let max = hi
  if (options.clip && values.length >= 8) {
    const q1 = quantile(values, 0.25)
    const q3 = quantile(values, 0.75)
    const spread = q3 - q1 > 0 ? q3 - q1 : quantile(values, 0.9) - quantile(values, 0.1)
    if (spread > 0) {
      if (direction === 'maximize') min = Math.max(lo, q1 - FENCE * spread)
      else max = Math.min(hi, q3 + FENCE * spread)
    }
  }
  const clipped = min > lo || max < hi
  const pad = (max - min) * 0.04 || Math.abs(max) * 0.05 || 1
  min -= pad
  max += pad
  return log ? { min: 10 ** min, max: 10 ** max, log, clipped } : { min, max, log, clipped }
}

/** True when a log score axis is possible: every finite score is positive. */
export function logPossible(scores: readonly number[]): boolean {
  let any = false
  for (const s of scores) {
    if (!Number.isFinite(s)) continue
    if (s <= 0) return false
    any = true
  }
  return any
}
