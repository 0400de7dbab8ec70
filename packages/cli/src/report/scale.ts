/** A mapping from data values to pixels, with the ticks to draw. */
export interface Scale {
  map(value: number): number
  ticks: Array<{ value: number; label: string }>
}

/** A linear scale over [lo, hi] onto [p0, p1], with about `count` round ticks. */
export function linearScale(lo: number, hi: number, p0: number, p1: number, count = 5): Scale {
  if (!(hi > lo)) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1
    lo -= pad
    hi += pad
  }
  const step = niceStep((hi - lo) / count)
  const ticks: Array<{ value: number; label: string }> = []
  const first = Math.ceil(lo / step - 1e-9)
  for (let i = first; i * step <= hi + step * 1e-9; i++) {
    const v = i === 0 ? 0 : i * step
    ticks.push({ value: v, label: formatNumber(v, step) })
  }
  return { map: (v) => p0 + ((v - lo) / (hi - lo)) * (p1 - p0), ticks }
}

/** A log10 scale over [lo, hi] (both > 0) onto [p0, p1], ticks at powers of ten (and 2, 5 when the range is short). */
export function logScale(lo: number, hi: number, p0: number, p1: number): Scale {
  const a = Math.log10(lo)
  let b = Math.log10(hi)
  if (!(b > a)) b = a + 1
  const ticks: Array<{ value: number; label: string }> = []
  const decades = b - a
  for (let e = Math.floor(a); e <= Math.ceil(b); e++) {
    for (const m of decades < 3 ? [1, 2, 5] : [1]) {
      const v = m * 10 ** e
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push({ value: v, label: formatNumber(v) })
    }
  }
  return { map: (v) => p0 + ((Math.log10(v) - a) / (b - a)) * (p1 - p0), ticks }
}

/** Evenly spaced bands for categorical values; `map(i)` is the centre of band i. */
export function bandScale(labels: readonly string[], p0: number, p1: number): Scale {
  const width = (p1 - p0) / Math.max(1, labels.length)
  return {
    map: (i) => p0 + width * (i + 0.5),
    ticks: labels.map((label, i) => ({ value: i, label })),
  }
}

/** The [min, max] of finite values (null when there are none). */
export function extent(values: Iterable<number>): [number, number] | null {
  let lo = Infinity
  let hi = -Infinity
  for (const v of values) {
    if (!Number.isFinite(v)) continue
    if (v < lo) lo = v
    if (v > hi) hi = v
  }
  return lo <= hi ? [lo, hi] : null
}

function niceStep(raw: number): number {
  const e = 10 ** Math.floor(Math.log10(raw))
  const f = raw / e
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * e
}

/** A number shown short: to the precision a tick `step` needs, else 4 significant digits (exponents when tiny or huge). */
export function formatNumber(v: number, step?: number): string {
  if (!Number.isFinite(v)) return String(v)
  if (v === 0) return '0'
  const abs = Math.abs(v)
  if (abs >= 1e6 || abs < 1e-4)
    return v
      .toExponential(2)
      .replace(/\.?0+e/, 'e')
      .replace('e+', 'e')
  if (step === undefined) return String(Number(v.toPrecision(4)))
  const decimals = step >= 1 ? 0 : Math.min(8, -Math.floor(Math.log10(step) + 1e-9))
  return v.toFixed(decimals)
}
