import type { TrialRecord } from '@cairn/core'
import type { ControlAnswer, ControlBody, PackedCurve, SessionPageData, SessionStreamEvent, SessionsPage } from '../../api/types.js'

/** The filters of the sessions page (the API's query parameters). */
export interface SessionFilter {
  status?: string
  optimizer?: string
  q?: string
}

/**
 * A session as a page loads it: `SessionPageData`, except that a report's packed learning curves
 * may be a function that parses them, called only when a view first reads the curves (they are
 * half the bytes of a session whose trials have curves; present only when some trial has one).
 */
export type LoadedSession = Omit<SessionPageData, 'curves'> & {
  curves?: readonly PackedCurve[] | (() => readonly PackedCurve[])
}

/** The state of a live page's event stream. */
export type StreamState = 'open' | 'reconnecting'

/**
 * Where the pages get their data: the live server (HTTP + server-sent events) or the data
 * embedded in a report. The views only see this interface, so a report and a live page render
 * the same way.
 */
export interface DataSource {
  readonly kind: 'live' | 'embedded'
  listSessions(filter: SessionFilter): Promise<SessionsPage>
  loadSession(sessionId: string): Promise<LoadedSession>
  /** Trials from index `from` on (to catch up after the stream reconnects). */
  trialsFrom(sessionId: string, from: number): Promise<TrialRecord[]>
  /**
   * Follows a session's events until the returned function is called; each (re)connection asks
   * for the trials from `from()` on. A report never calls back.
   */
  subscribe(
    sessionId: string,
    from: () => number,
    onEvent: (event: SessionStreamEvent) => void,
    onState: (state: StreamState) => void,
  ): () => void
  /** Pause, resume or cancel; resolves with the server's answer. Null where nothing may be written (a report). */
  readonly control: ((sessionId: string, action: ControlBody['action']) => Promise<ControlAnswer>) | null
}
