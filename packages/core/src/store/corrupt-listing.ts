import type { SessionListing } from '../checkpoint/types.js'

/** The listing of a session whose head cannot be decoded (status `corrupt`, the reason in `problem`). */
export function corruptListing(sessionId: string, err: unknown): SessionListing {
  return {
    sessionId,
    status: 'corrupt',
    optimizer: '',
    bestScore: null,
    completed: 0,
    updatedAt: 0,
    leaseExpiresAt: null,
    problem: err instanceof Error ? err.message : String(err),
  }
}
