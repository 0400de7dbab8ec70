import type { Context } from 'hono'
import { streamSSE } from 'hono/streaming'
import { HttpProblem } from './api-error.js'
import type { ApiContext } from './api-context.js'
import type { Subscriber } from './session-watcher.js'

/** How long a browser waits before reconnecting a dropped stream (sent with the first event). */
const RETRY_MS = 1_000
/** A comment line this often keeps idle connections open and finds the dead ones. */
const KEEP_ALIVE_MS = 25_000
/** Events queued for a client that does not read them; past this it is dropped (it reconnects and catches up). */
const MAX_QUEUED = 256

/**
 * `GET /api/sessions/:id/events`: server-sent events, each `data:` one JSON `SessionStreamEvent`,
 * each `id:` the session's trial count after it. The stream starts after the trials the client
 * has: `Last-Event-ID` (a browser's reconnect), else `?from=N`, else the current trial count;
 * its first event comes at once (the missing trials, else the head).
 */
export function eventsRoute(ctx: ApiContext) {
  return async (c: Context) => {
    const id = c.req.param('id') as string
    const head = await ctx.store.load(id)
    const cursor = startCursor(c.req.header('last-event-id') ?? c.req.query('from'), head.progress.attempts)
    return streamSSE(c, async (stream) => {
      let queued = 0
      let first = true
      // Writes in order, and all of them flushed before the stream ends (a last `deleted` event too).
      let writes: Promise<void> = Promise.resolve()
      let unsubscribe: (() => void) | null = null
      let ended = false
      await new Promise<void>((done) => {
        const end = (): void => {
          ended = true
          unsubscribe?.()
          clearInterval(keepAlive)
          done()
        }
        const sub: Subscriber = {
          cursor,
          send(event, eventId) {
            if (queued >= MAX_QUEUED) return end()
            queued++
            const message = { data: JSON.stringify(event), id: eventId, ...(first ? { retry: RETRY_MS } : {}) }
            first = false
            writes = writes
              .then(() => stream.writeSSE(message))
              .catch(() => undefined)
              .finally(() => queued--)
          },
          close: end,
        }
        const keepAlive = setInterval(() => {
          writes = writes.then(() => stream.write(': keep-alive\n\n')).then(() => undefined)
        }, KEEP_ALIVE_MS)
        stream.onAbort(end)
        unsubscribe = ctx.hub.subscribe(id, sub)
        if (ended) unsubscribe()
      })
      await writes
    })
  }
}

function startCursor(value: string | undefined, attempts: number): number {
  if (value === undefined || value === '') return attempts
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw new HttpProblem(400, `from: must be a trial count (an integer of at least 0), got ${JSON.stringify(value)}`, 'INVALID_INPUT')
  return Number(value)
}
