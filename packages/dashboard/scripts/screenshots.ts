/**
 * `pnpm docs:screenshots`: renders each view of the dashboard in headless Chromium from
 * generated fixture sessions (1,500 trials like the quick start's, with failed and pruned trials
 * and one outlier) served by the test's stand-in server, and writes PNGs into
 * docs/images/dashboard/. Run it after changing how a view looks, and commit the images.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { launchChromium, scrollToDrawn, waitRendered } from '../test/helpers/chromium.js'
import { fixtureSession } from '../test/helpers/fixture-session.js'
import { FixtureServer } from '../test/helpers/fixture-server.js'

const out = fileURLToPath(new URL('../../../docs/images/dashboard/', import.meta.url))
const TRIALS = 1500
const now = Date.now()

const main = fixtureSession({
  trials: TRIALS,
  withPruned: true,
  withOutlier: true,
  curves: 30,
  status: 'running',
  startedAt: now - TRIALS * 2000,
})
main.session.lease = { owner: 'laptop:pid-4242', expiresAt: now + 20_000, fencingToken: 2 }
const others = [
  fixtureSession({ trials: 400, sessionId: 'quickstart-tpe-b', seed: 5, startedAt: now - 86_400_000 * 3 }),
  fixtureSession({ trials: 120, sessionId: 'quickstart-random', seed: 9, status: 'paused', startedAt: now - 3_600_000 }),
]
// A multi-objective, constrained study (accuracy against model size) for the Pareto front.
const study = fixtureSession({
  trials: 600,
  sessionId: 'accuracy-vs-size',
  seed: 3,
  objectives: 2,
  constrained: true,
  startedAt: now - 7_200_000,
})
;(others[1] as (typeof others)[number]).session.optimizer = { id: '@cairn/optimizers/random', stateVersion: 1 }
const server = new FixtureServer(new Map([main, ...others, study].map((d) => [d.session.sessionId, d])))
const base = await server.start()
const browser = await launchChromium()
await mkdir(out, { recursive: true })
const written: string[] = []

try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 })
  await page.goto(base)
  await page.waitForSelector('table.sessions tbody tr')
  await page.locator('main').screenshot({ path: join(out, 'sessions.png') })
  written.push('sessions.png')

  await page.goto(`${base}?session=${main.session.sessionId}`)
  await waitRendered(page)
  await page.waitForFunction(() => document.querySelector('.importance .note')?.getAttribute('data-state') === 'done', null, {
    timeout: 120_000,
  })
  const header = await page.locator('.page-header').boundingBox()
  const cards = await page.locator('.cards').boundingBox()
  if (header && cards)
    await page.screenshot({ path: join(out, 'session-header.png'), clip: { x: 0, y: 0, width: 1280, height: cards.y + cards.height + 12 } })
  written.push('session-header.png')
  for (const view of ['history', 'slices', 'curves', 'parallel', 'contour', 'importance', 'trials', 'head']) {
    // Charts out of view draw their latest option (the contour follows the importance ranking) once scrolled to.
    await scrollToDrawn(page, `section.view[data-view=${view}]`)
    await page.locator(`section.view[data-view=${view}]`).screenshot({ path: join(out, `${view}.png`) })
    written.push(`${view}.png`)
  }
  await page.click('[data-action=pause]')
  await page.locator('dialog.confirm').screenshot({ path: join(out, 'confirm.png') })
  written.push('confirm.png')

  await page.goto(`${base}?session=${study.session.sessionId}`)
  await waitRendered(page)
  await scrollToDrawn(page, 'section.view[data-view=pareto]')
  await page.locator('section.view[data-view=pareto]').screenshot({ path: join(out, 'pareto.png') })
  written.push('pareto.png')
  await page.close()
} finally {
  await browser.close()
  await server.stop()
}
console.log(`wrote ${written.length} images to docs/images/dashboard/: ${written.join(', ')}`)
