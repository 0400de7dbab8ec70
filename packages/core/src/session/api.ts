import type { SessionListing } from '../checkpoint/types.js'
import type { CheckpointStore, ListFilter } from '../store/contract.js'
import type { CompileOptions, ResumeOptions, SessionHandle, SessionResult, StartOptions } from './types.js'

/** Starts a new session and drives it in the background. */
export async function startSession<Example = unknown>(_opts: StartOptions<Example>): Promise<SessionHandle> {
  throw new Error('not implemented yet')
}

/** Resumes a stored, non-terminal session. */
export async function resumeSession<Example = unknown>(
  _store: CheckpointStore,
  _sessionId: string,
  _opts: ResumeOptions<Example>,
): Promise<SessionHandle> {
  throw new Error('not implemented yet')
}

/** Starts a session and waits for it (default timeout 5 minutes). */
export async function compile<Example = unknown>(_opts: CompileOptions<Example>): Promise<SessionResult> {
  throw new Error('not implemented yet')
}

/** All listings matching `filter`, following cursors. */
export async function listSessions(store: CheckpointStore, filter: ListFilter = {}): Promise<SessionListing[]> {
  const out: SessionListing[] = []
  let cursor: string | undefined = filter.cursor
  for (;;) {
    const page = await store.list({ ...filter, ...(cursor !== undefined ? { cursor } : {}) })
    out.push(...page.items)
    if (page.cursor === undefined || page.items.length === 0) return out
    cursor = page.cursor
  }
}

/** Deletes a session and its trials. Idempotent. */
export async function deleteSession(store: CheckpointStore, sessionId: string): Promise<void> {
  await store.delete(sessionId)
}
