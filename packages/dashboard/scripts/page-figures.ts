/**
 * The web app's figures, measured in headless Chromium (run by `pnpm bench dashboard-page`):
 * the bundle's size (app.js and echarts.js, minified, gzipped), a report's time to first paint, to every chart in the
 * first viewport drawn, to every chart drawn (those below the viewport draw in idle time) and to
 * the importance (medians of `reps` loads, with the renderer's CPU time, which a loaded machine
 * does not inflate the way it does wall time), the table's frame times while scrolling
 * 10,000 rows, and the live page's update latency (a trial pushed on the event stream until it
 * is in the history and the table).
 */
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'
import type { Browser, CDPSession, Page } from 'playwright-core'
import { renderReport, webAppDir, type SessionPageData } from '../src/index.js'
import { launchChromium, renderMarks, waitFirstView, waitRendered } from '../test/helpers/chromium.js'
import { fixtureSession } from '../test/helpers/fixture-session.js'
import { FixtureServer } from '../test/helpers/fixture-server.js'

/** The median of `values`. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

function bundle(): Record<string, number> {
  const kib = (n: number) => Math.round((n / 1024) * 10) / 10
  const js = readFileSync(join(webAppDir(), 'app.js'))
  const charts = readFileSync(join(webAppDir(), 'echarts.js'))
  const css = readFileSync(join(webAppDir(), 'app.css'))
  return {
    appJsKiB: kib(js.byteLength),
    appJsGzipKiB: kib(gzipSync(js, { level: 9 }).byteLength),
    echartsJsKiB: kib(charts.byteLength),
    echartsJsGzipKiB: kib(gzipSync(charts, { level: 9 }).byteLength),
    appCssKiB: kib(css.byteLength),
    appCssGzipKiB: kib(gzipSync(css, { level: 9 }).byteLength),
  }
}

/** CPU time (ms) used so far by `browser`'s renderer processes, all their threads. */
export async function rendererCpuMs(browser: Browser): Promise<number> {
  const cdp = await browser.newBrowserCDPSession()
  const info = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: Array<{ type: string; cpuTime: number }> }
  await cdp.detach()
  return info.processInfo.filter((p) => p.type === 'renderer').reduce((a, p) => a + p.cpuTime * 1000, 0)
}

async function reportLoad(browser: Browser, url: string): Promise<Record<string, number>> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  await page.goto('about:blank')
  const cpu0 = await rendererCpuMs(browser)
  await page.goto(url)
  await waitFirstView(page)
  const cpuFirstView = await rendererCpuMs(browser)
  await waitRendered(page)
  const cpu1 = await rendererCpuMs(browser)
  await page.waitForFunction(() => document.querySelector('.importance .note')?.getAttribute('data-state') === 'done', null, {
    timeout: 300_000,
  })
  const marks = await renderMarks(page)
  await page.close()
  return {
    firstPaintMs: marks['firstPaint'] ?? Number.NaN,
    firstViewMs: marks['firstView'] ?? Number.NaN,
    renderedMs: marks['rendered'] ?? Number.NaN,
    importanceMs: marks['importance'] ?? Number.NaN,
    cpuToFirstViewMs: cpuFirstView - cpu0,
    cpuToRenderedMs: cpu1 - cpu0,
  }
}

/** Main-thread time (script, style, layout) in ms, counted from `Performance.enable` on `cdp`. */
async function mainThreadMs(cdp: CDPSession): Promise<number> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> }
  const of = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0
  return (of('ScriptDuration') + of('RecalcStyleDuration') + of('LayoutDuration')) * 1000
}

/**
 * Scrolls the 10,000-row table 120 times by 2,400 px, one step per frame: frame intervals (which
 * a loaded machine stretches), and the page's own work per step (script, style, layout), which
 * says whether a frame fits in 16 ms on a machine of its own.
 */
