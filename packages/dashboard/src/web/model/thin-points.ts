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

/** How a row's x axis is cut for `onePerColumn`. */
export interface RowAxis {
  categorical: boolean
  log: boolean
  min?: number
  max?: number
  /** Columns the x range is cut into (default 480): about one per 2 px of the plot. */
  columns?: number
}

/** A jittered category band (18 px) is solid long before this many marks of 7 px. */
const PER_CATEGORY = 40

/**
 * Thins the marks of one row — a strip of failed or pruned trials, or the scores drawn on the
 * axis edge — whose y is the same for all: keeps the first mark (in trial order) of each column
 * over the x range (`axis.columns`, 480 unless given), since the others lie under it; on a categorical axis, where marks are
 * jittered across the category's band, the first 40 of each category. Points are `[x, …]`.
 */
export function onePerColumn<P extends readonly number[]>(points: readonly P[], axis: RowAxis): P[] {
  if (points.length <= PER_CATEGORY) return [...points]
  const count = new Map<number, number>()
  const kept: P[] = []
  if (axis.categorical) {
    for (const p of points) {
      const n = count.get(p[0] as number) ?? 0
      if (n >= PER_CATEGORY) continue
      count.set(p[0] as number, n + 1)
      kept.push(p)
    }
    return kept
  }
  let lo = axis.min ?? Number.POSITIVE_INFINITY
  let hi = axis.max ?? Number.NEGATIVE_INFINITY
  for (const p of points) {
    if ((p[0] as number) < lo) lo = p[0] as number
    if ((p[0] as number) > hi) hi = p[0] as number
  }
  const log = axis.log && lo > 0
  const columns = axis.columns ?? COLUMNS
  for (const p of points) {
    const cx = Math.min(columns - 1, Math.max(0, Math.floor(unit(p[0] as number, lo, hi, log) * columns)))
    if (count.has(cx)) continue
    count.set(cx, 1)
    kept.push(p)
  }
  return kept
}
