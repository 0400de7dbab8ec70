/**
 * `cairn report`: the dashboard's session page as one self-contained HTML file, opened in a real
 * headless Chromium (Debian's `chromium` package driven by playwright-core): every view renders
 * from the session's own trials, the page makes no network request, and a screenshot is saved to
 * test/.artifacts/report.png for a person to look at.
 */
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createCairn, defineConfig, type Cairn } from '@cairn/cli'
import { renderReport, sessionView } from '@cairn/dashboard'
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
    expect(html).not.toMatch(/<link\b|<script\s+src/i)
  })

  test('Chromium shows the session page: history, one slice per parameter, parallel coordinates, contour, importance, the table and the head', async () => {
    const ok = trials.filter((t) => t.status === 'ok')
    const errors = trials.filter((t) => t.status === 'error')
    expect(ok.length).toBeGreaterThan(10)
    expect(errors.length).toBeGreaterThan(0)

    await mkdir(artifacts, { recursive: true })
    const file = join(artifacts, 'report.html')
    await writeFile(file, html)
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const requests: string[] = []
    page.on('request', (r) => requests.push(r.url()))
    const pageErrors: string[] = []
    page.on('pageerror', (e) => pageErrors.push(e.message))
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text())
    })
    await page.goto(pathToFileURL(file).href)
    await page.waitForFunction(() => document.documentElement.dataset['rendered'] === 'true', null, { timeout: 60_000 })

    const seen = await page.evaluate(() => ({
      views: [...document.querySelectorAll<HTMLElement>('section.view:not([hidden])')].map((s) => s.dataset['view']),
      history: (document.querySelector('.chart-history') as HTMLElement).dataset,
      slices: [...document.querySelectorAll<HTMLElement>('.chart-slice')].map((e) => ({
        param: e.dataset['param'],
        scored: e.dataset['scored'],
      })),
      count: document.querySelector('.trials .count')?.textContent,
      firstRow: document.querySelector('table.trials tbody tr:not(.pad)')?.getAttribute('data-trial'),
      head: document.querySelector('dl.head')?.textContent ?? '',
      controls: document.querySelectorAll('.controls').length,
    }))
    // No trial of this session reported intermediate values: the learning curves view is hidden.
    expect(seen.views).toEqual(['history', 'slices', 'parallel', 'contour', 'importance', 'trials', 'head'])
    expect(seen.history['trials']).toBe(String(TRIALS))
    expect(seen.history['statuses']).toBe('error')
    expect(seen.slices).toEqual(['c', 'degree', 'kernel'].map((param) => ({ param, scored: String(ok.length) })))
    expect(seen.count).toBe(`${TRIALS} trials`)
    // Sorted by score, best first (the job maximizes).
    const best = ok.reduce((a, b) => ((b.score as number) > (a.score as number) ? b : a))
    expect(seen.firstRow).toBe(String(best.trialIdx))
    expect(seen.controls).toBe(0)
    // The head names what a resume is checked against.
    expect(seen.head).toContain('@cairn/optimizers/random')
    expect(seen.head).toContain('seed11')
    expect(seen.head).toContain('warm-start exact key')

    await page.waitForFunction(() => document.querySelector('.importance .note')?.getAttribute('data-state') === 'done', null, {
      timeout: 60_000,
    })
    await page.screenshot({ path: join(artifacts, 'report.png'), fullPage: true })
    // The file itself, and the in-memory Blob the importance worker starts from: nothing else.
    expect(requests.filter((r) => !r.startsWith('blob:'))).toEqual([pathToFileURL(file).href])
    expect(pageErrors).toEqual([])
    await page.close()
  })

  test('a session with no trials yet still renders', async () => {
    const empty = renderReport({
      session: sessionView({
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
      }),
      trials: [] satisfies TrialRecord[],
      live: false,
      readAt: 0,
    })
    const file = join(artifacts, 'report-empty.html')
    await mkdir(artifacts, { recursive: true })
    await writeFile(file, empty)
    const page = await browser.newPage()
    const pageErrors: string[] = []
    page.on('pageerror', (e) => pageErrors.push(e.message))
    await page.goto(pathToFileURL(file).href)
    await page.waitForFunction(() => document.documentElement.dataset['rendered'] === 'true', null, { timeout: 60_000 })
    expect(await page.locator('.trials .count').textContent()).toBe('0 trials')
    expect(pageErrors).toEqual([])
    await page.close()
  })
})
