/**
 * The HTML report, opened in a real headless Chromium (Debian's `chromium` package driven by
 * playwright-core): the charts must be drawn with the right number of points, the page must
 * need no network, and a screenshot is saved to test/.artifacts/report.png for a person to look at.
 */
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createCairn, defineConfig, type Cairn } from '@cairn/cli'
import { renderReport } from '../src/report/html.js'
import { categorical, float, int, space, type TrialRecord } from './helpers/deps.js'

const CHROMIUM = '/usr/bin/chromium'
const artifacts = fileURLToPath(new URL('./.artifacts/', import.meta.url))
const TRIALS = 30

const config = defineConfig({
  store: 'memory:',
  jobs: {
    svm: {
      space: space({ c: float(1e-3, 1e3, { log: true }), degree: int(1, 5), kernel: categorical(['rbf', 'poly', 'linear']) }),
      objective: ({ c, degree, kernel }: { c: number; degree: number; kernel: string }) => {
        if (kernel === 'poly' && degree === 5) throw new Error('did not converge')
        return 0.6 + 0.3 * Math.exp(-((Math.log10(c) - 1) ** 2) / 2) - 0.02 * degree + (kernel === 'rbf' ? 0.05 : 0)
      },
      direction: 'maximize',
      maxTrials: TRIALS,
      maxErrors: TRIALS,
      seed: 11,
      optimizer: 'random',
    },
  },
})

let cairn: Cairn
let browser: Browser
let html: string
let trials: TrialRecord[]

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: the report test opens the report in headless Chromium. Install it with \`apt-get update && apt-get install -y chromium\` (Debian/Ubuntu).`,
    )
  cairn = createCairn(config)
  await (await cairn.start('svm', { sessionId: 'svm-report' })).wait()
  trials = await cairn.trials('svm-report')
  html = await cairn.report('svm-report')
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  })
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await cairn?.close()
})

describe('cairn report', () => {
  test('is one self-contained file: no external scripts, styles or images', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true)
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i)
    expect(html).not.toMatch(/@import|url\(/)
  })

  test('Chromium draws the history, the best-so-far line, one chart per parameter and the table', async () => {
    const ok = trials.filter((t) => t.status === 'ok')
    const errors = trials.filter((t) => t.status === 'error')
    expect(ok.length).toBeGreaterThan(10)
    expect(errors.length).toBeGreaterThan(0)

    await mkdir(artifacts, { recursive: true })
    const file = join(artifacts, 'report.html')
    await writeFile(file, html)
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const external: string[] = []
    await page.route('**/*', (route) => {
      const url = route.request().url()
      if (url.startsWith('file:') || url.startsWith('data:')) return route.continue()
      external.push(url)
      return route.abort()
    })
    const pageErrors: string[] = []
    page.on('pageerror', (e) => pageErrors.push(e.message))
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text())
    })
    await page.goto(pathToFileURL(file).href)

    const counts = await page.evaluate(() => {
      const q = (s: string) => document.querySelectorAll(s)
      const line = document.querySelector('svg.history > path.best-line') as SVGPathElement | null
      return {
        historyPoints: q('svg.history > g.points > circle.trial-point').length,
        errorMarks: q('svg.history > g.points > path.error-point').length,
        bestLines: q('svg.history > path.best-line').length,
        bestLineWidth: line?.getBBox().width ?? 0,
        bestLineLength: line?.getTotalLength() ?? 0,
        paramCharts: [...q('svg.param')].map((svg) => ({
          name: svg.getAttribute('data-param'),
          points: svg.querySelectorAll('circle.param-point').length,
        })),
        rows: q('table.trials tbody tr').length,
        bestRows: q('table.trials tbody tr.best').length,
      }
    })
    expect(counts.historyPoints).toBe(ok.length)
    expect(counts.errorMarks).toBe(errors.length)
    expect(counts.bestLines).toBe(1)
    expect(counts.bestLineWidth).toBeGreaterThan(500)
    expect(counts.bestLineLength).toBeGreaterThan(counts.bestLineWidth)
    expect(counts.paramCharts).toEqual([
      { name: 'c', points: ok.length },
      { name: 'degree', points: ok.length },
      { name: 'kernel', points: ok.length },
    ])
    expect(counts.rows).toBe(TRIALS)
    expect(counts.bestRows).toBe(1)

    // The best point sits on the best-so-far line's final level (the highest score: maximize).
    const best = await page.evaluate(() => {
      const c = document.querySelector('svg.history circle.trial-point.best') as SVGCircleElement
      const d = (document.querySelector('svg.history > path.best-line') as SVGPathElement).getAttribute('d') ?? ''
      const lastV = /V([\d.]+)H[\d.]+$/.exec(d)?.[1]
      return { cy: Number(c.getAttribute('cy')), lastLevel: Number(lastV) }
    })
    expect(best.cy).toBeCloseTo(best.lastLevel, 0)

    // Sorting the table by score (the inline script) puts the best trial first on the second click.
    await page.click('table.trials th:nth-child(3)')
    await page.click('table.trials th:nth-child(3)')
    const firstRow = await page.evaluate(() => document.querySelector('table.trials tbody tr')?.className)
    expect(firstRow).toBe('best')
    await page.click('table.trials th:nth-child(1)')

    // The head section names what a resume is checked against.
    const headText = await page.evaluate(() => document.querySelector('dl.head')?.textContent ?? '')
    expect(headText).toContain('@cairn/optimizers/random')
    expect(headText).toContain('seed11')
    expect(headText).toContain('warm-start exact key')

    await page.screenshot({ path: join(artifacts, 'report.png'), fullPage: true })
    expect(external).toEqual([])
    expect(pageErrors).toEqual([])
    await page.close()
  })

  test('a session with no trials yet still renders', () => {
    const empty = renderReport(
      {
        sessionId: 'empty',
        status: 'running',
        optimizer: { id: 'x', stateVersion: 1 },
        optimizerOptions: null,
        seed: 1,
        direction: 'minimize',
        createdAt: 0,
        updatedAt: 0,
        progress: { attempts: 0, completed: 0, errors: 0, bestScore: null, bestTrialIdx: null, startedAt: 0 },
        limits: { maxTrials: 10, maxErrors: 5, trialTimeoutMs: null, parallelism: 1 },
        optimizerState: new Uint8Array(),
        rngState: '',
        pending: [],
        revision: 0,
        lease: null,
      },
      [] satisfies TrialRecord[],
    )
    expect(empty).toContain('no trials yet')
  })
})
