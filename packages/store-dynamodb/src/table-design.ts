/**
 * The single-table design: key builders and attribute names. The README's "Table design"
 * section documents the same layout; keep the two in step.
 *
 * | item                | pk                  | sk                        |
 * |---------------------|---------------------|---------------------------|
 * | session head        | `<sessionId>`       | `head`                    |
 * | trial record        | `<sessionId>`       | `trial#<inc>#<idx>` (10 digits each) |
 * | incarnation counter | `<sessionId>`       | `incarnation`             |
 * | damaged head (kept) | `<sessionId>`       | `damaged#<rev>#<random>`  |
 * | trial slot          | `<sessionId>`       | `slot#<inc>#<idx>` (10 digits each) |
 * | chunk of a value    | same pk as its item | `chunk#<chunkId>#<k>`     |
 * | trial progress      | `<sessionId>`       | `progress#<inc>#<idx>` (10 digits each) |
 * | chunk of progress   | `<sessionId>`       | `progress#<inc>#<idx>#<token>#<writeId>#<k>` |
 * | warm-start entry    | `warm#<key>`        | `run#<runId>`             |
 *
 * Session ids cannot contain `#` (see `assertSessionId`), so a session's partition never
 * collides with a `warm#` partition. Heads (`gsi1pk = session`) and warm-start entries
 * (`gsi1pk = warm`) also go into the sparse index `gsi1`; trials, slots and chunks do not.
 */

/** Partition key attribute (string). */
export const PK = 'pk'
/** Sort key attribute (string). */
export const SK = 'sk'
/** Name of the global secondary index that serves `list` and `evict`. */
export const INDEX_NAME = 'gsi1'
/** Partition key of `gsi1` (string): `session` or `warm`. */
export const GSI_PK = 'gsi1pk'
/** Sort key of `gsi1` (string): the session id, or `<key>#<runId>`. */
export const GSI_SK = 'gsi1sk'

/** `gsi1pk` of session heads. */
export const GSI_SESSIONS = 'session'
/** `gsi1pk` of warm-start entries. */
export const GSI_WARM = 'warm'

/** Sort key of a session's head item. */
export const HEAD_SK = 'head'
/** Sort key of a session's incarnation counter (survives `delete`, see `store.ts`). */
export const INCARNATION_SK = 'incarnation'
/** Sort-key prefix of trial records. */
export const TRIAL_PREFIX = 'trial#'
/** Sort-key prefix of trial slots (shared evaluation: claims and reported results). */
export const SLOT_PREFIX = 'slot#'
/** Sort-key prefix of trial progress (manifests and their chunks). */
export const PROGRESS_PREFIX = 'progress#'
/** Sort-key prefix of chunks of values over the item size limit. */
export const CHUNK_PREFIX = 'chunk#'
/** Partition-key prefix of warm-start entries. */
export const WARM_PREFIX = 'warm#'
/** Sort-key prefix of warm-start entries. */
export const RUN_PREFIX = 'run#'

