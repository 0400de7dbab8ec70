import type { TrialRecord } from '@cairn/core'
import {
  TOKEN_HEADER,
  type ApiError,
  type ControlAnswer,
  type SessionPageData,
  type SessionStreamEvent,
  type SessionsPage,
} from '../../api/types.js'
import type { DataSource, SessionFilter, StreamState } from './source.js'
import { EventStreamParser } from './sse.js'

/** A failed API call: the server's `ApiError` code and message. */
export class ApiRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message)
    this.name = 'ApiRequestError'
  }
}

const RETRY_MIN_MS = 500
const RETRY_MAX_MS = 5000

/**
 * The live server's data source: `fetch` of the JSON API and the session's server-sent events.
 * The events are read with `fetch` rather than `EventSource`, which cannot send the access
 * token's header (a server exposed with `--host` checks it on every read); the stream is
 * reopened after a drop, with a growing delay.
 */
export function liveSource(base: string, token: string | null): DataSource {
  const headers = (extra: Record<string, string> = {}): Record<string, string> => (token ? { ...extra, [TOKEN_HEADER]: token } : extra)

  async function getJson<T>(path: string): Promise<T> {
    const res = await fetch(new URL(path, base), { headers: headers({ accept: 'application/json' }) })
    if (!res.ok) throw await apiError(res)
    return (await res.json()) as T
  }

  return {
    kind: 'live',
    listSessions(filter: SessionFilter) {
      const q = new URLSearchParams()
      for (const [k, v] of Object.entries(filter)) if (v) q.set(k, v)
      const qs = q.toString()
      return getJson<SessionsPage>(`api/sessions${qs ? `?${qs}` : ''}`)
    },
    loadSession: (id) => getJson<SessionPageData>(`api/sessions/${encodeURIComponent(id)}`),
    trialsFrom: (id, from) => getJson<TrialRecord[]>(`api/sessions/${encodeURIComponent(id)}/trials?from=${from}`),
    subscribe(id, from, onEvent, onState) {
      const url = () => new URL(`api/sessions/${encodeURIComponent(id)}/events?from=${from()}`, base)
      return follow(url, headers({ accept: 'text/event-stream' }), onEvent, onState)
    },
    async control(id, action) {
      const res = await fetch(new URL(`api/sessions/${encodeURIComponent(id)}/control`, base), {
        method: 'POST',
        headers: headers({ 'content-type': 'application/json' }),
        body: JSON.stringify({ action }),
      })
      if (!res.ok) throw await apiError(res)
      return (await res.json().catch(() => ({ ok: true }))) as ControlAnswer
    },
  }
}

async function apiError(res: Response): Promise<ApiRequestError> {
  let body: Partial<ApiError> = {}
  try {
    body = (await res.json()) as Partial<ApiError>
  } catch {
    // not JSON: the status line says enough
  }
  return new ApiRequestError(body.code ?? `HTTP_${res.status}`, body.message ?? `${res.status} ${res.statusText}`, res.status)
}

function follow(
  url: () => URL,
  headers: Record<string, string>,
  onEvent: (e: SessionStreamEvent) => void,
  onState: (s: StreamState) => void,
): () => void {
  let stopped = false
  let controller: AbortController | null = null
  let delay = RETRY_MIN_MS
  let timer: ReturnType<typeof setTimeout> | null = null

  async function connect(): Promise<void> {
    controller = new AbortController()
    try {
      const res = await fetch(url(), { headers, signal: controller.signal, cache: 'no-store' })
      if (!res.ok || !res.body) throw await apiError(res)
      delay = RETRY_MIN_MS
      onState('open')
      const parser = new EventStreamParser(
        (e) => onEvent(JSON.parse(e.data) as SessionStreamEvent),
        (ms) => {
          delay = ms
        },
      )
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        parser.push(value)
      }
    } catch (err) {
      if (stopped) return
      if (err instanceof ApiRequestError && err.status === 404) return
    }
    if (stopped) return
    onState('reconnecting')
    timer = setTimeout(() => void connect(), delay)
    delay = Math.min(RETRY_MAX_MS, delay * 2)
  }

  void connect()
  return () => {
    stopped = true
    if (timer) clearTimeout(timer)
    controller?.abort()
  }
}
