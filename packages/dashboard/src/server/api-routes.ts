import { listSessions } from '@cairn/core'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { SessionPageData, SessionsPage } from '../api/types.js'
import { packCurves } from './pack-curves.js'
import type { ApiContext } from './api-context.js'
import { HttpProblem } from './api-error.js'
import { controlRoute } from './control-route.js'
import { eventsRoute } from './events-route.js'
import { matchesListingQuery, parseListingQuery } from './listing-query.js'
import { loadSessionView } from './session-view.js'

/** Larger control bodies are refused unread. */
const MAX_BODY_BYTES = 4096

/** The JSON API: `/api/sessions`, `/api/sessions/:id`, `…/trials`, `…/events`, `…/control`. */
export function apiRoutes(ctx: ApiContext): Hono {
  const { store, now } = ctx
  const api = new Hono()

  api.get('/sessions', async (c) => {
    const query = parseListingQuery(new URL(c.req.url).searchParams)
    const readAt = now()
    const listed = await listSessions(store, query.statuses ? { status: query.statuses } : {})
    const sessions = listed.filter((l) => matchesListingQuery(l, query)).sort((a, b) => b.updatedAt - a.updatedAt)
    return c.json({ sessions, readAt } satisfies SessionsPage)
  })

  api.get('/sessions/:id', async (c) => {
    const readAt = now()
    const { head, view } = await loadSessionView(store, c.req.param('id'), now)
    // Exactly the trials this head accounts for, even if a commit lands in between.
    const trials = await store.readTrials(head.sessionId, { from: 0, limit: head.progress.attempts })
    return c.json(packCurves({ session: view, trials, live: true, readAt } satisfies SessionPageData))
  })

  api.get('/sessions/:id/trials', async (c) => {
    const from = trialIndex(c.req.query('from'))
    const id = c.req.param('id')
    await store.load(id)
    return c.json(await store.readTrials(id, { from }))
  })

  api.get('/sessions/:id/events', eventsRoute(ctx))
  api.post(
    '/sessions/:id/control',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new HttpProblem(413, `body: a control body is a few bytes ({"action":"pause"}); this one is over ${MAX_BODY_BYTES}`)
      },
    }),
    controlRoute(ctx),
  )

  api.all('*', (c) => {
    throw new HttpProblem(404, `no such API endpoint: ${c.req.method} ${c.req.path}`)
  })
  return api
}

/** `from` of `…/trials`: a non-negative integer, 0 when absent. */
function trialIndex(value: string | undefined): number {
  if (value === undefined || value === '') return 0
  const n = Number(value)
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n))
    throw new HttpProblem(400, `from: must be a trial index (an integer of at least 0), got ${JSON.stringify(value)}`, 'INVALID_INPUT')
  return n
}
