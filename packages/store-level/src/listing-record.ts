import { CheckpointCorruptError } from '@cairn/core'
import { headToListing } from '@cairn/core/store-kit'
import type { CheckpointHead, ControlRequest, Lease, SessionListing, SessionStatus } from '@cairn/core'

/**
 * What the `listing` sublevel holds per session: the fields `list` returns, plus the
 * session's revision, attempt count, lease and pending control flag. Small (a few hundred
 * bytes) and written in the same batch as the head, so `list`, lease operations and the
 * compare-and-set of `commit` never decode a head.
 */
export interface ListingRecord {
  v: 1
  name?: string
  status: SessionStatus
  optimizer: string
  job?: string
  bestScore: number | null
  completed: number
  /** Absent when no trial was pruned (and on records written before the field existed). */
  pruned?: number
  updatedAt: number
  revision: number
  attempts: number
  lease: Lease | null
  control: ControlRequest | null
  /** Set when the head was found undecodable; the session is then listed as `corrupt`. */
  problem?: string
}

/** The listing record of a head (its own `lease` is ignored: the record holds the lease). */
export function listingRecordOf(head: CheckpointHead, lease: Lease | null, control: ControlRequest | null): ListingRecord {
  const { sessionId: _id, leaseExpiresAt: _exp, ...listing } = headToListing(head)
  return {
    v: 1,
    ...listing,
    status: head.status,
    revision: head.revision,
    attempts: head.progress.attempts,
    lease: lease ? { owner: lease.owner, fencingToken: lease.fencingToken, expiresAt: lease.expiresAt } : null,
    control,
  }
}

/**
 * How a record disagrees with the head it was written with (one batch writes both, so they
 * always agree unless the database was damaged), or null: revision, trial count and status.
 */
export function disagreement(record: ListingRecord, head: CheckpointHead): string | null {
  const pairs: Array<[string, unknown, unknown]> = [
    ['revision', head.revision, record.revision],
    ['trial count', head.progress.attempts, record.attempts],
    ['status', head.status, record.status],
  ]
  const differ = pairs.filter(([, a, b]) => a !== b)
  if (differ.length === 0) return null
  return `its head and listing record disagree (${differ.map(([name, a, b]) => `${name}: head ${JSON.stringify(a)}, listing ${JSON.stringify(b)}`).join('; ')}): one of them was rolled back or damaged`
}

/** Encodes a record (JSON text). */
export function encodeListingRecord(record: ListingRecord): string {
  return JSON.stringify(record)
}

const STATUSES = new Set(['running', 'paused', 'completed', 'failed', 'cancelled'])

/** Decodes a record; throws `CheckpointCorruptError` naming `what` when it is not one. */
export function decodeListingRecord(text: string, what: string): ListingRecord {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new CheckpointCorruptError(what, 'not valid JSON', { cause: err })
  }
  const r = value as Partial<ListingRecord> | null
  if (
    r === null ||
    typeof r !== 'object' ||
    r.v !== 1 ||
    !STATUSES.has(r.status as string) ||
    typeof r.optimizer !== 'string' ||
    !(r.bestScore === null || typeof r.bestScore === 'number') ||
    !Number.isSafeInteger(r.completed) ||
    !(r.pruned === undefined || Number.isSafeInteger(r.pruned)) ||
    typeof r.updatedAt !== 'number' ||
    !Number.isSafeInteger(r.revision) ||
    !Number.isSafeInteger(r.attempts) ||
    !(r.lease === null || isLease(r.lease)) ||
    !(r.control === null || r.control === 'pause' || r.control === 'cancel')
  )
    throw new CheckpointCorruptError(what, 'does not match the listing record shape')
  return r as ListingRecord
}

function isLease(l: unknown): l is Lease {
  const x = l as Partial<Lease> | null
  return (
    x !== null &&
    typeof x === 'object' &&
    typeof x.owner === 'string' &&
    Number.isSafeInteger(x.fencingToken) &&
    typeof x.expiresAt === 'number'
  )
}

/** The `SessionListing` of a record. */
export function listingOf(sessionId: string, r: ListingRecord): SessionListing {
  return {
    sessionId,
    ...(r.name !== undefined ? { name: r.name } : {}),
    status: r.problem !== undefined ? 'corrupt' : r.status,
    optimizer: r.optimizer,
    ...(r.job !== undefined ? { job: r.job } : {}),
    bestScore: r.bestScore,
    completed: r.completed,
    ...(r.pruned !== undefined ? { pruned: r.pruned } : {}),
    updatedAt: r.updatedAt,
    leaseExpiresAt: r.lease && r.lease.expiresAt > 0 ? r.lease.expiresAt : null,
    ...(r.problem !== undefined ? { problem: r.problem } : {}),
  }
}
