import type { ParamInfo } from './params.js'
import type { ScoreAxis } from './score-range.js'

/** Cells of the grid points are thinned on: finer than a slice chart's pixels. */
const COLUMNS = 480
const ROWS = 320

function unit(v: number, lo: number, hi: number, log: boolean): number {
  if (log) return (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo) || 1)
  return (v - lo) / (hi - lo || 1)
}

/**
 * Keeps the first point (in trial order) of each cell of a 480 × 320 grid over a numeric
 * parameter's range and the score axis: a slice chart is about 300 × 200 px, so what is dropped
 * lies under a point that is drawn. With 10,000 trials of an integer parameter most points are
 * such repeats, and ECharts spends its time per point. Categorical parameters are left alone
 * (their points are jittered: the spread shows how many there are).
 */
export function onePerCell<P extends readonly [number, number, number]>(points: readonly P[], param: ParamInfo, axis: ScoreAxis): P[] {
  if (param.kind !== 'numeric') return [...points]
  let lo = param.low
  let hi = param.high
  for (const p of points) {
    if (p[0] < lo) lo = p[0]
    if (p[0] > hi) hi = p[0]
  }
  const log = param.log && lo > 0
  const seen = new Set<number>()
  const kept: P[] = []
  for (const p of points) {
    const cx = Math.min(COLUMNS - 1, Math.max(0, Math.floor(unit(p[0], lo, hi, log) * COLUMNS)))
    const y = Math.min(axis.max, Math.max(axis.min, p[1]))
    const cy = Math.min(ROWS - 1, Math.max(0, Math.floor(unit(y, axis.min, axis.max, axis.log) * ROWS)))
    const key = cx * ROWS + cy
    if (seen.has(key)) continue
    seen.add(key)
    kept.push(p)
  }
  return kept
}
