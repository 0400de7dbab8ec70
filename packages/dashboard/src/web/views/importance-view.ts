import { mountChart } from '../charts/mount.js'
import { axisStyle, COLORS } from '../charts/style.js'
import { renderTimings } from '../charts/timings.js'
import { h, section } from '../dom.js'
import { ImportanceClient } from '../importance/client.js'
import type { ImportanceInput, ImportanceResult } from '../importance/permutation.js'
import { paramColumn } from '../model/derived.js'
import type { ParamInfo } from '../model/params.js'
import { scoreAxis } from '../model/score-range.js'
import type { SessionModel } from '../model/session-model.js'
import { isScored } from '../model/trials.js'
import type { View } from './view.js'

/** At most this many trials train the forest (evenly spaced over the session): enough for a stable ranking, quick to train. */
export const MAX_IMPORTANCE_TRIALS = 600
/** A live page recomputes at most this often while trials arrive. */
const LIVE_INTERVAL_MS = 5000

function encode(p: ParamInfo, v: number): number {
  return p.kind === 'numeric' && p.log && v > 0 ? Math.log10(v) : v
}

/**
 * The forest's input: scored trials with a value for every parameter, evenly thinned to
 * MAX_IMPORTANCE_TRIALS, scores far out on the worse side clamped to the score axis's fence (one
 * outlier would otherwise dominate every squared error and hide all importances).
 */
export function importanceInput(model: SessionModel): { input: ImportanceInput; of: number } {
  const params = model.params
  const rows: number[][] = []
  const scores: number[] = []
  const columns = params.map((p) => paramColumn(model, p))
  model.trials.forEach((t, i) => {
    if (!isScored(t)) return
    const row: number[] = []
    for (const [j, p] of params.entries()) {
      const v = (columns[j] as Float64Array)[i] as number
      if (Number.isNaN(v)) return
      row.push(encode(p, v))
    }
    rows.push(row)
    scores.push(t.score)
  })
  const of = rows.length
  const axis = scoreAxis(scores, model.session.direction, { log: false, clip: true })
  if (axis) for (let i = 0; i < scores.length; i++) scores[i] = Math.min(axis.max, Math.max(axis.min, scores[i] as number))
  if (rows.length > MAX_IMPORTANCE_TRIALS) {
    const step = rows.length / MAX_IMPORTANCE_TRIALS
    const keep = Array.from({ length: MAX_IMPORTANCE_TRIALS }, (_, i) => Math.floor(i * step))
    return {
      input: { names: params.map((p) => p.name), rows: keep.map((i) => rows[i] as number[]), scores: keep.map((i) => scores[i] as number) },
      of,
    }
  }
  return { input: { names: params.map((p) => p.name), rows, scores }, of }
}

/**
 * Parameter importance: permutation importance from a random forest, computed in a Web Worker
 * (the page stays responsive) once the charts are drawn, recomputed on a live page at most every
 * 5 s while trials arrive.
 * `onRanking` gets the parameters from most to least important (the contour takes the top two).
 */
export function importanceView(model: SessionModel, onRanking: (names: string[]) => void): View {
  const { root, body } = section('Parameter importance', 'importance')
  const box = h('div', { class: 'chart chart-importance' })
  const note = h('p', { class: 'note', 'data-state': 'pending' }, 'computing…')
  body.append(box, note)
  const mounted = mountChart(box, 'importance')
  const client = new ImportanceClient()
  let computedFor = -1
  let running = false
  let timer: ReturnType<typeof setTimeout> | null = null
  let lastStart = 0

  function show(result: ImportanceResult, of: number): void {
    const sorted = [...result.importances].sort((a, b) => a.importance - b.importance)
    mounted.set(() => ({
      grid: { left: 120, right: 40, top: 10, bottom: 30 },
      xAxis: {
        ...axisStyle(),
        type: 'value',
        min: 0,
        max: 1,
        axisLabel: { color: COLORS.text, formatter: (v: number) => `${Math.round(v * 100)}%` },
      },
      yAxis: { ...axisStyle(), type: 'category', data: sorted.map((s) => s.name), splitLine: { show: false } },
      tooltip: { trigger: 'item', formatter: (i: { name: string; value: number }) => `${i.name}: ${(i.value * 100).toFixed(1)}%` },
      series: [
        {
          type: 'bar',
          data: sorted.map((s) => s.importance),
          itemStyle: { color: COLORS.trial },
          label: {
            show: true,
            position: 'right',
            formatter: (i: { value: number }) => `${(i.value * 100).toFixed(1)}%`,
            color: COLORS.text,
          },
        },
      ],
    }))
    const sample = of > result.trained + result.heldOut ? ` (evenly spaced over ${of})` : ''
    note.textContent =
      `Permutation importance from a random forest of ${result.trees} trees: trained on ${result.trained} trials` +
      (result.heldOut > 0
        ? `, measured on ${result.heldOut} held out${sample}`
        : `${sample}, measured on the same trials (fewer than 20)`) +
      '. Each parameter is shuffled in turn; its share of the rise in squared error is its importance.'
    note.dataset['state'] = 'done'
    performance.mark('cairn:importance')
    onRanking([...result.importances].sort((a, b) => b.importance - a.importance).map((s) => s.name))
  }

  function empty(message: string): void {
    mounted.set(() => ({ title: { text: message, left: 'center', top: 'middle', textStyle: { fontSize: 13 } } }))
    note.textContent = ''
    note.dataset['state'] = 'done'
  }

  async function compute(): Promise<void> {
    const count = model.trials.length
    if (running || count === computedFor) return
    const { input, of } = importanceInput(model)
    if (model.params.length === 0) return empty('no parameters')
    if (input.rows.length < 4) return empty('needs at least 4 scored trials')
    running = true
    lastStart = Date.now()
    computedFor = count
    try {
      const result = await client.compute(input)
      if (result) show(result, of)
    } catch (err) {
      empty('importance unavailable')
      note.textContent = `Importance could not be computed: ${err instanceof Error ? err.message : String(err)}`
    } finally {
      running = false
    }
    if (model.trials.length !== computedFor) schedule()
  }

  function schedule(): void {
    if (timer) return
    const wait = Math.max(0, LIVE_INTERVAL_MS - (Date.now() - lastStart))
    timer = setTimeout(() => {
      timer = null
      void compute()
    }, wait)
  }

  mounted.set(() => ({ title: { text: 'computing…', left: 'center', top: 'middle', textStyle: { fontSize: 13, color: COLORS.text } } }))
  // The forest starts once every chart has drawn: training beside the draws slowed them down (on two cores shared with other work).
  void renderTimings.whenRendered().then(compute)
  return {
    root,
    update: (change) => {
      if (change.appended > 0) schedule()
    },
    dispose: () => {
      if (timer) clearTimeout(timer)
      client.dispose()
      mounted.dispose()
    },
  }
}
