import { existsSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'

/** Debian's Chromium, driven by playwright-core (no browser download). */
export const CHROMIUM = '/usr/bin/chromium'

/** Starts headless Chromium with the flags of the CLI's report test; a clear error when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: the dashboard's tests open its pages in headless Chromium. Install it with \`apt-get update && apt-get install -y chromium\` (Debian/Ubuntu).`,
    )
  return chromium.launch({
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
}

/** What a page did that a test must see: console errors, uncaught errors, and every request it made. */
export interface PageWatch {
  errors: string[]
  requests: string[]
}

/** Records `page`'s console errors, uncaught errors and requests. */
export function watchPage(page: Page): PageWatch {
  const watch: PageWatch = { errors: [], requests: [] }
  page.on('pageerror', (e) => watch.errors.push(e.message))
  page.on('console', (m) => {
    if (m.type() === 'error') watch.errors.push(m.text())
  })
  page.on('request', (r) => watch.requests.push(r.url()))
  return watch
}

/** The page's performance marks of its render (ms since navigation start; null when not reached). */
export async function renderMarks(page: Page): Promise<Record<string, number | null>> {
  // No named function inside: under tsx (the screenshots and bench scripts) it would be wrapped in a helper the page lacks.
  return page.evaluate(() =>
    Object.fromEntries(
      Object.entries({
        firstPaint: 'cairn:first-paint',
        firstView: 'cairn:first-view',
        rendered: 'cairn:rendered',
        importance: 'cairn:importance',
      }).map(([k, mark]) => [k, performance.getEntriesByName(mark)[0]?.startTime ?? null]),
    ),
  )
}

/** Waits until every chart in the viewport at first paint has drawn (`data-first-view` on the root element). */
export async function waitFirstView(page: Page): Promise<void> {
  await page.waitForFunction(() => document.documentElement.dataset['firstView'] === 'true', null, { timeout: 120_000 })
}

/** Scrolls `selector` into view and waits until every chart in it shows its latest option (`data-draw="done"`). */
export async function scrollToDrawn(page: Page, selector: string): Promise<void> {
  await page.locator(selector).scrollIntoViewIfNeeded()
  await page.waitForFunction(
    (s) => {
      const charts = [...(document.querySelector(s)?.querySelectorAll<HTMLElement>('[data-chart]') ?? [])]
      return charts.every((c) => c.dataset['draw'] === 'done')
    },
    selector,
    { timeout: 120_000 },
  )
}

/** Waits until every chart of the page has drawn once (`data-rendered` on the root element): those out of view draw in idle time. */
export async function waitRendered(page: Page): Promise<void> {
  await page.waitForFunction(() => document.documentElement.dataset['rendered'] === 'true', null, { timeout: 120_000 })
}
