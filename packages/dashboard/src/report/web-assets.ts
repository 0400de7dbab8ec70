import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { WebAppMissingError } from './web-app-missing-error.js'

/** The built web app: its scripts and stylesheet, as the report inlines them. */
export interface WebAssets {
  js: string
  /** The charting library's script, which `js` loads (src/web/charts/echarts.ts). */
  echarts: string
  css: string
}

/**
 * The folder of the built web app (`dist/web` of this package: index.html, app.js, echarts.js, app.css),
 * found by walking up from this module (in `src/report/` or in `dist/`) to the package's
 * `package.json`.
 */
export function webAppDir(): string {
  const here = dirname(fileURLToPath(import.meta.url))
  for (let dir = here; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === '@cairn/dashboard')
      return join(dir, 'dist', 'web')
    if (dirname(dir) === dir) return join(here, 'web')
  }
}

let cached: WebAssets | null = null

/** Reads (once) the built app.js, echarts.js and app.css. Throws `WebAppMissingError` saying how to build them. */
export function webAssets(): WebAssets {
  if (cached) return cached
  const dir = webAppDir()
  const js = join(dir, 'app.js')
  const echarts = join(dir, 'echarts.js')
  const css = join(dir, 'app.css')
  for (const file of [js, echarts, css]) if (!existsSync(file)) throw new WebAppMissingError(file)
  cached = { js: readFileSync(js, 'utf8'), echarts: readFileSync(echarts, 'utf8'), css: readFileSync(css, 'utf8') }
  return cached
}
