/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** The first and third quartiles of a non-empty list (linear interpolation between order statistics, as NumPy's default). */
export function quartiles(values: readonly number[]): [number, number] {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number): number => {
    const pos = q * (sorted.length - 1)
    const lo = Math.floor(pos)
    const hi = Math.min(lo + 1, sorted.length - 1)
    return (sorted[lo] as number) + (pos - lo) * ((sorted[hi] as number) - (sorted[lo] as number))
  }
  return [at(0.25), at(0.75)]
}

/**
 * A bootstrap interval of median(a) / median(b) for two independent samples: each side resampled
 * with replacement `resamples` times by `random` (a uniform draw in [0, 1), seeded by the caller
 * so the interval is reproducible), the `level` central range of the ratios (0.9: 5th to 95th
 * percentile).
 */
export function medianRatioInterval(
  a: readonly number[],
  b: readonly number[],
  random: () => number,
  level = 0.9,
  resamples = 2000,
): [number, number] {
  const resample = (xs: readonly number[]) => median(Array.from(xs, () => xs[Math.floor(random() * xs.length)] as number))
  const ratios = Array.from({ length: resamples }, () => resample(a) / resample(b)).sort((x, y) => x - y)
  const at = (q: number) => ratios[Math.min(ratios.length - 1, Math.max(0, Math.round(q * (ratios.length - 1))))] as number
  return [at((1 - level) / 2), at((1 + level) / 2)]
}

/**
 * A distribution-free interval of the median of `values` (paired ratios, say): the order
 * statistics k and n − k + 1, k the largest with P(Binomial(n, 1/2) < k) ≤ (1 − level) / 2
 * (normal approximation; exact enough from n ≈ 20). Returns [NaN, NaN] when n is too small.
 */
export function medianInterval(values: readonly number[], level = 0.95): [number, number] {
  const sorted = [...values].sort((a, b) => a - b)
  const n = sorted.length
  const z = level >= 0.99 ? 2.576 : level >= 0.95 ? 1.96 : 1.645
  const k = Math.floor((n - z * Math.sqrt(n)) / 2)
  if (k < 1) return [Number.NaN, Number.NaN]
  return [sorted[k - 1] as number, sorted[n - k] as number]
}

/** Rounds for display. */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}

/** One table row: a label and named figures. */
export type Row = Record<string, string | number>

/** Prints rows as an aligned text table. */
export function printTable(title: string, rows: readonly Row[]): void {
  if (rows.length === 0) return
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))]
  const cell = (v: unknown): string => (typeof v === 'number' ? String(round(v)) : String(v ?? ''))
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)))
  const line = (values: string[]): string => values.map((v, i) => v.padEnd(widths[i] as number)).join('  ')
  console.log(`\n${title}`)
  console.log(line(columns))
  console.log(line(widths.map((w) => '-'.repeat(w))))
  for (const r of rows) console.log(line(columns.map((c) => cell(r[c]))))
}
