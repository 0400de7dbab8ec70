import { request } from 'node:http'
import type { DashboardServer } from '../../src/index.js'

/** An HTTP answer: status, headers and the body as text (and parsed, when it is JSON). */
export interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  json: any
}

/** What `call` sends. */
export interface CallOptions {
  method?: string
  body?: unknown
  /** Raw body text (sent as is, with `contentType`). */
  rawBody?: string
  contentType?: string
  token?: string
  /** Overrides the `Host` header (fetch cannot: it is a forbidden header there). */
  host?: string
}

/** One request to the server on 127.0.0.1, through node:http so every header can be set. */
export function call(server: DashboardServer, path: string, opts: CallOptions = {}): Promise<Answer> {
  const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body))
  const headers: Record<string, string> = { host: opts.host ?? `127.0.0.1:${server.port}` }
  if (body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json'
  if (opts.token !== undefined) headers['x-cairn-token'] = opts.token
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path, method: opts.method ?? (body === undefined ? 'GET' : 'POST'), headers },
      (res) => {
        let text = ''
        res.setEncoding('utf8').on('data', (d: string) => (text += d))
        res.on('end', () => {
          let json: unknown
          try {
            json = JSON.parse(text)
          } catch {
            json = undefined
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json })
        })
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** POSTs a control action with the server's token (`null`: with none). */
export function control(server: DashboardServer, sessionId: string, action: string, token: string | null = server.token): Promise<Answer> {
  return call(server, `/api/sessions/${encodeURIComponent(sessionId)}/control`, { body: { action }, ...(token !== null ? { token } : {}) })
}
