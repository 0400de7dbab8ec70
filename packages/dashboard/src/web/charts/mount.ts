import { echarts, type EChartsType } from './echarts.js'
import { cancelDraw, enqueueDraw } from './queue.js'
import { renderTimings } from './timings.js'

/** An ECharts option object (typed loosely: each view builds its own). */
export type ChartOption = Record<string, unknown>

/** One chart in a container element, resized with it. */
export interface MountedChart {
  readonly chart: EChartsType
  /** Replaces the option (`notMerge`: series and axes are rebuilt from it), drawn in a task of its own. */
  set(option: ChartOption): void
  dispose(): void
}

/** Shared defaults: no animation (10,000 points must draw at once), the page's font. */
const BASE: ChartOption = {
  animation: false,
  textStyle: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
}

/**
 * Creates a canvas chart in `container`. `name` marks the chart's first complete render as the
 * performance mark `cairn:chart:<name>` (the page's render timings).
 */
export function mountChart(container: HTMLElement, name: string): MountedChart {
  const chart = echarts.init(container, null, { renderer: 'canvas' })
  renderTimings.expect(name)
  let drawn = false
  // ECharts also reports `finished` for the empty chart of `init`: only a drawn option counts.
  chart.on('finished', () => {
    if (drawn) renderTimings.done(name)
  })
  const resize = new ResizeObserver(() => chart.resize())
  resize.observe(container)
  const key = {}
  return {
    chart,
    set(option) {
      enqueueDraw(key, () => {
        drawn = true
        chart.setOption({ ...BASE, ...option }, { notMerge: true, lazyUpdate: false })
      })
    },
    dispose() {
      cancelDraw(key)
      resize.disconnect()
      chart.dispose()
    },
  }
}