/** Attribute names (ExpressionAttributeNames are used everywhere, so reserved words are fine). */
export const A = {
  /** Encoded value (binary), when it fits in the item. */
  body: 'body',
  /** When the value is chunked: the chunk set's id and how many chunks. */
  chunkId: 'chunkId',
  chunks: 'chunks',
  /** Head: revision (number). */
  rev: 'rev',
  /** Head: `progress.attempts` (number), checked by every commit. */
  attempts: 'attempts',
  /** Head and trials: the session's incarnation (number, see `store.ts`). */
  inc: 'inc',
  /** Head and trials: the fencing token of the writer (number). */
  token: 'token',
  /** Head: the lease owner (absent when no lease was ever taken). */
  owner: 'owner',
  /** Head: lease expiry, epoch ms (0 after a release). */
  leaseExpiresAt: 'leaseExpiresAt',
  /** Head: pending control request (`pause` | `cancel`), absent when none. */
  control: 'control',
  /** Head and trials: id of the store instance that wrote the item (idempotent retries). */
  writer: 'writer',
  /** Head and trials: random id of the commit that wrote the item (one per `commit` call). */
  cid: 'cid',
  /**
   * Head: a random id every write of the head item sets anew (commits, creates, lease and
   * control writes), so a commit can require "nothing changed since I last saw it" with one
   * comparison.
   */
  stamp: 'stamp',
  /**
   * Head: the first trial index whose record is carried inline on the head (`inline`), not
   * yet confirmed as a trial item; trial items below it are trusted, from it on `inline` is.
   * Absent on heads of older versions (then equal to `attempts`).
   */
  inlineFrom: 'inlineFrom',
  /** Head: records of trials `inlineFrom` … `attempts - 1` (a list of maps, see `inline.ts`). */
  inline: 'inline',
  /** Head: listing fields, canonical JSON (string), and its CRC-32 (number). */
  listing: 'listing',
  listingSum: 'listingSum',
  /** Head: plain copies of listing fields, for server-side filters of `list`. */
  status: 'status',
  optimizer: 'optimizer',
  updatedAt: 'updatedAt',
  /** Slot: the latest claim's owner, token (1, 2, … per trial), expiry (epoch ms) and random id (one per `claimTrial` call). */
  claimOwner: 'claimOwner',
  claimToken: 'claimToken',
  claimExpiresAt: 'claimExpiresAt',
  claimId: 'claimId',
  /**
   * Slot: the reported result (`body` or `chunkId` + `chunks`: canonical JSON of `{ candidate,
   * evaluation }`), its CRC-32, the owner and token of the claim that reported it, when
   * (epoch ms), and a random id per `reportTrialResult` call.
   */
  resultSum: 'resultSum',
  resultOwner: 'resultOwner',
  resultToken: 'resultToken',
  reportedAt: 'reportedAt',
  reportId: 'reportId',
  /** Incarnation counter item: the last incarnation handed out. */
  counter: 'counter',
  /** Warm-start entries. */
  warmKey: 'warmKey',
  runId: 'runId',
  lastAccessedAt: 'lastAccessedAt',
  sizeBytes: 'sizeBytes',
  writeId: 'writeId',
  /** Trial progress: the token of the save, its length in bytes and its CRC-32 (`body`, or `writeId` + `chunks`). */
  progressToken: 'progressToken',
  length: 'length',
  sum: 'sum',
} as const

/** Non-key attributes `gsi1` must project (an INCLUDE projection, or ALL). */
export const INDEX_PROJECTION: readonly string[] = [
  A.listing,
  A.listingSum,
  A.leaseExpiresAt,
  A.status,
  A.optimizer,
  A.updatedAt,
  A.warmKey,
  A.runId,
  A.lastAccessedAt,
  A.sizeBytes,
  A.writeId,
]

const IDX_DIGITS = 10

/**
 * Sort key of trial `idx` of incarnation `inc`: zero-padded so keys sort in index order. The
 * incarnation is part of the key, so a write of an earlier incarnation of the same session id
 * (a stale writer's put landing after a `delete` and a new `create`) can never land on, or be
 * read as, a trial of the current one.
 */
export function trialSk(inc: number, idx: number): string {
  return `${TRIAL_PREFIX}${String(inc).padStart(IDX_DIGITS, '0')}#${String(idx).padStart(IDX_DIGITS, '0')}`
}

/**
 * Sort key of the slot of trial `idx` of incarnation `inc` (shared evaluation). Zero-padded
 * like trial keys, so a session's slots sort in index order and a range of them is one
 * `Query`; the incarnation keeps a late claim or report on a deleted session's slot from ever
 * landing on a slot of the id's next incarnation.
 */
export function slotSk(inc: number, idx: number): string {
  return `${SLOT_PREFIX}${String(inc).padStart(IDX_DIGITS, '0')}#${String(idx).padStart(IDX_DIGITS, '0')}`
}

/**
 * Sort key of the manifest of trial `idx`'s progress in incarnation `inc`; its chunks' keys
 * start with it (see `progressChunkSk`), so one `Query` on the prefix finds everything stored
 * for the trial's progress.
 */
export function progressSk(inc: number, idx: number): string {
  return `${PROGRESS_PREFIX}${String(inc).padStart(IDX_DIGITS, '0')}#${String(idx).padStart(IDX_DIGITS, '0')}`
}

/** Sort key of chunk `k` of the save of trial `idx`'s progress with `token`, written by save `writeId`. */
export function progressChunkSk(inc: number, idx: number, token: number, writeId: string, k: number): string {
  return `${progressSk(inc, idx)}#${String(token).padStart(16, '0')}#${writeId}#${String(k).padStart(5, '0')}`
}

/** Sort key of chunk `k` of chunk set `chunkId`. */
export function chunkSk(chunkId: string, k: number): string {
  return `${CHUNK_PREFIX}${chunkId}#${String(k).padStart(5, '0')}`
}

/** Partition key of the warm-start entries of `key`. */
export function warmPk(key: string): string {
  return WARM_PREFIX + key
}

/** Sort key of the warm-start entry of `runId`. */
export function runSk(runId: string): string {
  return RUN_PREFIX + runId
}
