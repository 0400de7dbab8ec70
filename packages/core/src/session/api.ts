import type { SessionListing } from '../checkpoint/types.js'
import type { CheckpointStore, ListFilter } from '../store/contract.js'

export { startSession } from './start.js'
export { resumeSession } from './resume.js'
export { compile } from './compile.js'
export { joinSession } from './shared/join.js'

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
