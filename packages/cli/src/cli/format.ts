import type { Json } from '@cairn/core'

/** A score, short: 4 significant digits; `-` for none. */
export function score(v: number | null | undefined): string {
  if (v === null || v === undefined) return '-'
  if (!Number.isFinite(v)) return String(v)
  const abs = Math.abs(v)
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-4)) return v.toExponential(3)
  return String(Number(v.toPrecision(4)))
}

/** A duration, short: `850 ms`, `12 s`, `3 min 5 s`, `2 h 4 min`. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-'
  if (ms < 1_000) return `${Math.round(ms)} ms`
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
}

/** How long ago an instant was: `12 s ago`, `3 min ago`, or a date when older than a day. */
export function ago(at: number, now = Date.now()): string {
  const d = now - at
  if (d < 0) return `in ${duration(-d)}`
  if (d < 86_400_000)
    return `${duration(d)
      .replace(/ \d+ s$/, '')
      .replace(/ \d+ min$/, '')} ago`
  return new Date(at).toISOString().slice(0, 16).replace('T', ' ')
}

/** An ISO timestamp without milliseconds. */
export function iso(at: number): string {
  return new Date(at).toISOString().replace(/\.\d+Z$/, 'Z')
}

/** Compact JSON, cut at `max` characters. */
export function compactJson(v: Json | undefined, max = 120): string {
  const s = JSON.stringify(v) ?? ''
  return s.length > max ? `${s.slice(0, max - 1)}…` : s
}

/** Renders rows as an aligned text table (columns separated by two spaces; numbers right-aligned). */
export function table(header: string[], rows: string[][], rightAligned: ReadonlySet<number> = new Set()): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const fmt = (cells: string[]): string =>
    cells
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  return [fmt(header), ...rows.map(fmt)].join('\n')
}

/** Parses `--since`: a duration back from now (`90s`, `30m`, `12h`, `7d`), an ISO date, or epoch ms. */
export function parseSince(text: string, now = Date.now()): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/.exec(text.trim())
  if (m) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w']
    return now - Number(m[1]) * unit
  }
  if (/^\d{12,}$/.test(text.trim())) return Number(text.trim())
  const t = Date.parse(text)
  return Number.isNaN(t) ? null : t
}
