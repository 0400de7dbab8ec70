import { isCairnError } from '../errors.js'
import type { CheckpointStore, CommitRequest, CommitResult } from '../store/contract.js'

const ATTEMPTS = 4
const BASE_DELAY_MS = 50

/**
 * Commits, retrying failures that may be transient. A compare-and-set refusal (revision
 * conflict, lost lease) is final. Any other failure leaves the outcome unknown — the write may
 * have landed and only its answer was lost — so the head is re-read: if it already shows this
 * commit, that counts as success; otherwise the commit is retried.
 */
export async function commitWithRecovery(store: CheckpointStore, sessionId: string, request: CommitRequest): Promise<CommitResult> {
  let lastError: unknown
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (attempt > 0) await delay(BASE_DELAY_MS * 2 ** (attempt - 1))
    try {
      return await store.commit(sessionId, request)
    } catch (err) {
      if (isFinal(err)) {
        if (attempt > 0 && isCairnError(err, 'REVISION_CONFLICT') && (await landed(store, sessionId, request))) {
          return { revision: request.expectedRevision + 1, control: null }
        }
        throw err
      }
      lastError = err
      if (await landed(store, sessionId, request)) return { revision: request.expectedRevision + 1, control: null }
    }
  }
  throw lastError
}

function isFinal(err: unknown): boolean {
  return (
    isCairnError(err, 'REVISION_CONFLICT') ||
    isCairnError(err, 'LEASE_LOST') ||
    isCairnError(err, 'NOT_FOUND') ||
    isCairnError(err, 'INVALID_INPUT') ||
    isCairnError(err, 'CHECKPOINT_CORRUPT')
  )
}

async function landed(store: CheckpointStore, sessionId: string, request: CommitRequest): Promise<boolean> {
  try {
    const head = await store.load(sessionId)
    return (
      head.revision === request.expectedRevision + 1 &&
      head.lease?.fencingToken === request.fencingToken &&
      head.progress.attempts === request.head.progress.attempts &&
      head.status === request.head.status
    )
  } catch {
    return false
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
