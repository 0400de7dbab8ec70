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
import { paretoSplit } from '../src/web/model/pareto.js'
import { paretoFront } from '@cairn/core'

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

  test('starts the charting library before the session data, so it compiles while the page parses them', () => {
    const html = renderReport(fixtureSession({ trials: 20 }))
    const library = html.indexOf('id="cairn-echarts"')
    const starter = html.indexOf("s.id='cairn-echarts-script'")
    const data = html.indexOf('id="cairn-data"')
    expect(library).toBeGreaterThan(0)
    expect(starter).toBeGreaterThan(library)
    expect(data).toBeGreaterThan(starter)
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
  const data = fixtureSession({ trials: TRIALS, withPruned: true, withOutlier: true, curves: 30 })

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

    // Every chart, scrolled to one view after the other: each draws once it is in view (or before, in the tasks that draw the charts below the viewport).
    for (const view of ['history', 'slices', 'curves', 'parallel', 'contour', 'importance', 'trials', 'head'])
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
    // Ten charts and the trial table's first rows.
    expect(drawOrder).toHaveLength(11)
    expect(drawOrder).toContain('table')
    expect(new Set(drawOrder.slice(0, chartsInView.length))).toEqual(new Set(chartsInView))

    const views = await page.evaluate(() => [...document.querySelectorAll('section.view')].map((s) => (s as HTMLElement).dataset['view']))
    expect(views).toEqual(['history', 'slices', 'curves', 'parallel', 'contour', 'importance', 'trials', 'head'])
    // 10,000 curves: the lines drawn are capped, the best trial's among them, and the note says which.
    const curves = await page.evaluate(() => {
      const el = document.querySelector('.chart-curves') as HTMLElement
      return { ...el.dataset, note: document.querySelector('.curves .note')?.textContent }
    })
    const withCurves = data.trials.filter((t) => t.intermediate?.length).length
    expect(curves).toMatchObject({
      curves: String(withCurves),
      lines: '400',
      groups: 'ok,pruned,error,best',
      best: String(data.session.progress.bestTrialIdx),
      note: `400 of ${withCurves} curves: the 100 best finished trials and an even sample of the others.`,
    })
    // No controls in a report: nothing may be written from it.
    expect(await page.locator('.controls').count()).toBe(0)

    const history = await page.evaluate(() => {
      const el = document.querySelector('.chart-history') as HTMLElement
      return { trials: el.dataset['trials'], statuses: el.dataset['statuses'], canvas: el.querySelectorAll('canvas').length }
    })
    // Failed trials and a status this version does not write yet (`pruned`) both get a row under the chart.
    // (The history lists them in the order they first occur: this session prunes trial 1.)
    expect(history).toEqual({ trials: String(TRIALS), statuses: 'pruned,error', canvas: 1 })
    const slices = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('.chart-slice')].map((e) => [e.dataset['param'], e.dataset['statuses']]),
    )
    expect(slices).toEqual(['nEstimators', 'maxFeatures', 'maxDepth', 'minNumSamples', 'replacement'].map((p) => [p, 'pruned,error']))

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

