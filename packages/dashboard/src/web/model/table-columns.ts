import type { Direction, TrialRecord } from '@cairn/core'
import { compactJson, formatNumber } from './format.js'
import { categoryLabel, paramValue, type ParamInfo } from './params.js'

/** One column of the trial table (and of the CSV export). */
export interface Column {
  id: string
  label: string
  /** Width in px (the table is laid out fixed, so virtualized rows keep their alignment). */
  width: number
  numeric: boolean
  /** The text shown. */
  text(t: TrialRecord, best: number | null): string
  /** The value sorted by: numbers, else text; null sorts last either way. */
  key(t: TrialRecord, best: number | null): number | string | null
  /** The CSV cell (raw numbers, not rounded). */
  csv(t: TrialRecord, best: number | null): string
}

const num = (v: number | null | undefined): string => (v === null || v === undefined ? '' : String(v))

/** What a study adds to the table: one column per objective, the constraint violation, the user attributes. */
export interface StudyColumns {
  /** Multi-objective sessions: their directions (one column each, in place of score and best so far). */
  directions?: readonly Direction[]
  /** Some trial reported constraints: a `violation` column (sum of the positive constraint values). */
  constraints?: boolean
  /** Some trial has user attributes: an `attrs` column (their JSON). */
  attrs?: boolean
}

/** Whether any trial carries constraints or attributes (which columns `tableColumns` adds). */
export function studyColumns(trials: readonly TrialRecord[], directions?: readonly Direction[]): StudyColumns {
  const study: StudyColumns = {}
  if (directions && directions.length > 1) study.directions = directions
  for (const t of trials) {
    if (t.constraints) study.constraints = true
    if (t.attrs) study.attrs = true
    if (study.constraints && study.attrs) break
  }
  return study
}

const violation = (t: TrialRecord): number | null => (t.constraints ? t.constraints.reduce((s, c) => s + Math.max(0, c), 0) : null)

/** The sort key of a number: null when absent or not finite. */
const finite = (v: number | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)

/**
 * The table's columns: index, status, score, best so far (or one column per objective), the
 * constraint violation and attributes when trials have them, duration, the last reported step
 * (given `lastStep`, the lookup of a trial's last reported step, when some trial reported
 * intermediate values), one per parameter (or the candidate's JSON), error.
 */
