import type { TrialRecord } from '@cairn/core'
import { cancelDraw, enqueueDraw } from '../charts/queue.js'
import { renderTimings } from '../charts/timings.js'
import { h, section } from '../dom.js'
import { download } from '../model/download.js'
import type { SessionModel } from '../model/session-model.js'
import { defaultSort, sortedOrder, studyColumns, tableColumns, toCsv, type Column, type SortSpec } from '../model/table-columns.js'
import type { View } from './view.js'

/** Height of one row in px (fixed: the table is virtualized). */
export const ROW_HEIGHT = 26
/** Rows drawn above and below the visible ones. */
const OVERSCAN = 10

/**
 * The trial table: every trial, filtered by status and text, sorted by any column (first by
 * score, best first for the session's direction), exported as CSV or JSON (what the filter
 * shows, in the table's order). Virtualized: only the rows in view are in the document.
 */
export function trialTable(model: SessionModel): View {
  const count = h('span', { class: 'count' })
  const { root, body, tools } = section('Trials', 'trials', count)
  const statusSelect = h('select', { 'data-control': 'status-filter', 'aria-label': 'status' }, h('option', { value: '' }, 'all statuses'))
  const textInput = h('input', { type: 'search', placeholder: 'filter…', 'data-control': 'text-filter', 'aria-label': 'filter trials' })
  const csvButton = h('button', { type: 'button', 'data-action': 'export-csv', title: 'the rows shown, in this order' }, 'CSV')
  const jsonButton = h('button', { type: 'button', 'data-action': 'export-json', title: 'the rows shown, in this order' }, 'JSON')
  tools.append(statusSelect, textInput, h('span', { class: 'export' }, 'export ', csvButton, ' ', jsonButton))

  const scroller = h('div', { class: 'table-scroll' })
  const table = h('table', { class: 'trials' })
  const colgroup = h('colgroup')
  const headRow = h('tr')
  const tbody = h('tbody')
  const topPad = h('tr', { class: 'pad' })
  const bottomPad = h('tr', { class: 'pad' })
  table.append(colgroup, h('thead', {}, headRow), tbody)
  scroller.append(table)
  body.append(scroller)

  let columns: Column[] = []
  let columnKey = ''
  const multi = (model.session.directions?.length ?? 0) > 1
  /** The study columns (objectives, violation, attrs), derived once per change of the trials. */
  const study = () => model.memo('studyColumns', () => studyColumns(model.trials, model.session.directions))
  let sort: SortSpec = defaultSort(model.session.direction, multi)
  let order: number[] = []
  let statuses = ''
  const searchText = new Map<number, string>()
  let drawn = { first: -1, last: -1, version: -1 }
  let bestIdx: number | null = null
  let version = 0

  function setColumns(): void {
    const cols = tableColumns(model.params, model.hasCurves() ? (t) => model.lastStepOf(t) : null, study())
    const key = cols.map((c) => c.id).join('\u0000')
    if (key === columnKey) return
    columnKey = key
    columns = cols
    searchText.clear()
    pool.length = 0
    shown = -1
    colgroup.textContent = ''
    headRow.textContent = ''
    let width = 0
    for (const c of columns) {
      colgroup.append(h('col', { style: `width:${c.width}px` }))
      width += c.width
      const th = h('th', { 'data-col': c.id, class: c.numeric ? 'num' : '' }, c.label)
      th.addEventListener('click', () => {
        sort =
          sort.column === c.id
            ? { column: c.id, descending: !sort.descending }
            : c.id === 'score' || c.id === 'value:0'
              ? defaultSort(model.session.direction, multi)
              : { column: c.id, descending: false }
        refresh()
      })
      headRow.append(th)
    }
    table.style.width = `${width}px`
  }

  function setStatuses(): void {
    const present = [...new Set<string>(model.trials.map((t) => t.status))].sort()
    const key = present.join(',')
    if (key === statuses) return
    statuses = key
    const current = statusSelect.value
    statusSelect.textContent = ''
    statusSelect.append(h('option', { value: '' }, 'all statuses'), ...present.map((s) => h('option', { value: s }, s)))
    statusSelect.value = present.includes(current) ? current : ''
  }

  function rowText(i: number): string {
    let s = searchText.get(i)
    if (s === undefined) {
      const t = model.trials[i] as TrialRecord
      const b = model.bestSoFar[i] ?? null
      s = columns
        .map((c) => c.text(t, b))
        .join('\u0000')
        .toLowerCase()
      searchText.set(i, s)
    }
    return s
  }

  function refresh(): void {
    setColumns()
    setStatuses()
    const status = statusSelect.value
    const text = textInput.value.trim().toLowerCase()
    const positions: number[] = []
    model.trials.forEach((t, i) => {
      if (status && t.status !== status) return
      if (text && !rowText(i).includes(text)) return
      positions.push(i)
    })
    const column = columns.find((c) => c.id === sort.column) ?? (columns[0] as Column)
    order = sortedOrder(positions, model.trials, model.bestSoFar, column, sort.descending)
    for (const th of headRow.children) {
      const id = (th as HTMLElement).dataset['col']
      th.className = [columns.find((c) => c.id === id)?.numeric ? 'num' : '', id === sort.column ? (sort.descending ? 'desc' : 'asc') : '']
        .filter(Boolean)
        .join(' ')
    }
    bestIdx = model.bestTrial()?.trialIdx ?? null
    count.textContent = order.length === model.trials.length ? `${order.length} trials` : `${order.length} of ${model.trials.length} trials`
    version++
    draw()
  }

  // Rows are reused while scrolling: only their text changes, no element is created or styled anew.
  const pool: HTMLTableRowElement[] = []
  let shown = -1

  function rowAt(k: number): HTMLTableRowElement {
    let tr = pool[k]
    if (!tr) {
      tr = h('tr')
      for (const c of columns) tr.append(h('td', { class: c.numeric ? 'num' : null }))
      pool[k] = tr
    }
    return tr
  }

  function draw(): void {
    const viewport = scroller.clientHeight || 420
    const first = Math.max(0, Math.floor(scroller.scrollTop / ROW_HEIGHT) - OVERSCAN)
    const last = Math.min(order.length, Math.ceil((scroller.scrollTop + viewport) / ROW_HEIGHT) + OVERSCAN)
    if (drawn.first === first && drawn.last === last && drawn.version === version) return
    drawn = { first, last, version }
    for (let r = first; r < last; r++) {
      const i = order[r] as number
      const t = model.trials[i] as TrialRecord
      const b = model.bestSoFar[i] ?? null
      const tr = rowAt(r - first)
      const cls = [t.status === 'ok' ? '' : `status-${t.status.replace(/[^a-z0-9-]/gi, '')} not-ok`, t.trialIdx === bestIdx ? 'best' : '']
        .filter(Boolean)
        .join(' ')
      if (tr.className !== cls) tr.className = cls
      tr.dataset['trial'] = String(t.trialIdx)
      columns.forEach((c, j) => {
        const td = tr.cells[j] as HTMLTableCellElement
        const text = c.text(t, b)
        if (td.textContent !== text) {
          td.textContent = text
          td.title = text.length > 14 ? text : ''
        }
      })
    }
    topPad.style.height = `${first * ROW_HEIGHT}px`
    bottomPad.style.height = `${(order.length - last) * ROW_HEIGHT}px`
    if (shown !== last - first || tbody.firstChild !== topPad) {
      shown = last - first
      tbody.replaceChildren(topPad, ...pool.slice(0, shown), bottomPad)
    }
  }

  let frame = 0
  scroller.addEventListener('scroll', () => {
    if (frame) return
    frame = requestAnimationFrame(() => {
      frame = 0
      draw()
    })
  })
  statusSelect.addEventListener('change', refresh)
  textInput.addEventListener('input', refresh)
  const name = (ext: string) => `${model.session.sessionId.replace(/[^\w.-]+/g, '_')}-trials.${ext}`
  csvButton.addEventListener('click', () => download(name('csv'), toCsv(columns, model.trials, model.bestSoFar, order), 'text/csv'))
  jsonButton.addEventListener('click', () => {
    model.unpackCurves()
    download(
      name('json'),
      `${JSON.stringify(
        order.map((i) => model.trials[i]),
        null,
        2,
      )}\n`,
      'application/json',
    )
  })

  // The first sort of 10,000 rows waits for the charts in view: it runs in a task of its own,
  // after them while the table is out of view. Later changes (a live page's trials, the filters
  // and sort headers) refresh it at once, as soon as the first has run.
  const key = {}
  let ready = false
  renderTimings.expect('table', root)
  enqueueDraw(
    key,
    root,
    () => {
      ready = true
      refresh()
      renderTimings.done('table')
    },
    true,
  )
  return {
    root,
    update: (change) => {
      if (ready && (change.appended > 0 || change.session)) refresh()
    },
    dispose: () => {
      cancelDraw(key)
      if (frame) cancelAnimationFrame(frame)
    },
  }
}
