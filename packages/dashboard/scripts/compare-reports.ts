/**
 * Two (or more) versions of the session page, loaded alternately in headless Chromium, so that
 * a change is measured against the version before it under the same load (the machine is
 * shared: only differences within one series count):
 *
 *   node --conditions=@cairn/source --import tsx packages/dashboard/scripts/compare-reports.ts --write before.html
 *   (make the change, `pnpm --filter @cairn/dashboard build`)
 *   node --conditions=@cairn/source --import tsx packages/dashboard/scripts/compare-reports.ts --write after.html
 *   node --conditions=@cairn/source --import tsx packages/dashboard/scripts/compare-reports.ts --loads 7 before.html after.html
 *
 * `--write <file>` writes the 10,000-trial report of `pnpm bench dashboard-page` (30-step
 * learning curves, pruned and failed trials, an outlier) with the web app as built now. Given
 * report files, it loads them in turn `--loads` times (default 5) and prints, for each, the
 * medians (and every load) of the render marks (ms from navigation start: first paint, charts
 * in view drawn, every chart drawn, each chart's first draw) and of the renderer's CPU time until
 * every chart has drawn (all its threads: workers and V8's background compiles included). It
 * prints the load average before and after, and any console error.
 */
import { writeFile } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Browser } from 'playwright-core'
import { renderReport } from '../src/index.js'
import { launchChromium, renderMarks, waitRendered, watchPage } from '../test/helpers/chromium.js'
import { fixtureSession } from '../test/helpers/fixture-session.js'
import { median, rendererCpuMs } from './page-figures.js'

/** One load of `url`: its render marks and the renderer's CPU time until every chart has drawn. */
async function load(browser: Browser, url: string, errors: string[]): Promise<Record<string, number>> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  const watch = watchPage(page)
  await page.goto('about:blank')
  const cpu0 = await rendererCpuMs(browser)
  await page.goto(url)
  await waitRendered(page)
  const cpu = (await rendererCpuMs(browser)) - cpu0
  const marks = await renderMarks(page)
  const charts = await page.evaluate(() =>
    performance
      .getEntriesByType('mark')
      .filter((m) => m.name.startsWith('cairn:chart:'))
      .map((m) => [m.name.slice('cairn:chart:'.length), m.startTime] as const),
  )
  await page.close()
  errors.push(...watch.errors)
  return {
    firstPaint: marks['firstPaint'] ?? Number.NaN,
    firstView: marks['firstView'] ?? Number.NaN,
    rendered: marks['rendered'] ?? Number.NaN,
    cpuToRendered: cpu,
    ...Object.fromEntries(charts),
  }
}

async function main(args: string[]): Promise<void> {
  const at = args.indexOf('--write')
  if (at >= 0) {
    const file = resolve(args[at + 1] ?? 'report-10000.html')
    await writeFile(file, renderReport(fixtureSession({ trials: 10_000, withPruned: true, withOutlier: true, curves: 30 })))
    console.log(`wrote ${file}`)
    return
  }
  const li = args.indexOf('--loads')
  const loads = li >= 0 ? Number(args[li + 1]) : 5
  const files = args.filter((a, i) => !a.startsWith('--') && (li < 0 || i !== li + 1)).map((f) => resolve(f))
  if (files.length === 0 || !(loads > 0)) throw new Error('usage: compare-reports.ts [--loads N] a.html b.html … | --write out.html')
  const browser = await launchChromium()
  const runs = new Map<string, Array<Record<string, number>>>(files.map((f) => [f, []]))
  const errors: string[] = []
  const round = (v: number): string => String(Math.round(v))
  console.log(
    `load average before: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  )
  try {
    for (let r = 0; r < loads; r++) for (const f of files) runs.get(f)?.push(await load(browser, pathToFileURL(f).href, errors))
  } finally {
    await browser.close()
  }
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  )
  for (const [file, results] of runs) {
    console.log(`\n${file} (median, then each load, ms)`)
    for (const key of Object.keys(results[0] ?? {})) {
      const values = results.map((x) => x[key] ?? Number.NaN)
      console.log(`  ${key.padEnd(22)} ${round(median(values)).padStart(6)}   ${values.map(round).join(' ')}`)
    }
  }
  if (errors.length > 0) console.log(`\nconsole errors:\n${errors.join('\n')}`)
}

await main(process.argv.slice(2))