export function tableColumns(
  params: readonly ParamInfo[],
  lastStep: ((t: TrialRecord) => number | null) | null = null,
  study: StudyColumns = {},
): Column[] {
  const cols: Column[] = [
    {
      id: 'trialIdx',
      label: '#',
      width: 70,
      numeric: true,
      text: (t) => String(t.trialIdx),
      key: (t) => t.trialIdx,
      csv: (t) => String(t.trialIdx),
    },
    { id: 'status', label: 'status', width: 84, numeric: false, text: (t) => t.status, key: (t) => t.status, csv: (t) => t.status },
    {
      id: 'score',
      label: 'score',
      width: 110,
      numeric: true,
      text: (t) => formatNumber(t.score),
      key: (t) => (typeof t.score === 'number' && Number.isFinite(t.score) ? t.score : null),
      csv: (t) => num(t.score),
    },
    {
      id: 'best',
      label: 'best so far',
      width: 110,
      numeric: true,
      text: (_t, b) => formatNumber(b),
      key: (_t, b) => b,
      csv: (_t, b) => num(b),
    },
  ]
  if (study.directions) {
    cols.splice(2, 2)
    for (const [i, d] of study.directions.entries())
      cols.push({
        id: `value:${i}`,
        label: `objective ${i + 1} (${d === 'maximize' ? 'max' : 'min'})`,
        width: 130,
        numeric: true,
        text: (t) => formatNumber(t.values?.[i]),
        key: (t) => finite(t.values?.[i]),
        csv: (t) => num(t.values?.[i]),
      })
  }
  if (study.constraints)
    cols.push({
      id: 'violation',
      label: 'violation',
      width: 96,
      numeric: true,
      text: (t) => formatNumber(violation(t)),
      key: violation,
      csv: (t) => (t.constraints ? t.constraints.join(' ') : ''),
    })
  if (study.attrs)
    cols.push({
      id: 'attrs',
      label: 'attrs',
      width: 220,
      numeric: false,
      text: (t) => (t.attrs ? compactJson(t.attrs) : ''),
      key: (t) => (t.attrs ? compactJson(t.attrs) : null),
      csv: (t) => (t.attrs ? compactJson(t.attrs) : ''),
    })
  cols.push({
    id: 'durationMs',
    label: 'duration (ms)',
    width: 112,
    numeric: true,
    text: (t) => String(Math.round(t.durationMs)),
    key: (t) => t.durationMs,
    csv: (t) => String(t.durationMs),
  })
  if (lastStep)
    cols.push({
      id: 'lastStep',
      label: 'last step',
      width: 84,
      numeric: true,
      text: (t) => num(lastStep(t)),
      key: lastStep,
      csv: (t) => num(lastStep(t)),
    })
  for (const p of params) {
    const value = (t: TrialRecord) => paramValue(t.candidate, p.name)
    cols.push({
      id: `param:${p.name}`,
      label: p.name,
      width: 120,
      numeric: p.kind === 'numeric',
      text: (t) => {
        const v = value(t)
        return v === undefined ? '' : typeof v === 'number' ? formatNumber(v) : categoryLabel(v)
      },
      key: (t) => {
        const v = value(t)
        return v === undefined ? null : typeof v === 'number' ? v : categoryLabel(v)
      },
      csv: (t) => {
        const v = value(t)
        return v === undefined ? '' : typeof v === 'number' ? String(v) : categoryLabel(v)
      },
    })
  }
  if (params.length === 0)
    cols.push({
      id: 'candidate',
      label: 'candidate',
      width: 320,
      numeric: false,
      text: (t) => compactJson(t.candidate),
      key: (t) => compactJson(t.candidate),
      csv: (t) => compactJson(t.candidate),
    })
  const error = (t: TrialRecord) => (t.error ? `${t.errorClass ?? t.error.name}: ${t.error.message}` : '')
  cols.push({ id: 'error', label: 'error', width: 320, numeric: false, text: error, key: (t) => error(t) || null, csv: error })
  return cols
}

/** A sort: a column and an order. */
export interface SortSpec {
  column: string
  descending: boolean
}

/** The table's first sort: by score, best first for the session's direction (by the first objective on a multi-objective session). */
export function defaultSort(direction: Direction, multiObjective = false): SortSpec {
  return { column: multiObjective ? 'value:0' : 'score', descending: direction === 'maximize' }
}

/** Positions of `trials` sorted by `column` (values missing last in either order; ties by trial index). */
export function sortedOrder(
  positions: number[],
  trials: readonly TrialRecord[],
  best: ReadonlyArray<number | null>,
  column: Column,
  descending: boolean,
): number[] {
  const keys = new Map<number, number | string | null>()
  for (const i of positions) keys.set(i, column.key(trials[i] as TrialRecord, best[i] ?? null))
  const sign = descending ? -1 : 1
  return positions.sort((a, b) => {
    const ka = keys.get(a) ?? null
    const kb = keys.get(b) ?? null
    if (ka === null || kb === null) return ka === kb ? a - b : ka === null ? 1 : -1
    const c = typeof ka === 'number' && typeof kb === 'number' ? ka - kb : String(ka).localeCompare(String(kb))
    return c === 0 ? a - b : sign * c
  })
}

/** A CSV cell: quoted when needed; text that a spreadsheet would run as a formula is prefixed with `'`. */
export function csvCell(value: string, numeric: boolean): string {
  const formula = !numeric && /^[=+\-@\t\r]/.test(value) && !Number.isFinite(Number(value))
  const safe = formula ? `'${value}` : value
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

/** The rows as CSV (a header line, then one line per trial). */
export function toCsv(
  columns: readonly Column[],
  trials: readonly TrialRecord[],
  best: ReadonlyArray<number | null>,
  order: readonly number[],
): string {
  const lines = [columns.map((c) => csvCell(c.id === 'trialIdx' ? 'trial' : c.label, false)).join(',')]
  for (const i of order) {
    const t = trials[i] as TrialRecord
    const b = best[i] ?? null
    lines.push(columns.map((c) => csvCell(c.csv(t, b), c.numeric)).join(','))
  }
  return `${lines.join('\n')}\n`
}
