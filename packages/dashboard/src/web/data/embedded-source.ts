import type { SessionListing, TrialRecord } from '@cairn/core'
import type { SessionPageData, SessionsPage } from '../../api/types.js'
import type { DataSource } from './source.js'

/** The id of the `<script type="application/json">` element a report embeds its data in. */
export const EMBEDDED_DATA_ID = 'cairn-data'

/** The data a report embedded, or null on a live page. */
export function readEmbeddedData(doc: Document): SessionPageData | null {
  const el = doc.getElementById(EMBEDDED_DATA_ID)
  if (!el?.textContent) return null
  return JSON.parse(el.textContent) as SessionPageData
}

/** A report's data source: the one embedded session, no network, nothing written. */
export function embeddedSource(data: SessionPageData): DataSource {
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
