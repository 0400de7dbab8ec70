import type { SessionListing, TrialRecord } from '@cairn/core'
import type { PackedCurve, SessionPageData, SessionsPage } from '../../api/types.js'
import type { DataSource, LoadedSession } from './source.js'

/** The id of the `<script type="application/json">` element a report embeds its data in. */
export const EMBEDDED_DATA_ID = 'cairn-data'
/** The id of the element with the report's packed learning curves (absent when no trial has one). */
export const EMBEDDED_CURVES_ID = 'cairn-curves'

/**
 * The data a report embedded, or null on a live page. Its packed learning curves, if any, are
 * parsed when first read (`LoadedSession.curves`), not before the page's first paint.
 */
export function readEmbeddedData(doc: Document): LoadedSession | null {
  const el = doc.getElementById(EMBEDDED_DATA_ID)
  if (!el?.textContent) return null
  const data = JSON.parse(el.textContent) as SessionPageData
  const curvesEl = doc.getElementById(EMBEDDED_CURVES_ID)
  if (!curvesEl?.textContent) return data
  const { curves: _none, ...rest } = data
  return { ...rest, curves: () => JSON.parse(curvesEl.textContent ?? '[]') as PackedCurve[] }
}

/** A report's data source: the one embedded session, no network, nothing written. */
export function embeddedSource(data: LoadedSession): DataSource {
  const s = data.session
  const listing: SessionListing = {
    sessionId: s.sessionId,
    status: s.status,
    optimizer: s.optimizer.id,
    bestScore: s.progress.bestScore,
    completed: s.progress.completed,
    updatedAt: s.updatedAt,
    leaseExpiresAt: s.lease?.expiresAt ?? null,
    ...(s.name !== undefined ? { name: s.name } : {}),
    ...(s.job !== undefined ? { job: s.job } : {}),
  }
  return {
    kind: 'embedded',
    listSessions: async (): Promise<SessionsPage> => ({ sessions: [listing], readAt: data.readAt }),
    loadSession: async (id) => {
      if (id !== s.sessionId) throw new Error(`this report holds session "${s.sessionId}" only, not "${id}"`)
      return data
    },
    trialsFrom: async (_id, from): Promise<TrialRecord[]> => data.trials.filter((t) => t.trialIdx >= from),
    subscribe: () => () => {},
    control: null,
  }
}
