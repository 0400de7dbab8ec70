import { type ChartOption, mountChart, type MountedChart } from '../charts/mount.js'
import { scorePlotOption, type ScorePoint, type XAxisSpec } from '../charts/score-plot.js'
import { trialTooltip } from '../charts/trial-tooltip.js'
import { h, section } from '../dom.js'
import { numericValue, type ParamInfo } from '../model/params.js'
import { canLogScores, paramColumn, sharedScoreAxis, trialByIdx } from '../model/derived.js'
import { onePerCell } from '../model/thin-points.js'
import type { SessionModel } from '../model/session-model.js'
import { isScored, statusOf } from '../model/trials.js'
import type { ScoreScale, View } from './view.js'

/** Above this many scored trials, points hidden under others are not drawn (see `onePerCell`). */
const THIN_ABOVE = 2000

function xAxisOf(p: ParamInfo): XAxisSpec {
  if (p.kind === 'categorical') return { type: 'category', name: p.name, categories: p.choices }
  return p.log && p.low > 0
    ? { type: 'log', name: `${p.name} (log)`, min: p.low, max: p.high }
    : { type: 'value', name: p.name, min: p.low, max: p.high, integer: p.integer }
}

/**
 * Slice plots: one chart per parameter, its value against the score; trials without a score
 * (failed, pruned, or of a status this page does not know) in a strip under each chart.
 */
export function slicesView(model: SessionModel, scale: ScoreScale): View {
  const { root, body } = section('Slices', 'slices')
  const grid = h('div', { class: 'slice-grid' })
  body.append(grid)
  let charts: Array<{ param: ParamInfo; chart: MountedChart }> = []
  let names = ''

  function layout(): void {
    const key = model.params.map((p) => p.name).join('\u0000')
    if (key === names) return
    names = key
    for (const c of charts) c.chart.dispose()
    grid.textContent = ''
    charts = model.params.map((param) => {
      const box = h('div', { class: 'chart chart-slice', 'data-param': param.name })
      grid.append(h('figure', {}, box, h('figcaption', {}, param.name)))
      return { param, chart: mountChart(box, `slice:${param.name}`) }
    })
    if (charts.length === 0)
      grid.append(h('p', { class: 'empty' }, 'No parameters to plot: the candidates have no numeric or categorical fields.'))
  }

  function render(): void {
    layout()
    for (const { param, chart } of charts) chart.set(() => option(param, chart.el))
  }

  /** One slice chart's option, built when it draws. */
  function option(param: ParamInfo, el: HTMLElement): ChartOption {
    const axis = sharedScoreAxis(model, { log: scale.log && canLogScores(model), clip: scale.clip })
    if (!axis) {
      el.dataset['scored'] = '0'
      el.dataset['statuses'] = ''
      return { title: { text: 'no scored trials yet', left: 'center', top: 'middle', textStyle: { fontSize: 13 } } }
    }
    const trials = model.trials
    const column = paramColumn(model, param)
    const logX = param.kind === 'numeric' && param.log && param.low > 0
    const ok: ScorePoint[] = []
    const others = new Map<string, Array<[number, number]>>()
    trials.forEach((t, i) => {
      const x = column[i] as number
      if (Number.isNaN(x) || (logX && x <= 0)) return
      if (isScored(t)) ok.push([x, t.score, t.trialIdx])
      else {
        const s = statusOf(t)
        let list = others.get(s)
        if (!list) others.set(s, (list = []))
        list.push([x, t.trialIdx])
      }
    })
    const best = model.bestTrial()
    const bx = best ? numericValue(param, best.candidate) : null
    const byIdx = trialByIdx(model)
    const bestIdx = best?.trialIdx ?? null
    el.dataset['scored'] = String(ok.length)
    el.dataset['statuses'] = [...others.keys()].join(',')
    return scorePlotOption({
      x: xAxisOf(param),
      y: axis,
      yName: 'score',
      ok: ok.length > THIN_ABOVE ? onePerCell(ok, param, axis) : ok,
      okOf: ok.length,
      others,
      best: best && bx !== null ? [bx, best.score, best.trialIdx] : null,
      tooltip: (idx) => {
        const t = byIdx.get(idx)
        return t ? trialTooltip(t, model.params, bestIdx) : ''
      },
      compact: true,
      widthPx: el.clientWidth,
    })
  }

  render()
  const off = scale.onChange(render)
  return {
    root,
    update: (change) => {
      if (change.appended > 0 || change.session) render()
    },
    dispose: () => {
      off()
      for (const c of charts) c.chart.dispose()
    },
  }
}
