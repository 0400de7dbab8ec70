import { type ECharts, type EChartsType, loadedECharts } from './echarts.js'
import { cancelDraw, enqueueDraw, observeChart, unobserveChart } from './queue.js'
import { renderTimings } from './timings.js'

/** An ECharts option object (typed loosely: each view builds its own). */
export type ChartOption = Record<string, unknown>

/** One chart in a container element, resized with it. */
export interface MountedChart {
  /** The container element. */
  readonly el: HTMLElement
  /**
   * Queues a draw: `build` makes the option (`notMerge`: series and axes are rebuilt from it)
   * when the chart's turn comes, or ahead while the charting library loads (see `enqueueDraw`),
   * so a chart out of view costs nothing until it is due, and a chart set twice before its turn
   * builds only the latest option.
   */
  set(build: () => ChartOption): void
  dispose(): void
}

/** Shared defaults: no animation (10,000 points must draw at once), the page's font. */
const BASE: ChartOption = {
  animation: false,
  textStyle: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
}

/**
 * A canvas chart in `container`, created on its first draw. `name` marks the chart's first
 * complete render as the performance mark `cairn:chart:<name>` (the page's render timings).
 * The container's `data-chart` is `name`; its `data-draw` says `queued` while a draw waits and
 * `done` once the chart shows its latest option (tests and the screenshots wait for it).
 */
export function mountChart(container: HTMLElement, name: string): MountedChart {
  let chart: EChartsType | null = null
  let resize: ResizeObserver | null = null
  let drawn = false
  container.dataset['chart'] = name
  renderTimings.expect(name, container)
  observeChart(container)
  const key = {}

  function init(echarts: ECharts): EChartsType {
    const c = echarts.init(container, null, { renderer: 'canvas' })
    // ECharts also reports `finished` for the empty chart of `init`: only a drawn option counts.
    c.on('finished', () => {
      if (!drawn || container.dataset['draw'] !== 'drawing') return
      container.dataset['draw'] = 'done'
      renderTimings.done(name)
    })
    // The observer also reports the size the chart was created with: redrawing for it would double the first draw.
    resize = new ResizeObserver(() => {
      if (container.clientWidth !== c.getWidth() || container.clientHeight !== c.getHeight()) c.resize()
    })
    resize.observe(container)
    return c
  }

  return {
    el: container,
    set(build) {
      container.dataset['draw'] = 'queued'
      // Built ahead while the charting library loads, else when the chart draws.
      let prepared: ChartOption | null = null
      enqueueDraw(
        key,
        container,
        () => {
          // The queue holds the draws until the library's script has run (session-page.ts): absent, it failed to load.
          const echarts = loadedECharts()
          if (!echarts) {
            container.dataset['draw'] = 'failed'
            return
          }
          const option = prepared ?? build()
          prepared = null
          chart ??= init(echarts)
          drawn = true
          container.dataset['draw'] = 'drawing'
          chart.setOption({ ...BASE, ...option }, { notMerge: true, lazyUpdate: false })
        },
        !drawn,
        {
          prepare: () => {
            prepared = build()
          },
        },
      )
    },
    dispose() {
      cancelDraw(key)
      unobserveChart(container)
      resize?.disconnect()
      chart?.dispose()
    },
  }
}
