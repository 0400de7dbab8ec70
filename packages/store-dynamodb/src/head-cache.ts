import type { ControlRequest } from '@cairn/core'
import type { InlineTrial } from './inline-trial.js'

/** What this store instance last saw of a session's head (written or decoded by it). */
export interface KnownHead {
  revision: number
  /** The session's incarnation (see `incarnation.ts`). */
  inc: number
  /** Chunks of that head's value, when it was chunked (deleted once superseded). */
  chunk?: { chunkId: string; chunks: number }
  /**
   * The trial records that head carries inline (`inlineFrom` … `attempts - 1`), each with
   * whether its trial item is known to hold it. Shared objects: a write of trial items still
   * in flight marks its records confirmed when it lands.
   */
  inline: InlineTrial[]
  /** That head's `progress.attempts`. */
  attempts: number
  /**
   * The attributes other operations change on the head item (lease owner, token and expiry,
   * the control flag), as last seen. A commit writes the whole item, so it carries them over,
   * on the condition that the item is still exactly the one seen (`stamp`). Only a whole
   * item written or read sets these, never a lease or control write of this instance: the
   * stamp must always come with the very item it was written with.
   */
  owner: string | undefined
  token: number | undefined
  leaseExpiresAt: number | undefined
  control: ControlRequest | null
  /** The head item's `stamp` when seen (undefined: the item has none). */
  stamp: string | undefined
}

const MAX_ENTRIES = 10_000

/**
 * Heads this instance decoded or wrote. A commit whose `expectedRevision` matches skips the
 * read that would otherwise validate the request before writing (the driver always loads,
 * then commits, so the steady state is one write and no read per trial). It is only a
 * hint: every write is still a compare-and-set on the item itself.
 */
export class HeadCache {
  private readonly map = new Map<string, KnownHead>()

  get(sessionId: string): KnownHead | undefined {
    return this.map.get(sessionId)
  }

  set(sessionId: string, known: KnownHead): void {
    this.map.delete(sessionId)
    this.map.set(sessionId, known)
    if (this.map.size > MAX_ENTRIES) {
      const oldest = this.map.keys().next()
      if (!oldest.done) this.map.delete(oldest.value)
    }
  }

  forget(sessionId: string): void {
    this.map.delete(sessionId)
  }
}
