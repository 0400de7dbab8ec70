import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { serveStatic } from '@hono/node-server/serve-static'
import type { Context, MiddlewareHandler } from 'hono'

/**
 * This package's `dist/web/`, where its build writes the web app: found by walking up from this
 * module (in `src/server/` or in `dist/`) to the package's `package.json`.
 */
export function defaultWebRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === '@cairn/dashboard')
      return join(dir, 'dist', 'web')
    const parent = dirname(dir)
    if (parent === dir) return join(dirname(fileURLToPath(import.meta.url)), 'web')
    dir = parent
  }
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cairn dashboard</title></head>
<body><h1>Cairn dashboard</h1>
<p>The web app is not built (no <code>index.html</code> in its directory). The API answers:
<a href="/api/sessions">/api/sessions</a>.</p></body></html>
`

/**
 * Serves the web app from `root`: its files, and `index.html` for any other path without a file
 * extension (the app's own routes). Without `index.html`, a short page saying the app is not
 * built. Looked up on each request, so a build made while the server runs is picked up.
 */
export function webApp(root: string): MiddlewareHandler {
  // Made on first use: serveStatic complains on stderr about a root that does not exist yet.
  let handlers: { files: MiddlewareHandler; index: MiddlewareHandler } | null = null
  return async (c: Context, next) => {
    if (!existsSync(join(root, 'index.html'))) {
      if (c.req.path === '/' || c.req.path === '/index.html') return c.html(NOT_BUILT)
      return next()
    }
    handlers ??= { files: serveStatic({ root }), index: serveStatic({ root, path: 'index.html' }) }
    const { files, index } = handlers
    const served = await files(c, async () => undefined)
    if (served) return served
    if (!/\.[a-z0-9]+$/i.test(c.req.path)) {
      c.header('Cache-Control', 'no-cache')
      const page = await index(c, async () => undefined)
      if (page) return page
    }
    return next()
  }
}
