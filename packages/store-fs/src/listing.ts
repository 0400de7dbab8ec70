import { CheckpointCorruptError, canonicalJson } from '@cairn/core'
import { headToListing } from '@cairn/core/store-kit'
import type { CheckpointHead, SessionListing } from '@cairn/core'

/**
 * The listing block every journal record carries: the session's listing (without the lease,
 * which lives in the `lease` file) plus the head's revision and trial count. `list` reads
 * only this block and never decodes the head or the optimizer state.
 */
export type StoredListing = Omit<SessionListing, 'leaseExpiresAt' | 'problem'> & { revision: number; attempts: number }

const STATUSES = new Set(['running', 'paused', 'completed', 'failed', 'cancelled'])

/** The listing block of `head` as canonical JSON bytes (equal heads give equal bytes). */
export function encodeListing(head: CheckpointHead): Buffer {
  const { leaseExpiresAt: _lease, ...listing } = headToListing({ ...head, lease: null })
  const block: StoredListing = { ...listing, revision: head.revision, attempts: head.progress.attempts }
  return Buffer.from(canonicalJson(block), 'utf8')
}

/** Parses a listing block whose checksum was already verified; throws `CheckpointCorruptError` naming `what`. */
export function parseListing(block: Uint8Array, what: string): StoredListing {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(block.buffer, block.byteOffset, block.byteLength).toString('utf8'))
  } catch (err) {
    throw new CheckpointCorruptError(what, 'listing block is not JSON', { cause: err })
  }
  const v = value as Record<string, unknown>
  const ok =
    typeof value === 'object' &&
    value !== null &&
    typeof v.sessionId === 'string' &&
    typeof v.status === 'string' &&
    STATUSES.has(v.status) &&
    typeof v.optimizer === 'string' &&
    (v.bestScore === null || typeof v.bestScore === 'number') &&
    typeof v.completed === 'number' &&
    (v.pruned === undefined || Number.isSafeInteger(v.pruned)) &&
    typeof v.updatedAt === 'number' &&
    Number.isSafeInteger(v.revision) &&
    Number.isSafeInteger(v.attempts) &&
    (v.name === undefined || typeof v.name === 'string') &&
    (v.job === undefined || typeof v.job === 'string')
  if (!ok) throw new CheckpointCorruptError(what, 'listing block does not match the listing shape')
  return value as StoredListing
}
