import type { ScoreAxis } from '../model/score-range.js'
import { onePerColumn, type RowAxis } from '../model/thin-points.js'
import type { ChartOption } from './mount.js'
import { axisStyle, COLORS, statusColor, statusSymbol } from './style.js'

/** The x axis of a score plot: trial index, a parameter's values, or a categorical parameter's choices. */
export type XAxisSpec =
  | { type: 'value' | 'log'; name: string; min?: number; max?: number; integer?: boolean }
  | { type: 'category'; name: string; categories: string[] }

/** One point: x, score, trial index. */
export type ScorePoint = [number, number, number]

/** What a score plot shows: scored trials, the others in a strip under the plot by status. */
export interface ScorePlot {
  x: XAxisSpec
  y: ScoreAxis
  yName: string
  ok: ScorePoint[]
  /**
   * How many scored trials `ok` stands for, when it was thinned (`onePerCell`): the marks are
   * chosen by it, so a thinned plot of many trials draws like one of many.
   */
  okOf?: number
  /** Trials without a score by status (`error`, `pruned`, …): [x, trial index]. */
  others: Map<string, Array<[number, number]>>
  best: ScorePoint | null
  /** The best-so-far step line (the history only). */
  bestLine?: Array<[number, number]>
  tooltip(trialIdx: number): string
  /** Small multiples (slices): no zoom sliders, smaller marks. */
  compact: boolean
  /** The chart's width in px, when known: the marks of a row are thinned to about one per 2 px of the plot. */
  widthPx?: number
}

const STRIP_ROW = 14
/** Above this many points a series is drawn in ECharts' large mode, as squares. */
const MANY = 2000

/**
 * The ECharts option of a score plot: a main grid of scored trials (points beyond the score axis
 * drawn on its edge as triangles, so an outlier cannot squash the rest), and — when some trials
 * have no score — a strip grid below it sharing the x axis, one row per status.
 */
export function scorePlotOption(p: ScorePlot): ChartOption {
  const statuses = [...p.others.keys()]
  const stripH = statuses.length > 0 ? statuses.length * STRIP_ROW + 6 : 0
  const sliderH = p.compact ? 0 : 26
  const xLabelH = p.x.type === 'category' ? 34 : 28
  const mainBottom = sliderH + xLabelH + (stripH > 0 ? stripH + 6 : 0) + 8
  const left = p.compact ? 48 : 64
  const right = p.compact ? 12 : 58
  const grids: Array<Record<string, unknown>> = [{ top: p.compact ? 14 : 36, left, right, bottom: mainBottom }]
  if (stripH > 0) grids.push({ left, right, bottom: sliderH + xLabelH + 4, height: stripH })

  const xAxis = (gridIndex: number, labels: boolean): Record<string, unknown> => {
    const base = { ...axisStyle(), gridIndex, name: labels ? p.x.name : '', nameLocation: 'middle', nameGap: xLabelH - 10 }
    const hide = labels ? {} : { axisLabel: { show: false }, axisTick: { show: false } }
    if (p.x.type === 'category')
      return { ...base, ...hide, type: 'category', data: p.x.categories, jitter: 0.6 * 30, jitterOverlap: true, splitLine: { show: false } }
    return {
      ...base,
      ...hide,
      type: p.x.type,
      scale: true,
      ...(p.x.min !== undefined ? { min: p.x.min } : {}),
      ...(p.x.max !== undefined ? { max: p.x.max } : {}),
      ...(p.x.integer ? { minInterval: 1 } : {}),
    }
  }
  const xAxes = [xAxis(0, stripH === 0)]
  if (stripH > 0) xAxes.push(xAxis(1, true))

  const yAxes: Array<Record<string, unknown>> = [
    {
      ...axisStyle(),
      type: p.y.log ? 'log' : 'value',
      min: p.y.min,
      max: p.y.max,
      name: p.compact ? '' : p.yName,
      nameLocation: 'end',
      nameTextStyle: { color: COLORS.text, align: 'left' },
      axisLabel: { color: COLORS.text, formatter: (v: number) => shortNumber(v) },
    },
  ]
  if (stripH > 0)
    yAxes.push({
      gridIndex: 1,
      type: 'category',
      data: statuses,
      axisLabel: { color: COLORS.text, fontSize: 10 },
      axisTick: { show: false },
      axisLine: { lineStyle: { color: COLORS.axis } },
      splitLine: { show: false },
    })

  const inside: ScorePoint[] = []
  let below: ScorePoint[] = []
  let above: ScorePoint[] = []
  for (const pt of p.ok) {
    if (pt[1] < p.y.min) below.push([pt[0], p.y.min, pt[2]])
    else if (pt[1] > p.y.max) above.push([pt[0], p.y.max, pt[2]])
    else inside.push(pt)
  }
  // The marks of a row (the axis edges, the strips) are elements each: only those not hidden under another are drawn.
  const plotWidth = p.widthPx ? p.widthPx - left - right : 0
  const row = rowAxis(p.x, plotWidth > 0 ? Math.max(16, Math.min(480, Math.floor(plotWidth / 5))) : undefined)
  below = onePerColumn(below, row)
  above = onePerColumn(above, row)
  const size = p.compact ? 4 : 5
  const many = (p.okOf ?? inside.length) > MANY
  const series: Array<Record<string, unknown>> = [
    {
      name: 'trial',
      type: 'scatter',
      ...packed(inside),
      // Many points: small squares, which look like dots and draw several times faster than arcs.
      symbol: many ? 'rect' : 'circle',
      symbolSize: many ? size - 1 : size + 2,
      itemStyle: { color: COLORS.trial, opacity: 0.55 },
      // A thinned plot of many trials stays in large mode (one path, not an element per point).
      large: true,
      largeThreshold: many ? 0 : MANY,
    },
  ]
  const outside = (data: ScorePoint[], rotate: number): Record<string, unknown> => ({
    name: 'outside the axis',
    type: 'scatter',
    data,
    symbol: 'triangle',
    symbolRotate: rotate,
    symbolSize: size + 3,
    itemStyle: { color: COLORS.outside },
  })
  if (below.length > 0) series.push(outside(below, 180))
  if (above.length > 0) series.push(outside(above, 0))
  if (p.bestLine)
    series.push({
      name: 'best so far',
      type: 'line',
      step: 'end',
      data: p.bestLine,
      showSymbol: false,
      lineStyle: { color: COLORS.best, width: 2 },
      itemStyle: { color: COLORS.best },
      silent: true,
      z: 3,
    })
  if (p.best)
    series.push({
      name: 'best',
      type: 'scatter',
      data: [p.best],
      symbolSize: size + 7,
      itemStyle: { color: COLORS.best, borderColor: '#fff', borderWidth: 1.5 },
      z: 4,
    })
  for (const status of statuses)
    series.push({
      name: status,
      type: 'scatter',
      xAxisIndex: 1,
      yAxisIndex: 1,
      ...stripPoints(onePerColumn(p.others.get(status) ?? [], row), statuses.indexOf(status)),
      symbol: statusSymbol(status),
      symbolSize: 7,
      itemStyle: { color: statusColor(status) },
      // One path for the row (a few hundred elements otherwise); not for the error cross, a path symbol that large mode cannot place.
      large: true,
      largeThreshold: statusSymbol(status).startsWith('path://') ? MANY : 0,
    })

  const xIndexes = stripH > 0 ? [0, 1] : [0]
  const dataZoom = p.compact
    ? []
    : [
        { type: 'inside', xAxisIndex: xIndexes, filterMode: 'none' },
        // No data shadow in the sliders: it would draw every point a second time.
        { type: 'slider', xAxisIndex: xIndexes, filterMode: 'none', height: 16, bottom: 6, showDataShadow: false },
        { type: 'slider', yAxisIndex: 0, filterMode: 'none', width: 14, right: 8, top: 36, bottom: mainBottom, showDataShadow: false },
      ]

  return {
    grid: grids,
    xAxis: xAxes,
    yAxis: yAxes,
    series,
    dataZoom,
    legend: p.compact
      ? undefined
      : {
          top: 4,
          right: 60,
          itemWidth: 14,
          itemHeight: 8,
          data: series.map((s) => s['name'] as string).filter((n, i, all) => all.indexOf(n) === i),
          textStyle: { color: COLORS.text },
        },
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (item: { value?: unknown }) => {
        const v = item.value as unknown[] | undefined
        const idx = v?.[2]
        return typeof idx === 'number' ? p.tooltip(idx) : ''
      },
    },
  }
}

