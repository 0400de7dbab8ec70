import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import { Hono } from 'hono'
import { ListenError } from '../errors.js'
import { hostCheck, tokenCheck, type AccessRules } from './access.js'
import { apiErrorOf } from './api-error.js'
import { apiRoutes } from './api-routes.js'
import { acceptedHostNames, isLoopback, normalizedHostNames, urlHost } from './host-names.js'
import {
  checkDashboardOptions,
  DashboardServerOptionsSchema,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_PORT,
  type DashboardServerOptions,
} from './options.js'
import { ResumeLauncher } from './resume-launcher.js'
import { SseHub } from './sse-hub.js'
import { generateToken } from './token.js'
import { defaultWebRoot, webApp } from './web-app.js'

/** A running dashboard server. */
export interface DashboardServer {
  /** `http://host:port` (no token). */
  readonly url: string
  /**
   * The URL to open: `url` with the token in its fragment (`http://host:port/#token=…`). A
   * browser never sends the fragment to a server; the page reads the token from it. Print it once.
   */
  readonly startUrl: string
  readonly host: string
  /** The port listened on (the one the system chose when `port` was 0). */
  readonly port: number
  /** The access token (generated unless given). */
  readonly token: string
  /** True when bound beyond loopback: API reads need the token too. */
  readonly exposed: boolean
  /** Ends every event stream and stops listening. The store stays open. */
  close(): Promise<void>
}

/** Test hooks reach the live-update hub through this (see `@cairn/dashboard/testing`). */
export const HUB = Symbol('cairn.dashboard.hub')

/**
 * Starts the dashboard's HTTP server over a store: the JSON API of `api/types.ts`
 * (`/api/sessions`, `/api/sessions/:id`, `…/trials?from=N`, `…/events` as server-sent
 * events, `POST …/control`) and the web app. Bound to 127.0.0.1 unless `host` says otherwise;
 * every write needs the token, and on a non-loopback host every API read too. Requests whose
 * `Host` header names another host are refused (DNS rebinding). A session's head is read every
 * `pollIntervalMs` only while someone follows its event stream.
 *
 * Throws `DashboardOptionError` for a bad option and `ListenError` when the port is taken.
 *
 * @example
 * const server = await createDashboardServer({ store: createFsStore({ dir: './runs' }), port: 0 })
 * console.log(`dashboard at ${server.startUrl}`)
 * // … later
 * await server.close()
 */
export async function createDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  DashboardServerOptionsSchema.check(options)
  checkDashboardOptions(options)
  const host = options.host ?? '127.0.0.1'
  const exposed = !isLoopback(host)
  const token = options.token ?? generateToken()
  const now = (): number => Date.now()
  let port = options.port ?? DEFAULT_PORT

  const hub = new SseHub(options.store, options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS, now)
  const resumer = new ResumeLauncher(options.store, {
    config: options.config,
    storeUri: options.storeUri,
    cairnCommand: options.cairnCommand ?? ['cairn'],
    cwd: options.cwd ?? process.cwd(),
  })
  const rules: AccessRules = {
    hostNames: acceptedHostNames(host),
    allowedNames: normalizedHostNames(options.allowedHosts ?? []),
    port: () => port,
    token,
    readsNeedToken: exposed,
  }

  const app = new Hono()
  app.onError((err, c) => {
    const { status, body } = apiErrorOf(err)
    return c.json(body, status as 400)
  })
  app.use('*', async (c, next) => {
    await next()
    c.header('X-Content-Type-Options', 'nosniff')
    c.header('Referrer-Policy', 'no-referrer')
    c.header('X-Frame-Options', 'DENY')
    c.header('Content-Security-Policy', "frame-ancestors 'none'")
    if (c.req.path.startsWith('/api/')) c.header('Cache-Control', 'no-store')
  })
  app.use('*', hostCheck(rules))
  app.use('/api/*', tokenCheck(rules))
  app.route('/api', apiRoutes({ store: options.store, hub, resumer, now }))
  app.use('*', webApp(options.webRoot ?? defaultWebRoot()))
  app.notFound((c) => c.json({ code: 'HTTP_404', message: `not found: ${c.req.path}` }, 404))

  const server = createAdaptorServer({ fetch: app.fetch, hostname: host }) as Server
  await listen(server, host, port)
  port = (server.address() as AddressInfo).port
  const url = `http://${urlHost(host)}:${port}`

  let closing: Promise<void> | null = null
  const dashboard: DashboardServer & { [HUB]: SseHub } = {
    url,
    startUrl: `${url}/#token=${token}`,
    host,
    port,
    token,
    exposed,
    [HUB]: hub,
    close() {
      closing ??= new Promise<void>((resolve) => {
        hub.close()
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closing
    },
  }
  return dashboard
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening)
      const detail =
        err.code === 'EADDRINUSE'
          ? 'the port is in use (another dashboard?); pick another with port / --port, or 0 for any free one'
          : err.code === 'EACCES'
            ? 'not allowed to use that port (ports below 1024 need privileges); pick another'
            : err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND'
              ? 'that host is not an address of this machine'
              : err.message
      const field = err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' ? 'host' : 'port'
      reject(new ListenError(host, port, field, detail, { cause: err }))
    }
    const onListening = (): void => {
      server.off('error', onError)
      resolve()
    }
    server.once('error', onError)
    server.once('listening', onListening)
    server.listen(port, host)
  })
}
