import { type ChartOption, mountChart } from '../charts/mount.js'
import { shortNumber } from '../charts/score-plot.js'
import { COLORS } from '../charts/style.js'
import { h, section } from '../dom.js'
import { paramColumn, sharedScoreAxis } from '../model/derived.js'
import { parallelRows } from '../model/parallel-rows.js'
import type { SessionModel } from '../model/session-model.js'
import { isScored } from '../model/trials.js'
import type { ScoreScale, View } from './view.js'

/**
 * Parallel coordinates: one axis per parameter and one for the score, one line per scored
 * trial, coloured by score (better = darker). Drag along an axis to brush a range.
 */
export function parallelView(model: SessionModel, scale: ScoreScale): View {
  const { root, body } = section('Parallel coordinates', 'parallel')
  const box = h('div', { class: 'chart chart-parallel' })
  const note = h('p', { class: 'note' })
  body.append(box, note)
  const mounted = mountChart(box, 'parallel')

  function render(): void {
    mounted.set(option)
  }

  /** The chart's option, built when it draws (and the note that goes with it). */
  function option(): ChartOption {
    const axis = sharedScoreAxis(model, { log: false, clip: scale.clip })
    if (!axis || model.params.length === 0) {
      note.textContent = ''
      return {
        title: {
          text: axis ? 'no parameters to plot' : 'no scored trials yet',
          left: 'center',
          top: 'middle',
          textStyle: { fontSize: 13 },
        },
      }
    }
    const params = model.params
    const columns = params.map((p) => paramColumn(model, p))
    const data: number[][] = []
    model.trials.forEach((t, i) => {
      if (!isScored(t)) return
      const row: number[] = []
      for (const column of columns) {
        const v = column[i] as number
        if (Number.isNaN(v)) return
        row.push(v)
      }
      row.push(Math.min(axis.max, Math.max(axis.min, t.score)), t.trialIdx)
      data.push(row)
    })
    const all = data.length
    const maximize = model.session.direction === 'maximize'
    const { rows: shown, best } = parallelRows(data, maximize)
    note.textContent =
      shown.length < all
        ? `${shown.length} of ${all} scored trials: the ${best} best and an even sample of the others, the best drawn on top; drag along an axis to select a range.`
        : 'Scored trials, the best drawn on top; drag along an axis to select a range.'
    const parallelAxis = params.map((p, dim) =>
      p.kind === 'categorical'
        ? { dim, name: p.name, type: 'category', data: p.choices }
        : { dim, name: p.name, type: p.log && p.low > 0 ? 'log' : 'value', min: p.low, max: p.high },
    )
    const scoreDim = params.length
    parallelAxis.push({
      dim: scoreDim,
      name: 'score',
      type: 'value',
      min: axis.min,
      max: axis.max,
      axisLabel: { formatter: (v: number) => shortNumber(v) },
    } as (typeof parallelAxis)[number])
    return {
      parallel: {
        left: 40,
        right: 120,
        top: 40,
        bottom: 30,
        parallelAxisDefault: { nameTextStyle: { color: COLORS.text }, axisLabel: { color: COLORS.text, hideOverlap: true } },
      },
      parallelAxis,
      visualMap: {
        type: 'continuous',
        dimension: scoreDim,
        min: axis.min,
        max: axis.max,
        right: 4,
        top: 40,
        bottom: 30,
        itemHeight: 180,
        calculable: false,
        text: maximize ? ['better', 'worse'] : ['worse', 'better'],
        textStyle: { color: COLORS.text },
        inRange: { color: maximize ? ['#d7e3f4', '#08306b'] : ['#08306b', '#d7e3f4'] },
        show: true,
      },
      series: [
        {
          type: 'parallel',
          data: shown,
          lineStyle: { width: 1, opacity: shown.length > 500 ? 0.35 : 0.5 },
          // In one task: 1,000 lines draw in a few tens of ms, and each frame of a progressive draw waits for the next.
          progressive: 0,
          emphasis: { disabled: true },
          inactiveOpacity: 0.03,
          activeOpacity: 0.8,
        },
      ],
    }
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
      mounted.dispose()
    },
  }
}