/**
 * Points as one flat typed array (x, score, trial index per point): ECharts reads it as it is,
 * without copying and parsing 10,000 small arrays.
 */
export function packed(points: readonly ScorePoint[]): Record<string, unknown> {
  const flat = new Float64Array(points.length * 3)
  // Plain stores: `flat.set(p, i * 3)` is a call into the runtime per point.
  for (let i = 0, o = 0; i < points.length; i++, o += 3) {
    const p = points[i] as ScorePoint
    flat[o] = p[0]
    flat[o + 1] = p[1]
    flat[o + 2] = p[2]
  }
  return { data: flat, dimensions: ['x', 'y', 'trial'], encode: { x: 0, y: 1 } }
}

/** A strip row's points ([x, trial index]) packed like `packed`, on the row's category index. */
function stripPoints(points: ReadonlyArray<readonly [number, number]>, row: number): Record<string, unknown> {
  const flat = new Float64Array(points.length * 3)
  for (let i = 0, o = 0; i < points.length; i++, o += 3) {
    const p = points[i] as readonly [number, number]
    flat[o] = p[0]
    flat[o + 1] = row
    flat[o + 2] = p[1]
  }
  return { data: flat, dimensions: ['x', 'y', 'trial'], encode: { x: 0, y: 1 } }
}

/** How the marks of one row are thinned along this x axis. */
function rowAxis(x: XAxisSpec, columns: number | undefined): RowAxis {
  if (x.type === 'category') return { categorical: true, log: false }
  return {
    categorical: false,
    log: x.type === 'log',
    ...(columns !== undefined ? { columns } : {}),
    ...(x.min !== undefined ? { min: x.min } : {}),
    ...(x.max !== undefined ? { max: x.max } : {}),
  }
}

/** Axis labels: 4 significant digits, exponents for tiny or huge values. */
export function shortNumber(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v)
  const abs = Math.abs(v)
  if (abs >= 1e5 || abs < 1e-3) return v.toExponential(1).replace('e+', 'e')
  return String(Number(v.toPrecision(4)))
}
