import type { ParamInfo } from './params.js'

/** How one parameter is cut into bins. */
export type Binning = { kind: 'numeric'; log: boolean; edges: number[] } | { kind: 'categorical'; count: number }

/** One cell of the grid: its bounds (bin edges for numeric axes, the choice index twice for categorical ones), the mean score and count. */
export type ContourCell = [x0: number, x1: number, y0: number, y1: number, mean: number, count: number]

/** Bins per numeric axis (integers with fewer values get one bin per value). */
export const BINS = 20

/** The bins of a parameter: equal widths (in log10 for log parameters), or one per choice. */
export function binningOf(p: ParamInfo, values: readonly number[]): Binning {
  if (p.kind === 'categorical') return { kind: 'categorical', count: p.choices.length }
  let low = p.low
  let high = p.high
  for (const v of values) {
    if (v < low) low = v
    if (v > high) high = v
  }
  const log = p.log && low > 0
  if (p.integer && high - low + 1 <= BINS) {
    const edges: number[] = []
    for (let v = low; v <= high + 1; v++) edges.push(v - 0.5)
    return { kind: 'numeric', log: log && low > 0.5, edges }
  }
  const a = log ? Math.log10(low) : low
  const b = log ? Math.log10(high) : high
  const span = b > a ? b - a : 1
  const edges = Array.from({ length: BINS + 1 }, (_, i) => a + (span * i) / BINS).map((e) => (log ? 10 ** e : e))
  // Exact ends (10 ** log10(20) is 20.000000000000004).
  edges[0] = low
  edges[BINS] = b > a ? high : (edges[BINS] as number)
  return { kind: 'numeric', log, edges }
}

function binIndex(b: Binning, v: number): number {
  if (b.kind === 'categorical') return v
  const e = b.edges
  const n = e.length - 1
  const first = e[0] as number
  const last = e[n] as number
  if (v < first || v > last) return -1
  const t = b.log ? (Math.log10(v) - Math.log10(first)) / (Math.log10(last) - Math.log10(first)) : (v - first) / (last - first)
  let i = Math.min(n - 1, Math.floor(t * n))
  // Integer bins are equal in width too; the clamp above only matters at the top edge.
  while (i > 0 && v < (e[i] as number)) i--
  while (i < n - 1 && v >= (e[i + 1] as number)) i++
  return i
}

function bounds(b: Binning, i: number): [number, number] {
  return b.kind === 'categorical' ? [i, i] : [b.edges[i] as number, b.edges[i + 1] as number]
}

/**
 * The binned mean of the score over two parameters: each trial falls in one cell of the grid
 * (20 × 20 for continuous parameters), a cell shows the mean score of its trials; cells without
 * trials are left empty (no interpolation beyond the bins).
 */
export function binnedMean(points: ReadonlyArray<readonly [number, number, number]>, bx: Binning, by: Binning): ContourCell[] {
  const cells = new Map<number, { sum: number; count: number; xi: number; yi: number }>()
  const stride = 1 << 16
  for (const [x, y, score] of points) {
    const xi = binIndex(bx, x)
    const yi = binIndex(by, y)
    if (xi < 0 || yi < 0) continue
    const key = xi * stride + yi
    const c = cells.get(key)
    if (c) {
      c.sum += score
      c.count++
    } else cells.set(key, { sum: score, count: 1, xi, yi })
  }
  const out: ContourCell[] = []
  for (const c of cells.values()) {
    const [x0, x1] = bounds(bx, c.xi)
    const [y0, y1] = bounds(by, c.yi)
    out.push([x0, x1, y0, y1, c.sum / c.count, c.count])
  }
  return out
}