async function scrollFrames(page: Page): Promise<Record<string, number>> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Performance.enable')
  const before = await mainThreadMs(cdp)
  const frames = await page.evaluate(async () => {
    const el = document.querySelector('.table-scroll') as HTMLElement
    const frames: number[] = []
    let maxRows = 0
    let last = performance.now()
    for (let i = 0; i < 120; i++) {
      el.scrollTop += 2400
      await new Promise<number>((r) => requestAnimationFrame(r))
      const now = performance.now()
      frames.push(now - last)
      last = now
      maxRows = Math.max(maxRows, el.querySelectorAll('tbody tr').length)
    }
    frames.sort((a, b) => a - b)
    return { p50FrameMs: frames[60] as number, p95FrameMs: frames[114] as number, maxFrameMs: frames[119] as number, maxRowsInDom: maxRows }
  })
  const work = (await mainThreadMs(cdp)) - before
  await cdp.detach()
  return { ...frames, workPerStepMs: Math.round(work / 12) / 10 }
}

async function liveLatency(browser: Browser, pushes: number): Promise<Record<string, number>> {
  const data = fixtureSession({ trials: 1000, sessionId: 'live', status: 'running' })
  const more = fixtureSession({ trials: 1000 + pushes, sessionId: 'live', status: 'running' }).trials.slice(1000)
  const server = new FixtureServer(new Map([['live', data]]))
  const base = await server.start()
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  const latencies: number[] = []
  try {
    await page.goto(`${base}?session=live`)
    await waitRendered(page)
    await page.waitForFunction(() => document.querySelector('.live')?.getAttribute('data-state') === 'open')
    for (const [i, trial] of more.entries()) {
      const pushedAt = Date.now()
      server.push('live', { type: 'trials', trials: [trial], session: data.session })
      const want = String(1001 + i)
      await page.waitForFunction(
        (n) =>
          document.querySelector('.chart-history')?.getAttribute('data-trials') === n &&
          document.querySelector('.trials .count')?.textContent === `${n} trials`,
        want,
        { polling: 'raf' },
      )
      latencies.push(Date.now() - pushedAt)
      await page.waitForTimeout(300)
    }
  } finally {
    await page.close()
    await server.stop()
  }
  return { medianMs: median(latencies), maxMs: Math.max(...latencies) }
}

/** Every figure, as `pnpm bench dashboard-page` prints it. */
export async function pageFigures(options: { reps?: number; sizes?: number[]; curves?: number } = {}): Promise<Record<string, unknown>> {
  const reps = options.reps ?? 3
  const dir = await mkdtemp(join(tmpdir(), 'cairn-page-'))
  const browser = await launchChromium()
  const loadAverage = loadavg().map((l) => Math.round(l * 10) / 10)
  try {
    const reports: Record<string, unknown> = {}
    let bigUrl = ''
    for (const trials of options.sizes ?? [1000, 10_000]) {
      // Every trial with a learning curve of 30 steps (pruned ones shorter): the curves view draws too.
      const data: SessionPageData = fixtureSession({ trials, withPruned: true, withOutlier: true, curves: options.curves ?? 30 })
      const file = join(dir, `report-${trials}.html`)
      const html = renderReport(data)
      await writeFile(file, html)
      bigUrl = pathToFileURL(file).href
      const runs: Array<Record<string, number>> = []
      for (let r = 0; r < reps; r++) runs.push(await reportLoad(browser, bigUrl))
      const keys = Object.keys(runs[0] ?? {})
      reports[String(trials)] = {
        fileKiB: Math.round(Buffer.byteLength(html) / 1024),
        ...Object.fromEntries(keys.map((k) => [k, Math.round(median(runs.map((x) => x[k] as number)))])),
      }
    }
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    await page.goto(bigUrl)
    await waitRendered(page)
    await page.waitForFunction(() => document.querySelector('.importance .note')?.getAttribute('data-state') === 'done', null, {
      timeout: 300_000,
    })
    const scrolling = await scrollFrames(page)
    await page.close()
    return { loadAverage, bundle: bundle(), reports, tableScroll: scrolling, liveUpdate: await liveLatency(browser, 10) }
  } finally {
    await browser.close()
    await rm(dir, { recursive: true, force: true })
  }
}
