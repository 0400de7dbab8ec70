import { type ChartOption, type MountedChart, mountChart } from '../charts/mount.js'
import { shortNumber } from '../charts/score-plot.js'
import { axisStyle, COLORS, esc, statusColor } from '../charts/style.js'
import { h, section } from '../dom.js'
import { selectCurves, type CurveTrial } from '../model/curves.js'
import { formatNumber } from '../model/format.js'
import type { SessionModel } from '../model/session-model.js'
import type { View } from './view.js'

/** At most this many curves are drawn: the best MAX_BEST_CURVES finished trials and an even sample of the others. */
export const MAX_CURVES = 400
/** How many of the drawn curves are the best finished trials. */
export const MAX_BEST_CURVES = 100

/** The groups a curve is drawn in, each as one series: a status, and the best trial on top. */
type Group = 'ok' | 'pruned' | 'error' | 'best'

/**
 * The points of `trials` (step, value, trial index) one trial after the other, packed in a typed
 * array; with `gaps`, a gap (NaN) after each trial, so one line series draws them as separate lines.
 */
function packLines(trials: readonly CurveTrial[], gaps: boolean): Float64Array {
  let n = 0
  for (const t of trials) n += t.intermediate.length + (gaps ? 1 : 0)
  const flat = new Float64Array(n * 3)
  let o = 0
  for (const t of trials) {
    for (const p of t.intermediate) {
      flat[o++] = p.step
      flat[o++] = p.value
      flat[o++] = t.trialIdx
    }
    if (!gaps) continue
    flat[o++] = Number.NaN
    flat[o++] = Number.NaN
    flat[o++] = t.trialIdx
  }
  return flat
}

/**
 * Learning curves: each trial's intermediate values (`ctx.report`) against their step, one line
 * per trial; pruned trials dashed in the pruned colour, failed ones in the error colour, the best
 * trial drawn thick on top. Above MAX_CURVES trials, the best MAX_BEST_CURVES and an even sample
 * of the others are drawn (the note says so). Hidden while no trial has reported a value.
 */
