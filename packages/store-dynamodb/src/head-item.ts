import { crc32 } from 'node:zlib'
import { CheckpointCorruptError, canonicalJson, type CheckpointHead, type Lease, type SessionListing } from '@cairn/core'
import { headToListing } from '@cairn/core/store-kit'
import { av, num, str, type Item } from './db.js'
import { A } from './table-design.js'

/** The listing fields a head item carries as checksummed JSON (the lease expiry is kept apart, in `leaseExpiresAt`). */
type StoredListing = Omit<SessionListing, 'leaseExpiresAt' | 'problem'>

/**
 * The attributes of a head item that follow from the head itself: revision, attempts, the
 * listing (canonical JSON + CRC-32, so `list` detects a damaged listing without reading the
 * head) and plain copies of status, optimizer id and update time for server-side filters.
 */
export function headContentAttrs(head: CheckpointHead, revision: number): Item {
  const { leaseExpiresAt: _apart, ...listing } = headToListing(head)
  const json = canonicalJson(listing satisfies StoredListing)
  return {
    [A.rev]: av.n(revision),
    [A.attempts]: av.n(head.progress.attempts),
    [A.listing]: av.s(json),
    [A.listingSum]: av.n(crc32(json)),
    [A.status]: av.s(head.status),
    [A.optimizer]: av.s(head.optimizer.id),
    [A.updatedAt]: av.n(head.updatedAt),
  }
}

/** The lease a head item records, or null when none was ever taken. */
export function leaseOf(item: Item): Lease | null {
  const owner = str(item, A.owner)
  if (owner === undefined) return null
  return { owner, fencingToken: num(item, A.token) ?? 0, expiresAt: num(item, A.leaseExpiresAt) ?? 0 }
}

/** The attributes recording `lease` (owner, token, expiry); a null lease records token 0 and no owner. */
export function leaseAttrs(lease: Lease | null): Item {
  if (!lease) return { [A.token]: av.n(0) }
  return { [A.owner]: av.s(lease.owner), [A.token]: av.n(lease.fencingToken), [A.leaseExpiresAt]: av.n(lease.expiresAt) }
}

/** The listing a head item (or its index projection) carries. Throws `CheckpointCorruptError`. */
export function listingOf(item: Item, sessionId: string): SessionListing {
  const what = `listing of session "${sessionId}"`
  const json = str(item, A.listing)
  const sum = num(item, A.listingSum)
  if (json === undefined || sum === undefined) throw new CheckpointCorruptError(what, 'listing attributes are missing')
  if (crc32(json) !== sum) throw new CheckpointCorruptError(what, 'checksum mismatch')
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch (err) {
    throw new CheckpointCorruptError(what, 'not valid JSON', { cause: err })
  }
  if (!isStoredListing(value) || value.sessionId !== sessionId)
    throw new CheckpointCorruptError(what, 'does not have the shape of a listing')
  const expiresAt = num(item, A.leaseExpiresAt) ?? 0
  return { ...value, leaseExpiresAt: expiresAt > 0 ? expiresAt : null }
}

function isStoredListing(v: unknown): v is StoredListing {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false
  const l = v as Record<string, unknown>
  return (
    typeof l.sessionId === 'string' &&
    typeof l.status === 'string' &&
    typeof l.optimizer === 'string' &&
    (l.bestScore === null || typeof l.bestScore === 'number') &&
    typeof l.completed === 'number' &&
    (l.pruned === undefined || Number.isSafeInteger(l.pruned)) &&
    typeof l.updatedAt === 'number' &&
    (l.name === undefined || typeof l.name === 'string') &&
    (l.job === undefined || typeof l.job === 'string')
  )
}
