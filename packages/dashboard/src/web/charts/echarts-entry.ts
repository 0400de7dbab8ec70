/**
 * The parts of Apache ECharts the dashboard uses, registered once: importing `echarts/core` and
 * only these keeps the rest of the library out of the bundle. Built as a script of its own
 * (`echarts.js`, see scripts/build-web.mjs), which the page loads beside its own (`./echarts.js`)
 * and which hands the library over as `globalThis.cairnECharts`.
 */
import { BarChart, CustomChart, LineChart, ParallelChart, ScatterChart } from 'echarts/charts'
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  ParallelComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components'
import * as echarts from 'echarts/core'
import { ScatterJitter } from 'echarts/features'
import { CanvasRenderer } from 'echarts/renderers'
import { ECHARTS_GLOBAL, ECHARTS_READY_EVENT } from './echarts.js'

echarts.use([
  LineChart,
  ScatterChart,
  ParallelChart,
  CustomChart,
  BarChart,
  GridComponent,
  TooltipComponent,
  DataZoomComponent,
  VisualMapComponent,
  ParallelComponent,
  LegendComponent,
  ScatterJitter,
  CanvasRenderer,
])

;(globalThis as Record<string, unknown>)[ECHARTS_GLOBAL] = echarts
globalThis.dispatchEvent(new Event(ECHARTS_READY_EVENT))
