import type { Direction } from '@cairn/core'
import { type ChartOption, type MountedChart, mountChart } from '../charts/mount.js'
import { shortNumber } from '../charts/score-plot.js'
import { axisStyle, COLORS } from '../charts/style.js'
import { trialTooltip } from '../charts/trial-tooltip.js'
import { h, section } from '../dom.js'
import { trialByIdx } from '../model/derived.js'
import { paretoSplit, violationOf, type ParetoSplit, type ValuedTrial } from '../model/pareto.js'
import type { SessionModel } from '../model/session-model.js'
import type { View } from './view.js'

const INFEASIBLE_COLOR = '#d62728'

/** The Pareto split of the session's trials, shared by this view and the summary card until the next change. */
export function paretoOf(model: SessionModel): ParetoSplit | null {
  const directions = model.session.directions
  if (!directions || directions.length < 2) return null
  return model.memo('pareto', () => paretoSplit(model.trials, directions))
}

function objectiveName(i: number, d: Direction): string {
  return `objective ${i + 1} (${d === 'maximize' ? 'max' : 'min'})`
}

/**
 * The Pareto front of a multi-objective session: every finished trial by two of its objectives
 * (chosen above the chart when there are three or more), the non-dominated ones highlighted and,
 * for two objectives, joined by their attainment staircase; trials that violate a constraint in
 * the error colour. Only multi-objective sessions have this view.
 */
export function paretoView(model: SessionModel): View {
  const { root, body, tools } = section('Pareto front', 'pareto')
  const directions = model.session.directions ?? []
  const pick = (axis: 'x' | 'y', chosen: number): HTMLSelectElement => {
    const select = h(
      'select',
      { 'data-control': `pareto-${axis}` },
      ...directions.map((d, i) => h('option', { value: String(i) }, objectiveName(i, d))),
    ) as HTMLSelectElement
    select.value = String(chosen)
    select.addEventListener('change', render)
    return select
  }
  const xSelect = pick('x', 0)
  const ySelect = pick('y', 1)
  if (directions.length > 2) tools.append(h('label', {}, 'x ', xSelect), h('label', {}, ' y ', ySelect))
  const box = h('div', { class: 'chart chart-pareto' })
  const note = h('p', { class: 'note' })
  body.append(box, note)
  let mounted: MountedChart | null = null

  function render(): void {
    root.hidden = directions.length < 2
    if (root.hidden) return
    mounted ??= mountChart(box, 'pareto')
    mounted.set(option)
  }

  function option(): ChartOption {
    const split = paretoOf(model) as ParetoSplit
    const xi = Number(xSelect.value)
    const yi = Number(ySelect.value)
    const point = (t: ValuedTrial): [number, number, number] => [t.values[xi] as number, t.values[yi] as number, t.trialIdx]
    box.dataset['front'] = String(split.front.length)
    box.dataset['dominated'] = String(split.dominated.length)
    box.dataset['infeasible'] = String(split.infeasible.length)
    box.dataset['frontTrials'] = split.front.map((t) => t.trialIdx).join(',')
    const total = split.front.length + split.dominated.length + split.infeasible.length
    note.textContent =
      total === 0
        ? 'No finished trial yet.'
        : `${split.front.length} of ${total} finished trials on the front` +
          (split.infeasible.length > 0 ? `; ${split.infeasible.length} violate a constraint` : '') +
          (split.front.length > 0 && violationOf(split.front[0] as ValuedTrial) > 0
            ? ' (none is feasible: the front is of the least violating)'
            : '') +
          '.'
    const scatter = (name: string, trials: readonly ValuedTrial[], color: string, size: number, z: number): Record<string, unknown> => ({
      name,
      type: 'scatter',
      data: trials.map(point),
      dimensions: ['x', 'y', 'trial'],
      encode: { x: 0, y: 1 },
      symbol: 'rect',
      symbolSize: size,
      itemStyle: { color, opacity: name === 'front' ? 1 : 0.6 },
      large: trials.length > 2000,
      z,
    })
    const series: Array<Record<string, unknown>> = [
      scatter('dominated', split.dominated, COLORS.trial, 5, 2),
      scatter('infeasible', split.infeasible, INFEASIBLE_COLOR, 5, 2),
      scatter('front', split.front, COLORS.best, 8, 4),
    ]
    if (directions.length === 2) series.push(staircase(split.front, xi, yi))
    const byIdx = trialByIdx(model)
    return {
      grid: { left: 72, right: 24, top: 36, bottom: 52 },
      xAxis: {
        type: 'value',
        name: objectiveName(xi, directions[xi] as Direction),
        nameLocation: 'middle',
        nameGap: 28,
        scale: true,
        ...axisStyle(),
      },
      yAxis: {
        type: 'value',
        name: objectiveName(yi, directions[yi] as Direction),
        scale: true,
        ...axisStyle(),
        axisLabel: { color: COLORS.text, hideOverlap: true, formatter: (v: number) => shortNumber(v) },
      },
      series,
      legend: {
        top: 4,
        right: 24,
        itemWidth: 10,
        itemHeight: 10,
        data: ['front', 'dominated', 'infeasible'],
        textStyle: { color: COLORS.text },
      },
      dataZoom: [
        { type: 'inside', xAxisIndex: 0, filterMode: 'none' },
        { type: 'inside', yAxisIndex: 0, filterMode: 'none' },
      ],
      tooltip: {
        trigger: 'item',
        formatter: (p: { data?: unknown }) => {
          const idx = Array.isArray(p.data) ? (p.data[2] as number) : -1
          const t = byIdx.get(idx)
          if (!t) return ''
          const values = (t.values ?? []).map((v, i) => `${objectiveName(i, directions[i] as Direction)} <b>${shortNumber(v)}</b>`)
          return [trialTooltip(t, model.params, null), ...values].join('<br>')
        },
      },
    }
  }

  /** The front's attainment staircase (two objectives): the boundary of the region the front dominates. */
  function staircase(front: readonly ValuedTrial[], xi: number, yi: number): Record<string, unknown> {
    const xMax = directions[xi] === 'maximize'
    const points = front.map((t) => [t.values[xi] as number, t.values[yi] as number]).sort((a, b) => (a[0] as number) - (b[0] as number))
    if (xMax) points.reverse()
    return {
      name: 'staircase',
      type: 'line',
      data: points,
      step: 'end',
      showSymbol: false,
      silent: true,
      lineStyle: { color: COLORS.best, width: 1.2, opacity: 0.7 },
      z: 3,
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
