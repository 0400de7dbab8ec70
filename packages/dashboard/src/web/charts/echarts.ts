/**
 * Apache ECharts, loaded as a script of its own beside the page's. It is most of the code (about
 * 670 of 815 KiB), and a chart's first draw otherwise spends a large part of its time compiling
 * it, function by function, on the page's thread. As a script of its own, fetched (a report's
 * copy from a Blob URL made of its inline text, so still no request leaves the file) and marked
 * `//# allFunctionsCalledOnLoad`, Chromium compiles all of it on a background thread while the
 * page parses its data and lays itself out; V8-based browsers only, the others compile it as
 * before. A chart draws once it has run (`whenECharts`).
 */
import type * as EChartsCore from 'echarts/core'

/** The library (`echarts/core` with the parts the dashboard registers). */
export type ECharts = typeof EChartsCore
export type { EChartsType } from 'echarts/core'

/** Where the ECharts script puts the library. */
export const ECHARTS_GLOBAL = 'cairnECharts'
/** The event the ECharts script dispatches on `globalThis` once the library is there. */
export const ECHARTS_READY_EVENT = 'cairn:echarts-ready'
/** The id of the `<script type="text/plain">` element a report carries the ECharts script in. */
export const EMBEDDED_ECHARTS_ID = 'cairn-echarts'
/** The id of the `<script>` element a report's starter (render-report.ts) runs the library with, before the page's data. */
export const STARTED_ECHARTS_ID = 'cairn-echarts-script'

let loading: Promise<ECharts> | null = null

/** The library once its script has run, else null. */
export function loadedECharts(): ECharts | null {
  return ((globalThis as Record<string, unknown>)[ECHARTS_GLOBAL] as ECharts | undefined) ?? null
}

/**
 * Starts loading the ECharts script (once): a report's inline copy through a Blob URL, else
 * `echarts.js` beside the page. Resolves with the library once it has run.
 */
export function whenECharts(): Promise<ECharts> {
  if (loading) return loading
  loading = new Promise<ECharts>((resolve, reject) => {
    const ready = loadedECharts()
    if (ready) return resolve(ready)
    globalThis.addEventListener(ECHARTS_READY_EVENT, () => resolve(loadedECharts() as ECharts), { once: true })
    const fail = (): void => {
      const err = new Error('the charting library (echarts.js) could not be loaded: the charts cannot draw')
      console.error(err.message)
      reject(err)
    }
    // A report's starter already runs it: wait for that script.
    const started = document.getElementById(STARTED_ECHARTS_ID)
    if (started) {
      if (started.hasAttribute('data-failed')) fail()
      else started.addEventListener('error', fail, { once: true })
      return
    }
    const inline = document.getElementById(EMBEDDED_ECHARTS_ID)
    const script = document.createElement('script')
    const url = inline ? URL.createObjectURL(new Blob([inline.textContent ?? ''], { type: 'text/javascript' })) : null
    script.src = url ?? new URL('echarts.js', document.baseURI).href
    script.async = true
    script.onload = () => {
      if (url) URL.revokeObjectURL(url)
    }
    script.onerror = fail
    document.head.append(script)
  })
  return loading
}