export function curvesView(model: SessionModel): View {
  const { root, body, tools } = section('Learning curves', 'curves')
  const logBox = h('input', { type: 'checkbox', 'data-control': 'curves-log' })
  logBox.addEventListener('change', render)
  tools.append(h('label', { title: 'log10 value axis (every value drawn must be positive)' }, logBox, ' log scale'))
  const box = h('div', { class: 'chart chart-curves' })
  const note = h('p', { class: 'note' })
  body.append(box, note)
  // Mounted once a trial has a curve: a hidden chart must not hold back the page's render timings.
  let mounted: MountedChart | null = null

  function render(): void {
    const any = model.hasCurves()
    root.hidden = !any
    if (!any) return
    mounted ??= mountChart(box, 'curves')
    mounted.set(option)
  }

  /** The chart's option, built when it draws; also sets the toggle, the note and the data attributes. */
  function option(): ChartOption {
    const selection = selectCurves(model, MAX_CURVES, MAX_BEST_CURVES)
    const bestIdx = model.bestTrial()?.trialIdx ?? null
    const groups = new Map<Group, CurveTrial[]>()
    let positive = true
    for (const t of selection.lines) {
      const g: Group = t.trialIdx === bestIdx ? 'best' : t.status === 'pruned' ? 'pruned' : t.status === 'error' ? 'error' : 'ok'
      let list = groups.get(g)
      if (!list) groups.set(g, (list = []))
      list.push(t)
      for (const p of t.intermediate) {
        if (p.value <= 0) positive = false
      }
    }
    logBox.disabled = !positive
    const log = logBox.checked && positive
    logBox.checked = log
    // For tests and tools: what the chart was given (the canvas itself cannot be inspected).
    box.dataset['curves'] = String(selection.total)
    box.dataset['lines'] = String(selection.lines.length)
    box.dataset['groups'] = (['ok', 'pruned', 'error', 'best'] as const).filter((g) => groups.has(g)).join(',')
    box.dataset['best'] = bestIdx !== null && groups.has('best') ? String(bestIdx) : ''
    note.textContent =
      selection.lines.length < selection.total
        ? `${selection.lines.length} of ${selection.total} curves: the ${selection.best} best finished trials and an even sample of the others.`
        : `${selection.total} ${selection.total === 1 ? 'curve' : 'curves'}; pruned trials dashed.`
    const lineSeries = (g: Group, name: string, style: Record<string, unknown>, z: number): Record<string, unknown> => ({
      name,
      type: 'line',
      data: packLines(groups.get(g) ?? [], true),
      dimensions: ['x', 'y', 'trial'],
      encode: { x: 0, y: 1 },
      connectNulls: false,
      showSymbol: false,
      symbol: 'none',
      silent: true,
      lineStyle: style,
      itemStyle: { color: style['color'] },
      emphasis: { disabled: true },
      z,
    })
    const many = selection.lines.length > 100
    const series: Array<Record<string, unknown>> = []
    if (groups.has('ok')) series.push(lineSeries('ok', 'ok', { color: COLORS.trial, width: 1, opacity: many ? 0.35 : 0.6 }, 2))
    if (groups.has('pruned'))
      series.push(lineSeries('pruned', 'pruned', { color: statusColor('pruned'), width: 1.2, type: 'dashed', opacity: 0.85 }, 3))
    if (groups.has('error')) series.push(lineSeries('error', 'error', { color: statusColor('error'), width: 1, opacity: 0.7 }, 3))
    if (groups.has('best')) series.push(lineSeries('best', 'best', { color: COLORS.best, width: 2.5 }, 4))
    // The points themselves, invisible: what the tooltip answers for (a line series has no hover of its own).
    series.push({
      name: 'points',
      type: 'scatter',
      data: packLines(selection.lines, false),
      dimensions: ['x', 'y', 'trial'],
      encode: { x: 0, y: 1 },
      symbol: 'rect',
      symbolSize: 5,
      itemStyle: { color: COLORS.axis, opacity: 0.01 },
      large: true,
      largeThreshold: 2000,
      z: 5,
    })
    const byIdx = new Map(selection.lines.map((t) => [t.trialIdx, t]))
    return {
      grid: { left: 64, right: 24, top: 36, bottom: 48 },
      xAxis: { type: 'value', name: 'step', nameLocation: 'middle', nameGap: 26, minInterval: 1, ...axisStyle() },
      yAxis: {
        type: log ? 'log' : 'value',
        name: `intermediate value (${model.session.direction === 'maximize' ? 'higher' : 'lower'} is better)`,
        scale: true,
        ...axisStyle(),
        axisLabel: { color: COLORS.text, hideOverlap: true, formatter: (v: number) => shortNumber(v) },
      },
      series,
      legend: {
        top: 4,
        right: 24,
        itemWidth: 14,
        itemHeight: 8,
        data: series.map((s) => s['name'] as string).filter((n) => n !== 'points'),
        textStyle: { color: COLORS.text },
      },
      dataZoom: [{ type: 'inside', xAxisIndex: 0, filterMode: 'none' }],
      tooltip: {
        trigger: 'item',
        confine: true,
        formatter: (item: { value?: unknown }) => {
          const v = item.value as ArrayLike<number> | undefined
          const t = v ? byIdx.get(v[2] as number) : undefined
          if (!v || !t) return ''
          return [
            `<b>trial ${t.trialIdx}</b>${t.trialIdx === bestIdx ? ' (best)' : ''} · ${esc(t.status)}`,
            `step ${esc(v[0])}: <b>${esc(formatNumber(v[1] as number))}</b>`,
            `${t.intermediate.length} reports, last step ${esc(t.intermediate[t.intermediate.length - 1]?.step)}`,
          ].join('<br>')
        },
      },
    }
  }

  render()
  return {
    root,
    update: (change) => {
      if (change.appended > 0 || change.session) render()
    },
    dispose: () => mounted?.dispose(),
  }
}
