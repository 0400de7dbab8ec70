/** Colours and marks shared by every chart, so a status looks the same everywhere. */
export const COLORS = {
  trial: '#3b6fb6',
  best: '#e6550d',
  outside: '#8c96a8',
  grid: '#eef1f5',
  axis: '#9aa3b2',
  text: '#5b6475',
}

const STATUS_COLORS: Record<string, string> = { ok: COLORS.trial, error: '#d62728', pruned: '#7f7f7f', 'no score': '#bcbd22' }
const OTHER_STATUS_COLOR = '#9467bd'

/** The colour of a trial status (unknown statuses share one colour). */
export function statusColor(status: string): string {
  return STATUS_COLORS[status] ?? OTHER_STATUS_COLOR
}

/** A filled cross for failed trials (ECharts path symbols are scaled to the symbol size; large series fill, never stroke). */
const CROSS = 'path://M2 0L5 3L8 0L10 2L7 5L10 8L8 10L5 7L2 10L0 8L3 5L0 2Z'

/** The mark of a trial status: a cross for errors, a diamond for pruned trials, a square otherwise. */
export function statusSymbol(status: string): string {
  if (status === 'error') return CROSS
  if (status === 'pruned') return 'diamond'
  return 'rect'
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Escapes text for the HTML of a tooltip (candidate values and error messages are user data). */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c] as string)
}

/** Axis defaults: quiet lines, muted labels. */
export function axisStyle(): Record<string, unknown> {
  return {
    axisLine: { lineStyle: { color: COLORS.axis } },
    axisLabel: { color: COLORS.text, hideOverlap: true },
    splitLine: { lineStyle: { color: COLORS.grid } },
    nameTextStyle: { color: COLORS.text },
  }
}