describe('the learning curves of a report', () => {
  test('one line per trial, pruned trials apart, the best on top; the log toggle redraws; the table has the last step and the exports the curves', async () => {
    const data = fixtureSession({ trials: 200, withPruned: true, curves: 12 })
    const pruned = data.trials.filter((t) => t.status === 'pruned')
    expect(pruned.length).toBeGreaterThan(0)
    const html = renderReport(data)
    // The curves are embedded packed (arrays) in an element of their own, not as `{ step, value }` objects in the records.
    const embedded = JSON.parse(
      /<script type="application\/json" id="cairn-data">(.*?)<\/script>/s.exec(html)?.[1] ?? 'null',
    ) as SessionPageData
    expect(embedded.trials.some((t) => t.intermediate !== undefined)).toBe(false)
    expect(embedded.curves).toBeUndefined()
    const curves = JSON.parse(
      /<script type="application\/json" id="cairn-curves">(.*?)<\/script>/s.exec(html)?.[1] ?? 'null',
    ) as SessionPageData['curves']
    expect(curves?.length).toBe(200)
    expect(curves?.[0]).toEqual([0, 0, data.trials[0]?.intermediate?.map((p) => p.value)])
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })
    const watch = watchPage(page)
    await page.goto(await writeReport('curves.html', data))
    await scrollToDrawn(page, 'section.view[data-view=curves]')
    const chart = page.locator('.chart-curves')
    expect(await chart.getAttribute('data-curves')).toBe('200')
    expect(await chart.getAttribute('data-lines')).toBe('200')
    expect(await chart.getAttribute('data-groups')).toBe('ok,pruned,error,best')
    expect(await chart.getAttribute('data-best')).toBe(String(data.session.progress.bestTrialIdx))
    expect(await page.locator('.curves .note').textContent()).toBe('200 curves; pruned trials dashed.')
    expect(await page.locator('.chart-curves canvas').count()).toBe(1)
    // The pruned count and the pruner beside the optimizer.
    expect(await page.locator('[data-card=pruned] .v').textContent()).toBe(String(pruned.length))
    expect(await page.locator('.page-header .sub').textContent()).toContain('pruner @cairn/optimizers/median-pruner {"nStartupTrials":5')
    // Hovering a point of a curve names its trial, step and value.
    const box = (await chart.boundingBox()) as { x: number; y: number; width: number; height: number }
    let tip = ''
    const tipText = () => chart.evaluate((el) => [...el.querySelectorAll('div')].map((d) => d.textContent).join(''))
    for (let x = box.x + 70; x < box.x + box.width - 30 && !tip.includes('step'); x += 15)
      for (let y = box.y + 40; y < box.y + box.height - 50 && !tip.includes('step'); y += 4) {
        await page.mouse.move(x, y)
        tip = await tipText()
      }
    expect(tip).toMatch(/^trial \d+.*step \d+: 0\.\d+\d+ reports, last step \d+$/)
    await page.click('[data-control=curves-log]')
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-chart=curves]')?.dataset['draw'] === 'done')
    expect(await page.locator('[data-control=curves-log]').isChecked()).toBe(true)

    await waitRendered(page)
    await page.selectOption('[data-control=status-filter]', 'pruned')
    expect(await page.locator('.trials .count').textContent()).toBe(`${pruned.length} of 200 trials`)
    const csvDownload = page.waitForEvent('download')
    await page.click('[data-action=export-csv]')
    const lines = (await readFile((await (await csvDownload).path()) as string, 'utf8')).trim().split('\n')
    expect(lines[0]?.split(',').slice(0, 6)).toEqual(['trial', 'status', 'score', 'best so far', 'duration (ms)', 'last step'])
    const byIdx = new Map(pruned.map((t) => [t.trialIdx, t]))
    for (const line of lines.slice(1)) {
      const cells = line.split(',')
      const t = byIdx.get(Number(cells[0]))
      expect(cells[1]).toBe('pruned')
      expect(Number(cells[5])).toBe(t?.intermediate?.at(-1)?.step)
    }
    const jsonDownload = page.waitForEvent('download')
    await page.click('[data-action=export-json]')
    const exported = JSON.parse(await readFile((await (await jsonDownload).path()) as string, 'utf8')) as typeof data.trials
    expect(new Map(exported.map((t) => [t.trialIdx, t.intermediate]))).toEqual(new Map(pruned.map((t) => [t.trialIdx, t.intermediate])))
    expect(watch.errors).toEqual([])
    await page.close()
  })

  test('no trial with intermediate values: no curves view, no chart, no last-step column', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const watch = watchPage(page)
    await page.goto(await writeReport('no-curves.html', fixtureSession({ trials: 60, withPruned: true })))
    await waitRendered(page)
    expect(await page.locator('section.view[data-view=curves]').isHidden()).toBe(true)
    expect(await page.locator('[data-chart=curves]').count()).toBe(0)
    expect(await page.locator('table.trials thead th[data-col=lastStep]').count()).toBe(0)
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

describe('the Pareto front of a multi-objective report', () => {
  test('the front is drawn above the history, the cards and the table follow the objectives, the exports carry values, constraints and attrs', async () => {
    const data = fixtureSession({ trials: 300, objectives: 2, constrained: true })
    const split = paretoSplit(data.trials, ['maximize', 'minimize'])
    // Brute force: a feasible finished trial is on the front when no other feasible one dominates it.
    const feasible = data.trials.filter((t) => t.status === 'ok' && (t.constraints?.[0] ?? 0) <= 0)
    const better = (a: number[], b: number[]) => a[0]! >= b[0]! && a[1]! <= b[1]! && (a[0]! > b[0]! || a[1]! < b[1]!)
    const front = feasible.filter((t) => !feasible.some((o) => better(o.values!, t.values!))).map((t) => t.trialIdx)
    expect(front.length).toBeGreaterThan(2)
    expect(split.front.map((t) => t.trialIdx)).toEqual(front)
    // The page's front follows core's rules (the browser bundle cannot import core itself).
    expect(paretoFront(data.trials, ['maximize', 'minimize']).map((t) => t.trialIdx)).toEqual(front)

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })
    const watch = watchPage(page)
    await page.goto(await writeReport('pareto.html', data))
    await waitRendered(page)
    const views = await page.evaluate(() => [...document.querySelectorAll('section.view')].map((s) => (s as HTMLElement).dataset['view']))
    expect(views[0]).toBe('pareto')
    const chart = page.locator('.chart-pareto')
    expect(await chart.getAttribute('data-front-trials')).toBe(front.join(','))
    const infeasible = data.trials.filter((t) => t.status === 'ok' && (t.constraints?.[0] ?? 0) > 0).length
    expect(infeasible).toBeGreaterThan(0)
    expect(await chart.getAttribute('data-infeasible')).toBe(String(infeasible))
    expect(await page.locator('[data-card="Pareto front"] .v').textContent()).toBe(`${front.length} trials`)
    expect(await page.locator('.page-header .sub').textContent()).toContain('maximize × minimize')
    expect(await page.locator('.chart-pareto canvas').count()).toBe(1)
    // Two objectives: no axis pickers.
    expect(await page.locator('[data-control=pareto-x]').count()).toBe(0)

    const csvDownload = page.waitForEvent('download')
    await page.click('[data-action=export-csv]')
    const lines = (await readFile((await (await csvDownload).path()) as string, 'utf8')).trim().split('\n')
    expect(lines[0]?.split(',').slice(0, 6)).toEqual(['trial', 'status', 'objective 1 (max)', 'objective 2 (min)', 'violation', 'attrs'])
    const first = data.trials.find((t) => t.status === 'ok')!
    const row = lines.find((l) => l.startsWith(`${first.trialIdx},`))!
    expect(row).toContain(`${first.trialIdx},ok,${first.values![0]},${first.values![1]},${first.constraints![0]}`)
    const jsonDownload = page.waitForEvent('download')
    await page.click('[data-action=export-json]')
    const exported = JSON.parse(await readFile((await (await jsonDownload).path()) as string, 'utf8')) as typeof data.trials
    expect(exported.find((t) => t.trialIdx === first.trialIdx)).toMatchObject({
      values: first.values,
      constraints: first.constraints,
      attrs: first.attrs,
    })
    expect(watch.errors).toEqual([])
    await page.close()
  })

  test('three objectives: the axes are picked above the chart and the chart redraws', async () => {
    const data = fixtureSession({ trials: 120, objectives: 3 })
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const watch = watchPage(page)
    await page.goto(await writeReport('pareto-3.html', data))
    await waitRendered(page)
    expect(await page.locator('[data-control=pareto-x] option').count()).toBe(3)
    const split = paretoSplit(data.trials, ['maximize', 'minimize', 'minimize'])
    expect(await page.locator('.chart-pareto').getAttribute('data-front')).toBe(String(split.front.length))
    await page.selectOption('[data-control=pareto-y]', '2')
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-chart=pareto]')?.dataset['draw'] === 'done')
    expect(await page.locator('.chart-pareto').getAttribute('data-front')).toBe(String(split.front.length))
    expect(watch.errors).toEqual([])
    await page.close()
  })
})
