/**
 * The live page in Chromium against a stand-in server (test/helpers/fixture-server.ts) that
 * serves the built app and the API's wire format: the sessions page lists and filters, a
 * session's page follows its event stream (a pushed trial appears in the history and the
 * table), pause asks for confirmation and then sends the control request with the token from
 * the URL, and no request leaves 127.0.0.1.
 */
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { SessionPageData } from '../src/index.js'
import { launchChromium, waitRendered, watchPage } from './helpers/chromium.js'
import { fixtureSession } from './helpers/fixture-session.js'
import { FixtureServer } from './helpers/fixture-server.js'

const TOKEN = 'test-token-5f2c'
let browser: Browser
let server: FixtureServer
let base: string
let running: SessionPageData

beforeAll(async () => {
  running = fixtureSession({ trials: 60, sessionId: 'live-run', status: 'running' })
  running.session.lease = { owner: 'host-1:pid-42', expiresAt: Date.now() + 30_000, fencingToken: 3 }
  const done = fixtureSession({ trials: 30, sessionId: 'old-run', seed: 2 })
  done.session.optimizer = { id: '@cairn/optimizers/random', stateVersion: 1 }
  server = new FixtureServer(
    new Map([
      ['live-run', running],
      ['old-run', done],
    ]),
    TOKEN,
  )
  base = await server.start()
  browser = await launchChromium()
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

const onlyLocal = (requests: string[]) => requests.filter((r) => !r.startsWith(base) && !r.startsWith('blob:'))

describe('the live dashboard page', () => {
  test('lists the sessions and filters them by status, optimizer and text', async () => {
    const page = await browser.newPage()
    const watch = watchPage(page)
    await page.goto(`${base}#token=${TOKEN}`)
    const ids = () => page.locator('table.sessions tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-session')))
    await expect.poll(ids).toEqual(['live-run', 'old-run'])
    await page.selectOption('[data-control=status]', 'running')
    await expect.poll(ids).toEqual(['live-run'])
    await page.selectOption('[data-control=status]', '')
    await page.selectOption('[data-control=optimizer]', '@cairn/optimizers/random')
    await expect.poll(ids).toEqual(['old-run'])
    await page.selectOption('[data-control=optimizer]', '')
    await page.fill('[data-control=q]', 'live')
    await expect.poll(ids).toEqual(['live-run'])
    // The token travels in the header, never in a URL the server sees.
    expect(server.requests.some((r) => r.includes(TOKEN))).toBe(false)
    expect(onlyLocal(watch.requests)).toEqual([])
    expect(watch.errors).toEqual([])
    await page.close()
  })

  test('a trial from the event stream appears in the history and the table', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const watch = watchPage(page)
    await page.goto(`${base}?session=live-run#token=${TOKEN}`)
    await waitRendered(page)
    await expect.poll(() => page.locator('.live').getAttribute('data-state')).toBe('open')
    await expect.poll(() => server.subscribers('live-run')).toBe(1)
    expect(await page.locator('.chart-history').getAttribute('data-trials')).toBe('60')

    const next = fixtureSession({ trials: 61, sessionId: 'live-run', status: 'running' })
    const trial = { ...(next.trials[60] as SessionPageData['trials'][number]), score: 0.999 }
    const session = {
      ...running.session,
      progress: {
        ...running.session.progress,
        attempts: 61,
        completed: 61 - running.session.progress.errors,
        bestScore: 0.999,
        bestTrialIdx: 60,
      },
    }
    const pushedAt = Date.now()
    server.push('live-run', { type: 'trials', trials: [trial], session })
    await page.waitForFunction(
      () =>
        document.querySelector('.chart-history')?.getAttribute('data-trials') === '61' &&
        document.querySelector('.trials .count')?.textContent === '61 trials',
      null,
      { polling: 'raf', timeout: 30_000 },
    )
    console.log(
      `[dashboard] live update: a pushed trial is in the history and the table ${Date.now() - pushedAt} ms after the server sent it`,
    )
    // The new best is the table's first row and the summary's best score.
    expect(await page.locator('table.trials tbody tr:not(.pad)').first().getAttribute('data-trial')).toBe('60')
    expect(await page.locator('[data-card="best score"] .v').textContent()).toBe('0.999 (#60)')
    expect(onlyLocal(watch.requests)).toEqual([])
    expect(watch.errors).toEqual([])
    await page.close()
  })

  test('pause asks first, then sends the control request with the token', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const watch = watchPage(page)
    await page.goto(`${base}?session=live-run#token=${TOKEN}`)
    await waitRendered(page)
    expect(await page.locator('[data-action=resume]').isHidden()).toBe(true)

    await page.click('[data-action=pause]')
    expect(await page.locator('dialog.confirm').isVisible()).toBe(true)
    await page.click('[data-action=dismiss]')
    expect(server.controls).toEqual([])

    await page.click('[data-action=pause]')
    await page.click('[data-action=confirm]')
    await expect.poll(() => server.controls.length).toBe(1)
    expect(server.controls[0]).toEqual({ sessionId: 'live-run', body: { action: 'pause' }, token: TOKEN })
    await expect.poll(() => page.locator('.control-message').textContent()).toMatch(/pause requested/)
    expect(onlyLocal(watch.requests)).toEqual([])
    expect(watch.errors).toEqual([])
    await page.close()
  })

  test('without the token the page says why it cannot load', async () => {
    const page = await browser.newPage()
    await page.goto(`${base}?session=live-run`)
    await expect.poll(() => page.locator('.error-page').textContent()).toMatch(/access token/)
    await page.close()
  })
})
