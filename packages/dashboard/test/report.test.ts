/**
 * The report (`renderReport`): one self-contained HTML file that Chromium renders without a
 * single network request, with every view of the session page; a 10,000-trial session draws the
 * charts in view first and the others lazily (the times are measured and printed, not asserted)
 * and its table stays virtualized.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { renderReport, type SessionPageData } from '../src/index.js'
import { launchChromium, renderMarks, scrollToDrawn, waitFirstView, waitRendered, watchPage } from './helpers/chromium.js'
import { fixtureSession } from './helpers/fixture-session.js'

const artifacts = fileURLToPath(new URL('./.artifacts/', import.meta.url))
let browser: Browser

beforeAll(async () => {
  browser = await launchChromium()
  await mkdir(artifacts, { recursive: true })
}, 60_000)

afterAll(async () => {
  await browser?.close()
})

async function writeReport(name: string, data: SessionPageData): Promise<string> {
  const file = join(artifacts, name)
  await writeFile(file, renderReport(data))
  return pathToFileURL(file).href
}

describe('renderReport', () => {
  test('is one file: the data inline, no script, style or image from elsewhere', () => {
    const html = renderReport(fixtureSession({ trials: 20 }))
    expect(html.startsWith('<!doctype html>')).toBe(true)
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i)
    expect(html).not.toMatch(/<link\b|<script\s+src/i)
    expect(html).not.toMatch(/@import|url\((?!#)/)
  })

  test('embeds data that would close a script element as inert JSON', async () => {
    const data = fixtureSession({ trials: 5 })
    const hostile = '</script><script>document.title="owned"</script><!--'
    data.trials[1] = {
      ...(data.trials[1] as SessionPageData['trials'][number]),
      status: 'error',
      error: { name: 'Error', message: hostile },
    }
    data.session.name = '<b>bold</b>'
    const html = renderReport(data)
    expect(html).not.toContain(hostile)
    const page = await browser.newPage()
    const watch = watchPage(page)
    await page.goto(await writeReport('hostile.html', data))
    await waitRendered(page)
    const seen = await page.evaluate(() => ({
      title: document.title,
      embedded: JSON.parse(document.getElementById('cairn-data')?.textContent ?? 'null').trials[1].error.message,
      heading: document.querySelector('h1 code')?.textContent,
    }))
    expect(seen).toEqual({ title: expect.stringContaining('<b>bold</b>'), embedded: hostile, heading: '<b>bold</b>' })
    expect(watch.errors).toEqual([])
    await page.close()
  })

  test('refuses data of the wrong shape with an error naming the field', () => {
    expect(() => renderReport({ trials: [] } as unknown as SessionPageData)).toThrow(/data\.session/)
    expect(() => renderReport({ ...fixtureSession({ trials: 1 }), trials: null } as unknown as SessionPageData)).toThrow(/data\.trials/)
  })
})

describe('a report of 10,000 trials in Chromium', () => {
  const TRIALS = 10_000
  const data = fixtureSession({ trials: TRIALS, withPruned: true, withOutlier: true })

  test('draws the charts in view first, then every view with no request and no console error; the table holds a bounded number of rows and scrolls', async () => {
    const url = await writeReport('report-10000.html', data)
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const watch = watchPage(page)
    await page.goto(url)
    await waitFirstView(page)
    const chartsInView = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('[data-chart]')]
        .filter((el) => {
          const r = el.getBoundingClientRect()
          return r.top < window.innerHeight && r.bottom > 0
        })
        .map((el) => el.dataset['chart']),
    )
    // The first viewport (1280 × 900) holds the history and the first row of slices.
    expect(chartsInView).toEqual(['history', 'slice:nEstimators', 'slice:maxFeatures', 'slice:maxDepth'])

    // Every chart, scrolled to one view after the other: each draws once it is in view (or in idle time before).
    for (const view of ['history', 'slices', 'parallel', 'contour', 'importance', 'trials', 'head'])
      await scrollToDrawn(page, `section.view[data-view=${view}]`)
    await waitRendered(page)
    const marks = await renderMarks(page)
    console.log(
      `[dashboard] report of ${TRIALS} trials: first paint ${marks['firstPaint']?.toFixed(0)} ms, charts in view drawn ${marks['firstView']?.toFixed(0)} ms, every chart ${marks['rendered']?.toFixed(0)} ms after navigation start`,
    )
    expect(marks['firstPaint']).not.toBeNull()
    expect(marks['firstView']).toBeGreaterThanOrEqual(marks['firstPaint'] as number)
    expect(marks['rendered']).toBeGreaterThanOrEqual(marks['firstView'] as number)
    // The charts in view drew before any below them.
    const drawOrder = await page.evaluate(() =>
      performance
        .getEntriesByType('mark')
        .filter((m) => m.name.startsWith('cairn:chart:'))
        .map((m) => m.name.slice('cairn:chart:'.length)),
    )
    // Nine charts and the trial table's first rows.
    expect(drawOrder).toHaveLength(10)
    expect(drawOrder).toContain('table')
    expect(new Set(drawOrder.slice(0, chartsInView.length))).toEqual(new Set(chartsInView))

    const views = await page.evaluate(() => [...document.querySelectorAll('section.view')].map((s) => (s as HTMLElement).dataset['view']))
    expect(views).toEqual(['history', 'slices', 'parallel', 'contour', 'importance', 'trials', 'head'])
    // No controls in a report: nothing may be written from it.
    expect(await page.locator('.controls').count()).toBe(0)

    const history = await page.evaluate(() => {
      const el = document.querySelector('.chart-history') as HTMLElement
      return { trials: el.dataset['trials'], statuses: el.dataset['statuses'], canvas: el.querySelectorAll('canvas').length }
    })
    // Failed trials and a status this version does not write yet (`pruned`) both get a row under the chart.
    expect(history).toEqual({ trials: String(TRIALS), statuses: 'error,pruned', canvas: 1 })
    const slices = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('.chart-slice')].map((e) => [e.dataset['param'], e.dataset['statuses']]),
    )
    expect(slices).toEqual(['nEstimators', 'maxFeatures', 'maxDepth', 'minNumSamples', 'replacement'].map((p) => [p, 'error,pruned']))

    // The importance comes from the worker, after the charts.
    await page.waitForFunction(() => document.querySelector('.importance .note')?.getAttribute('data-state') === 'done', null, {
      timeout: 120_000,
    })
    const importanceMs = (await renderMarks(page))['importance']
    console.log(`[dashboard] importance of ${TRIALS} trials ready ${importanceMs?.toFixed(0)} ms after navigation start (in a worker)`)
    expect(await page.locator('.importance .note').textContent()).toMatch(/random forest of \d+ trees/)

    // Virtualized: a few dozen rows in the document, however many trials.
    const rows = () => page.evaluate(() => document.querySelectorAll('table.trials tbody tr:not(.pad)').length)
    expect(await rows()).toBeGreaterThan(10)
    expect(await rows()).toBeLessThan(80)
    expect(await page.locator('.trials .count').textContent()).toBe(`${TRIALS} trials`)
    // Sorted by score, best first (the session maximizes): the first row is the best trial.
    const best = data.session.progress.bestTrialIdx
    expect(await page.locator('table.trials tbody tr:not(.pad)').first().getAttribute('data-trial')).toBe(String(best))
    await page.locator('.table-scroll').evaluate((el) => {
      el.scrollTop = el.scrollHeight
    })
    await page.waitForFunction(() => {
      const shown = [...document.querySelectorAll('table.trials tbody tr:not(.pad)')]
      return shown.length > 0 && shown.length < 80 && shown[shown.length - 1]?.classList.contains('not-ok')
    })
    expect(await rows()).toBeLessThan(80)

    // A chart out of view that already drew waits for its new option until it is scrolled to.
    await page.evaluate(() => window.scrollTo(0, 0))
    await page.click('[data-control=clip]')
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-chart=history]')?.dataset['draw'] === 'done')
    const hiddenSlice = page.locator('[data-chart="slice:replacement"]')
    expect(await hiddenSlice.getAttribute('data-draw')).toBe('queued')
    await scrollToDrawn(page, 'section.view[data-view=slices]')
    expect(await hiddenSlice.getAttribute('data-draw')).toBe('done')

    await page.screenshot({ path: join(artifacts, 'report-10000.png'), fullPage: true })
    // The only request is the file itself, plus the in-memory Blob the importance worker starts from.
    expect(watch.requests.filter((r) => !r.startsWith('blob:'))).toEqual([url])
    expect(watch.errors).toEqual([])
    await page.close()
  })
})

describe('the trial table of a report', () => {
  test('filters by status and text, sorts by a column, exports what it shows as CSV and JSON', async () => {
    const data = fixtureSession({ trials: 120, withPruned: true })
    const errors = data.trials.filter((t) => t.status === 'error')
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })
    const watch = watchPage(page)
    await page.goto(await writeReport('table.html', data))
    await waitRendered(page)

    await page.selectOption('[data-control=status-filter]', 'error')
    expect(await page.locator('.trials .count').textContent()).toBe(`${errors.length} of 120 trials`)
    const csvDownload = page.waitForEvent('download')
    await page.click('[data-action=export-csv]')
    const csv = await readFile((await (await csvDownload).path()) as string, 'utf8')
    const lines = csv.trim().split('\n')
    expect(lines[0]).toBe('trial,status,score,best so far,duration (ms),nEstimators,maxFeatures,maxDepth,minNumSamples,replacement,error')
    expect(lines.slice(1).map((l) => l.split(',')[1])).toEqual(errors.map(() => 'error'))

    await page.selectOption('[data-control=status-filter]', '')
    await page.fill('[data-control=text-filter]', 'out of memory')
    const matching = data.trials.filter((t) => t.error?.message.includes('out of memory'))
    expect(await page.locator('.trials .count').textContent()).toBe(`${matching.length} of 120 trials`)
    await page.fill('[data-control=text-filter]', '')

    // Sort by trial index, then the other way.
    await page.click('table.trials th[data-col=trialIdx]')
    expect(await page.locator('table.trials tbody tr:not(.pad)').first().getAttribute('data-trial')).toBe('0')
    await page.click('table.trials th[data-col=trialIdx]')
    expect(await page.locator('table.trials tbody tr:not(.pad)').first().getAttribute('data-trial')).toBe('119')
    const jsonDownload = page.waitForEvent('download')
    await page.click('[data-action=export-json]')
    const exported = JSON.parse(await readFile((await (await jsonDownload).path()) as string, 'utf8')) as Array<{ trialIdx: number }>
    expect(exported.map((t) => t.trialIdx)).toEqual(data.trials.map((t) => t.trialIdx).reverse())
    expect(watch.errors).toEqual([])
    await page.close()
  })
})
