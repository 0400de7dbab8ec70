/** A number shown short: 4 significant digits, exponents when tiny or huge. */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined) return ''
  if (!Number.isFinite(v)) return String(v)
  if (v === 0) return '0'
  const abs = Math.abs(v)
  if (abs >= 1e6 || abs < 1e-4)
    return v
      .toExponential(2)
      .replace(/\.?0+e/, 'e')
      .replace('e+', 'e')
  return String(Number(v.toPrecision(4)))
}

/** Epoch ms as `2025-01-31 12:34:56 UTC`. */
export function formatTime(ms: number): string {
  if (!Number.isFinite(ms)) return '—'
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC')
}

/** A duration in ms as `850 ms`, `12 s`, `3 min 4 s`, `2 h 5 min`. */
export function formatDuration(ms: number): string {
  if (!(ms >= 0)) return '—'
  if (ms < 1000) return `${Math.round(ms)} ms`
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
}

/** How long ago `ms` was, relative to `now`: `5 s ago`, `3 min ago`. */
export function formatAgo(ms: number, now: number): string {
  const d = now - ms
  if (!Number.isFinite(d)) return '—'
  if (d < 0) return 'just now'
  if (d >= 2 * 86_400_000) return `${Math.floor(d / 86_400_000)} days ago`
  return `${formatDuration(d).replace(/ \d+ (s|min)$/, '')} ago`
}

/** Compact JSON for a table cell or a definition list. */
export function compactJson(value: unknown): string {
  const s = JSON.stringify(value)
  return s === undefined ? '' : s
}
