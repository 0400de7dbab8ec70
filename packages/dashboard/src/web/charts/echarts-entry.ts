/**
 * The parts of Apache ECharts the dashboard uses, registered once: importing `echarts/core` and
 * only these keeps the rest of the library out of the bundle.
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

export { echarts }
export type { EChartsType } from 'echarts/core'
