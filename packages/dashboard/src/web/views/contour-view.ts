import { type ChartOption, mountChart } from '../charts/mount.js'
import { shortNumber } from '../charts/score-plot.js'
import { axisStyle, COLORS, esc } from '../charts/style.js'
import { h, section } from '../dom.js'
import { binnedMean, binningOf, type Binning, type ContourCell } from '../model/contour-grid.js'
import { formatNumber } from '../model/format.js'
import { paramColumn } from '../model/derived.js'
import type { ParamInfo } from '../model/params.js'
import { scoreAxis } from '../model/score-range.js'
import type { SessionModel } from '../model/session-model.js'
import { isScored } from '../model/trials.js'
import type { View } from './view.js'

interface RenderApi {
  value(dim: number): number
  coord(point: number[]): number[]
  size(delta: number[]): number[]
  visual(kind: 'color'): string
}

function axisOf(p: ParamInfo, b: Binning): Record<string, unknown> {
  const base = { ...axisStyle(), name: p.name, nameLocation: 'middle' }
  if (p.kind === 'categorical') return { ...base, type: 'category', data: p.choices, splitLine: { show: false } }
  const edges = b.kind === 'numeric' ? b.edges : [p.low, p.high]
  return {
    ...base,
    type: b.kind === 'numeric' && b.log ? 'log' : 'value',
    min: edges[0],
    max: edges[edges.length - 1],
    splitLine: { show: false },
  }
}

/** The pixel span of a cell along one axis: a band for a categorical axis, the bin's edges otherwise. */
function span(api: RenderApi, axis: 0 | 1, categorical: boolean, a: number, b: number, other: number): [number, number] {
  const point = (v: number): number[] => (axis === 0 ? [v, other] : [other, v])
  const c = api.coord(point(a))[axis] as number
  if (categorical) {
    const w = api.size(axis === 0 ? [1, 0] : [0, 1])[axis] as number
    return [c - w / 2, c + w / 2]
  }
  return [c, api.coord(point(b))[axis] as number]
}

/** The trials drawn over the grid, as one flat typed array (x, y, score, trial index per point). */
function packedPoints(points: ReadonlyArray<readonly [number, number, number]>, trialOf: readonly number[]): Record<string, unknown> {
  const flat = new Float64Array(points.length * 4)
  points.forEach((p, i) => {
    flat.set([p[0], p[1], p[2], trialOf[i] as number], i * 4)
  })
  return { data: flat, dimensions: ['x', 'y', 'score', 'trial'], encode: { x: 0, y: 1 } }
}

/**
 * A contour of the score over any two parameters: the binned mean score (20 × 20 bins for
 * continuous parameters, in log10 for log ones; one bin per choice for categorical ones), with
 * every scored trial drawn on top. Empty bins stay blank: nothing is extrapolated.
 */
