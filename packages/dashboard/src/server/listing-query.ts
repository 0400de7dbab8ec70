import type { SessionListing, SessionStatus } from '@cairn/core'
import { HttpProblem } from './api-error.js'

const STATUSES: ReadonlyArray<SessionStatus | 'corrupt'> = ['running', 'paused', 'completed', 'failed', 'cancelled', 'corrupt']

/** The filters of `GET /api/sessions`. */
export interface ListingQuery {
  statuses: Array<SessionStatus | 'corrupt'> | null
  optimizer: string | null
  q: string | null
}

/**
 * Reads `status` (comma-separated or repeated), `optimizer` and `q` from a query string.
 * Throws `HttpProblem` 400 for a status that is not one.
 */
export function parseListingQuery(params: URLSearchParams): ListingQuery {
  const statuses = params
    .getAll('status')
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '')
  for (const s of statuses)
    if (!(STATUSES as readonly string[]).includes(s))
      throw new HttpProblem(400, `status: "${s}" is not a status (${STATUSES.join(', ')})`, 'INVALID_INPUT')
  const optimizer = params.get('optimizer')?.trim() || null
  const q = params.get('q')?.trim().toLowerCase() || null
  return { statuses: statuses.length > 0 ? (statuses as Array<SessionStatus | 'corrupt'>) : null, optimizer, q }
}

/**
 * True when a listing passes the filters: `optimizer` is the optimizer id or its last segment
 * (`tpe` for `@cairn/optimizers/tpe`); `q` is found, case-insensitively, in the session id, name or job.
 */
export function matchesListingQuery(listing: SessionListing, query: ListingQuery): boolean {
  if (query.statuses !== null && !query.statuses.includes(listing.status)) return false
  if (query.optimizer !== null && listing.optimizer !== query.optimizer && !listing.optimizer.endsWith(`/${query.optimizer}`)) return false
  if (query.q !== null) {
    const q = query.q
    const hit = [listing.sessionId, listing.name, listing.job].some((s) => s?.toLowerCase().includes(q))
    if (!hit) return false
  }
  return true
}
