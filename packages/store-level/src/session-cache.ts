import type { ListingRecord } from './listing-record.js'

/** What the store knows of a session it has read or written in this process. */
export interface CachedSession {
  record: ListingRecord
  /**
   * The stored session is known sound: this process wrote it, or read its head and checked it
   * against this record and the trial log (see `LevelStore#verify`). Never set for a session
   * flagged damaged (`record.problem`).
   */
  verified: boolean
}

/**
 * Listing records of recently used sessions, so a commit needs no read before its write.
 * Valid because LevelDB admits one process per database and every write of this store goes
 * through it (under the session's mutex). Bounded: the least recently set entries go first.
 */
export class SessionCache {
  private readonly entries = new Map<string, CachedSession>()

  constructor(private readonly capacity = 10_000) {}

  get(sessionId: string): CachedSession | undefined {
    return this.entries.get(sessionId)
  }

  set(sessionId: string, entry: CachedSession): void {
    this.entries.delete(sessionId)
    this.entries.set(sessionId, entry)
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next()
      if (!oldest.done) this.entries.delete(oldest.value)
    }
  }

  delete(sessionId: string): void {
    this.entries.delete(sessionId)
  }

  clear(): void {
    this.entries.clear()
  }
}