export function contourView(model: SessionModel): View & { suggest(names: readonly string[]): void } {
  const { root, body, tools } = section('Contour', 'contour')
  const xSelect = h('select', { 'data-control': 'contour-x', 'aria-label': 'x parameter' })
  const ySelect = h('select', { 'data-control': 'contour-y', 'aria-label': 'y parameter' })
  tools.append(h('label', {}, 'x ', xSelect), h('label', {}, 'y ', ySelect))
  const box = h('div', { class: 'chart chart-contour' })
  const note = h(
    'p',
    { class: 'note' },
    'Mean score of the trials in each bin (20 × 20 bins; one per choice for categorical parameters); empty bins are blank.',
  )
  body.append(box, note)
  const mounted = mountChart(box, 'contour')
  let chosenByUser = false
  let options = ''

  function fillSelects(): void {
    const names = model.params.map((p) => p.name)
    const key = names.join('\u0000')
    if (key === options) return
    options = key
    for (const [select, fallback] of [
      [xSelect, names[0]],
      [ySelect, names[1]],
    ] as const) {
      const current = select.value
      select.textContent = ''
      for (const n of names) select.append(h('option', { value: n }, n))
      select.value = names.includes(current) ? current : (fallback ?? '')
    }
  }
  for (const s of [xSelect, ySelect])
    s.addEventListener('change', () => {
      chosenByUser = true
      render()
    })

  function render(): void {
    fillSelects()
    mounted.set(option)
  }

  /** The chart's option for the chosen parameters, built when it draws. */
  function option(): ChartOption {
    const px = model.params.find((p) => p.name === xSelect.value)
    const py = model.params.find((p) => p.name === ySelect.value)
    if (!px || !py || px === py) {
      return {
        title: {
          text: model.params.length < 2 ? 'a contour needs two parameters' : 'choose two different parameters',
          left: 'center',
          top: 'middle',
          textStyle: { fontSize: 13 },
        },
      }
    }
    const xs = paramColumn(model, px)
    const ys = paramColumn(model, py)
    const points: Array<[number, number, number]> = []
    const trialOf: number[] = []
    model.trials.forEach((t, i) => {
      const x = xs[i] as number
      const y = ys[i] as number
      if (!isScored(t) || Number.isNaN(x) || Number.isNaN(y)) return
      points.push([x, y, t.score])
      trialOf.push(t.trialIdx)
    })
    const bx = binningOf(
      px,
      points.map((p) => p[0]),
    )
    const by = binningOf(
      py,
      points.map((p) => p[1]),
    )
    const cells = binnedMean(points, bx, by)
    const range = scoreAxis(
      cells.map((c) => c[4]),
      model.session.direction,
      { log: false, clip: true },
    )
    if (!range) return { title: { text: 'no scored trials yet', left: 'center', top: 'middle', textStyle: { fontSize: 13 } } }
    const maximize = model.session.direction === 'maximize'
    const xCat = bx.kind === 'categorical'
    const yCat = by.kind === 'categorical'
    return {
      grid: { left: 70, right: 90, top: 20, bottom: 50 },
      xAxis: { ...axisOf(px, bx), nameGap: 30 },
      yAxis: { ...axisOf(py, by), nameGap: 50 },
      visualMap: {
        type: 'continuous',
        seriesIndex: 0,
        dimension: 4,
        min: range.min,
        max: range.max,
        right: 6,
        top: 20,
        bottom: 50,
        itemHeight: 200,
        text: maximize ? ['better', 'worse'] : ['worse', 'better'],
        textStyle: { color: COLORS.text },
        formatter: (v: number) => shortNumber(v),
        inRange: { color: maximize ? ['#f7fbff', '#6baed6', '#08306b'] : ['#08306b', '#6baed6', '#f7fbff'] },
      },
      tooltip: {
        trigger: 'item',
        confine: true,
        formatter: (item: { seriesIndex: number; value: number[] }) => {
          if (item.seriesIndex === 1) return `trial ${item.value[3]}: score ${esc(formatNumber(item.value[2]))}`
          const c = item.value as unknown as ContourCell
          const label = (p: ParamInfo, a: number, b: number): string =>
            p.kind === 'categorical' ? esc(p.choices[a] ?? '') : `${esc(formatNumber(a))} – ${esc(formatNumber(b))}`
          return `${esc(px.name)} ${label(px, c[0], c[1])}<br>${esc(py.name)} ${label(py, c[2], c[3])}<br>mean score <b>${esc(formatNumber(c[4]))}</b> (${c[5]} trials)`
        },
      },
      series: [
        {
          type: 'custom',
          data: cells,
          encode: { x: [0, 1], y: [2, 3], tooltip: [4, 5] },
          renderItem: (_params: unknown, api: RenderApi) => {
            const [x0, x1] = span(api, 0, xCat, api.value(0), api.value(1), api.value(2))
            const [y0, y1] = span(api, 1, yCat, api.value(2), api.value(3), api.value(0))
            return {
              type: 'rect',
              shape: { x: Math.min(x0, x1), y: Math.min(y0, y1), width: Math.abs(x1 - x0) + 0.5, height: Math.abs(y1 - y0) + 0.5 },
              style: { fill: api.visual('color') },
            }
          },
        },
        {
          type: 'scatter',
          ...packedPoints(points, trialOf),
          symbolSize: 3,
          itemStyle: { color: 'rgba(30,30,30,0.45)' },
          large: true,
          largeThreshold: 2000,
          z: 3,
        },
      ],
    }
  }

  render()
  return {
    root,
    update: (change) => {
      if (change.appended > 0 || change.session) render()
    },
    suggest(names) {
      if (chosenByUser || names.length < 2) return
      const [a, b] = names
      if (xSelect.value === a && ySelect.value === b) return
      xSelect.value = a as string
      ySelect.value = b as string
      render()
    },
    dispose: () => mounted.dispose(),
  }
}
