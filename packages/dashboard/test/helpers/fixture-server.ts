import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { SessionListing } from '@cairn/core'
import { TOKEN_HEADER, webAppDir, type SessionPageData, type SessionStreamEvent, type SessionsPage } from '../../src/index.js'

/** A control request the page sent. */
export interface ReceivedControl {
  sessionId: string
  body: unknown
  token: string | undefined
}

/**
 * A stand-in for the dashboard server for the screenshots script and the page benchmark: it
 * serves the built web app and the wire format from generated sessions of any size (1,500 or
 * 10,000 trials without running them), streams events the caller pushes, and records control
 * requests. Binds 127.0.0.1 only. The page's tests use the real server (test/live.test.ts).
 */
export class FixtureServer {
  readonly controls: ReceivedControl[] = []
  /** Every request's method and path, in order. */
  readonly requests: string[] = []
  private readonly streams = new Map<string, Set<ServerResponse>>()
  private server: Server | null = null

  constructor(
    private readonly sessions: Map<string, SessionPageData>,
    private readonly token: string | null = null,
  ) {}

  /** Starts listening on a free port; returns the base URL (`http://127.0.0.1:port/`). */
  async start(): Promise<string> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: Error) => {
        if (!res.headersSent) this.json(res, 500, { code: 'HTTP_500', message: err.message })
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    this.server = server
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  }

  /** Appends trials (and the new head) to a session and sends them to its open streams. */
  push(sessionId: string, event: SessionStreamEvent): void {
    const data = this.sessions.get(sessionId)
    if (data && event.type === 'trials') {
      data.trials.push(...event.trials)
      data.session = event.session
    }
    for (const res of this.streams.get(sessionId) ?? []) res.write(`data: ${JSON.stringify(event)}\n\n`)
  }

  /** Open event streams of a session. */
  subscribers(sessionId: string): number {
    return this.streams.get(sessionId)?.size ?? 0
  }

  async stop(): Promise<void> {
    for (const set of this.streams.values()) for (const res of set) res.end()
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()))
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    this.requests.push(`${req.method} ${url.pathname}${url.search}`)
    const path = url.pathname
    if (!path.startsWith('/api/')) return this.asset(path, res)
    if (this.token !== null && req.headers[TOKEN_HEADER] !== this.token)
      return this.json(res, 401, { code: 'HTTP_401', message: 'missing or wrong access token' })
    if (path === '/api/sessions') return this.json(res, 200, this.list(url.searchParams))
    const m = /^\/api\/sessions\/([^/]+)(\/trials|\/events|\/control)?$/.exec(path)
    const id = m ? decodeURIComponent(m[1] as string) : ''
    const data = this.sessions.get(id)
    if (!m || !data) return this.json(res, 404, { code: 'NOT_FOUND', message: `session "${id}" was not found` })
    if (m[2] === undefined) return this.json(res, 200, { ...data, live: true, readAt: Date.now() })
    if (m[2] === '/trials')
      return this.json(
        res,
        200,
        data.trials.filter((t) => t.trialIdx >= Number(url.searchParams.get('from') ?? 0)),
      )
    if (m[2] === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' })
      res.write(': connected\n\n')
      // As the real server does: the trials after `from` the page does not have yet come first.
      const missing = data.trials.filter((t) => t.trialIdx >= Number(url.searchParams.get('from') ?? data.trials.length))
      if (missing.length > 0) res.write(`data: ${JSON.stringify({ type: 'trials', trials: missing, session: data.session })}\n\n`)
      let set = this.streams.get(id)
      if (!set) this.streams.set(id, (set = new Set()))
      set.add(res)
      req.on('close', () => set.delete(res))
      return
    }
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const token = req.headers[TOKEN_HEADER]
    this.controls.push({
      sessionId: id,
      body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
      token: typeof token === 'string' ? token : undefined,
    })
    return this.json(res, 202, { ok: true })
  }

  private list(q: URLSearchParams): SessionsPage {
    const status = q.get('status')
    const optimizer = q.get('optimizer')
    const text = q.get('q')?.toLowerCase()
    const sessions: SessionListing[] = []
    for (const { session: s } of this.sessions.values()) {
      if (status && s.status !== status) continue
      if (optimizer && s.optimizer.id !== optimizer) continue
      if (text && ![s.sessionId, s.name ?? '', s.job ?? ''].some((v) => v.toLowerCase().includes(text))) continue
      sessions.push({
        sessionId: s.sessionId,
        status: s.status,
        optimizer: s.optimizer.id,
        bestScore: s.progress.bestScore,
        completed: s.progress.completed,
        updatedAt: s.updatedAt,
        leaseExpiresAt: s.lease?.expiresAt ?? null,
        ...(s.name !== undefined ? { name: s.name } : {}),
        ...(s.job !== undefined ? { job: s.job } : {}),
      })
    }
    return { sessions, readAt: Date.now() }
  }

  private async asset(path: string, res: ServerResponse): Promise<void> {
    const name = path === '/' ? 'index.html' : path.slice(1)
    const types: Record<string, string> = {
      'index.html': 'text/html',
      'app.js': 'text/javascript',
      'echarts.js': 'text/javascript',
      'app.css': 'text/css',
    }
    const type = types[name]
    if (!type) return this.json(res, 404, { code: 'HTTP_404', message: `no asset ${path}` })
    res.writeHead(200, { 'content-type': `${type}; charset=utf-8` })
    res.end(await readFile(join(webAppDir(), name)))
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }
}
