/**
 * The dashboard's web page, measured in headless Chromium (Debian's chromium):
 *
 *   pnpm bench dashboard-page
 *
 * Bundle size; reports of 1,000 and 10,000 trials: time to first paint, to every chart in the
 * first viewport drawn, to every chart drawn (those below draw in idle time) and to the parameter
 * importance (median of 3 loads; wall time, and the renderer's CPU time to the charts in view and
 * to the last chart, which a loaded machine inflates less); frame times while scrolling the 10,000-row
 * table; the live page's update latency. The work is in packages/dashboard/scripts/page-figures.ts,
 * beside the fixtures it renders. The report starts with the load average: these are wall times.
 */
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Row } from './lib/stats.js'

export const title = 'dashboard page (Chromium)'

export async function run(): Promise<Record<string, unknown>> {
  const file = fileURLToPath(new URL('../packages/dashboard/scripts/page-figures.ts', import.meta.url))
  const mod = (await import(pathToFileURL(file).href)) as { pageFigures(): Promise<Record<string, unknown>> }
  return mod.pageFigures()
}

export function table(result: Record<string, unknown>): Row[] {
  const reports = (result['reports'] ?? {}) as Record<string, Record<string, number>>
  return Object.entries(reports).map(([trials, r]) => ({ trials, ...r }))
}
