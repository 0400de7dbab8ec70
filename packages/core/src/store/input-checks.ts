import { InvalidInputError } from '../errors.js'
import { MAX_LEASE_TTL_MS } from '../input/durations.js'
import { optionKinds as k } from '../input/option-kinds.js'
import { defineOptions, describeValue, type OptionsSchema } from '../input/options-schema.js'
import type { ControlRequest, Lease } from '../checkpoint/types.js'
import type { CommitRequest, ListFilter, ReadTrialsOptions, ReplaceDamagedHeadRequest } from './contract.js'
import { assertSessionId } from './session-id.js'
import type { EvictOptions, LookupOptions } from './warm-start-contract.js'

/**
 * The input checks every store makes, written once: each throws `InvalidInputError` naming
 * the field (an `UnknownOptionError` for an unknown option key) before the store reads or
 * writes anything. A store calls them first thing in each method; `@cairn/testkit`'s suites
 * hold every store to them.
 */

/** The longest lease owner name a store accepts. */
export const MAX_OWNER_LENGTH = 512
/** The longest warm-start key or run id a store accepts. */
export const MAX_WARM_START_ID_LENGTH = 256

const SESSION_STATUSES = ['running', 'paused', 'completed', 'failed', 'cancelled', 'corrupt'] as const

/** A lease owner: a non-empty string of at most 512 characters. */
export function checkOwner(owner: unknown, field = 'owner'): asserts owner is string {
  if (typeof owner !== 'string' || owner.length === 0 || owner.length > MAX_OWNER_LENGTH)
    throw new InvalidInputError(`must be a non-empty string of at most ${MAX_OWNER_LENGTH} characters, got ${describeValue(owner)}`, field)
}

/** A lease time-to-live: a positive number of milliseconds, at most `MAX_LEASE_TTL_MS` (24 hours). */
export function checkLeaseTtl(ttlMs: unknown, field = 'ttlMs'): asserts ttlMs is number {
  if (typeof ttlMs !== 'number' || !(ttlMs > 0) || !(ttlMs <= MAX_LEASE_TTL_MS))
    throw new InvalidInputError(
      `must be a positive number of milliseconds of at most ${MAX_LEASE_TTL_MS} (24 hours), got ${describeValue(ttlMs)}`,
      field,
    )
}

/** A fencing token: a positive safe integer. */
export function checkFencingToken(token: unknown, field = 'fencingToken'): asserts token is number {
  if (!Number.isSafeInteger(token) || (token as number) < 1)
    throw new InvalidInputError(`must be a positive integer, got ${describeValue(token)}`, field)
}

/** A revision: a non-negative safe integer. */
export function checkRevision(revision: unknown, field = 'expectedRevision'): asserts revision is number {
  if (!Number.isSafeInteger(revision) || (revision as number) < 0)
    throw new InvalidInputError(`must be a non-negative integer, got ${describeValue(revision)}`, field)
}

/** A lease as `renewLease` / `releaseLease` take it: `{ owner, fencingToken, expiresAt }`. */
export function checkLease(lease: unknown, field = 'lease'): asserts lease is Lease {
  if (lease === null || typeof lease !== 'object')
    throw new InvalidInputError(`must be a lease { owner, fencingToken, expiresAt }, got ${describeValue(lease)}`, field)
  const l = lease as Partial<Lease>
  checkOwner(l.owner, `${field}.owner`)
  checkFencingToken(l.fencingToken, `${field}.fencingToken`)
  if (typeof l.expiresAt !== 'number' || !Number.isFinite(l.expiresAt))
    throw new InvalidInputError(`must be a finite number (epoch ms), got ${describeValue(l.expiresAt)}`, `${field}.expiresAt`)
}

/** A control request: `pause` or `cancel`. */
export function checkControlRequest(request: unknown): asserts request is ControlRequest {
  if (request !== 'pause' && request !== 'cancel')
    throw new InvalidInputError(`must be "pause" or "cancel", got ${describeValue(request)}`, 'request')
}

/** `create`'s head: an object with a valid `sessionId`, revision 0 and (when set) a valid lease. */
export function checkNewHead(head: unknown): void {
  if (head === null || typeof head !== 'object')
    throw new InvalidInputError(`must be a checkpoint head, got ${describeValue(head)}`, 'head')
  const h = head as { sessionId?: unknown; revision?: unknown; lease?: unknown }
  assertSessionId(h.sessionId, 'head.sessionId')
  if (h.revision !== 0) throw new InvalidInputError(`a new session must have revision 0, got ${describeValue(h.revision)}`, 'head.revision')
  if (h.lease !== null && h.lease !== undefined) checkLease(h.lease, 'head.lease')
}

/**
 * `commit`'s arguments: a valid session id, a request with a revision, a fencing token, a head
 * of the same session, and trials (an array of records with integer indexes).
 */
export function checkCommitRequest(sessionId: unknown, request: unknown): asserts request is CommitRequest {
  assertSessionId(sessionId)
  if (request === null || typeof request !== 'object')
    throw new InvalidInputError(`must be { expectedRevision, fencingToken, head, trials }, got ${describeValue(request)}`, 'request')
  const r = request as Partial<CommitRequest>
  checkRevision(r.expectedRevision)
  checkFencingToken(r.fencingToken)
  if (r.head === null || typeof r.head !== 'object')
    throw new InvalidInputError(`must be a checkpoint head, got ${describeValue(r.head)}`, 'head')
  if (r.head.sessionId !== sessionId)
    throw new InvalidInputError(`is ${describeValue(r.head.sessionId)}, committing to "${sessionId}"`, 'head.sessionId')
  if (!Array.isArray(r.trials)) throw new InvalidInputError(`must be an array of trial records, got ${describeValue(r.trials)}`, 'trials')
  r.trials.forEach((t: unknown, i) => {
    if (t === null || typeof t !== 'object' || !Number.isSafeInteger((t as { trialIdx?: unknown }).trialIdx))
      throw new InvalidInputError('must be a trial record with an integer trialIdx', `trials.${i}`)
  })
}

/**
 * `replaceDamagedHead`'s arguments: a valid session id and `{ damage, fencingToken, head }` with
 * a non-empty `damage` token (as `salvage` returned it), a fencing token, and a head of the same
 * session whose `progress.attempts` is a non-negative integer. (`salvage` takes only a session
 * id: `assertSessionId`.)
 */
export function checkReplaceDamagedHeadRequest(sessionId: unknown, request: unknown): asserts request is ReplaceDamagedHeadRequest {
  assertSessionId(sessionId)
  if (request === null || typeof request !== 'object')
    throw new InvalidInputError(`must be { damage, fencingToken, head }, got ${describeValue(request)}`, 'request')
  const r = request as Partial<ReplaceDamagedHeadRequest>
  if (typeof r.damage !== 'string' || r.damage.length === 0)
    throw new InvalidInputError(`must be the damage token salvage returned (a non-empty string), got ${describeValue(r.damage)}`, 'damage')
  checkFencingToken(r.fencingToken)
  if (r.head === null || typeof r.head !== 'object')
    throw new InvalidInputError(`must be a checkpoint head, got ${describeValue(r.head)}`, 'head')
  if (r.head.sessionId !== sessionId)
    throw new InvalidInputError(`is ${describeValue(r.head.sessionId)}, replacing the head of "${sessionId}"`, 'head.sessionId')
  const attempts = (r.head as { progress?: { attempts?: unknown } }).progress?.attempts
  if (!Number.isSafeInteger(attempts) || (attempts as number) < 0)
    throw new InvalidInputError(`must be a non-negative integer, got ${describeValue(attempts)}`, 'head.progress.attempts')
}

const ListFilterSchema: OptionsSchema<ListFilter> = defineOptions<ListFilter>('list', {
  status: k.optional(
    k.union(
      [k.oneOf(SESSION_STATUSES), k.arrayOf(k.oneOf(SESSION_STATUSES))],
      `must be a status (${SESSION_STATUSES.join(', ')}) or an array of them`,
    ),
  ),
  optimizer: k.optional(k.string()),
  updatedSince: k.optional(k.number()),
  limit: k.optional(k.integer(1)),
  cursor: k.optional(k.string(0)),
})

/** `list`'s filter: known keys only, statuses that exist, a positive integer `limit`, a string `cursor`. */
export function checkListFilter(filter: unknown): asserts filter is ListFilter {
  if (filter === undefined) return
  ListFilterSchema.check(filter, undefined, 'list')
}

const ReadTrialsSchema: OptionsSchema<ReadTrialsOptions> = defineOptions<ReadTrialsOptions>('readTrials', {
  from: k.optional(k.integer(0)),
  limit: k.optional(k.integer(0)),
})

/** `readTrials`' arguments: a valid session id; `from` and `limit` non-negative integers. */
export function checkReadTrialsOptions(sessionId: unknown, options: unknown): asserts options is ReadTrialsOptions | undefined {
  assertSessionId(sessionId)
  if (options !== undefined) ReadTrialsSchema.check(options)
}

/** A warm-start key or run id: a non-empty string of at most 256 characters. */
export function checkWarmStartId(value: unknown, field: 'key' | 'runId'): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_WARM_START_ID_LENGTH)
    throw new InvalidInputError(
      `must be a non-empty string of at most ${MAX_WARM_START_ID_LENGTH} characters, got ${describeValue(value)}`,
      field,
    )
}

const LookupSchema: OptionsSchema<LookupOptions> = defineOptions<LookupOptions>('lookup', {
  producerVersion: k.optional(k.string(0)),
})

/** `lookup`'s arguments: a valid key and known options. */
export function checkLookup(key: unknown, options?: unknown): asserts key is string {
  checkWarmStartId(key, 'key')
  if (options !== undefined) LookupSchema.check(options)
}

const EvictSchema: OptionsSchema<EvictOptions> = defineOptions<EvictOptions>('evict', {
  maxBytes: k.optional(k.integer(0)),
  ttlMs: k.optional(k.number(0, Number.MAX_SAFE_INTEGER)),
  now: k.optional(k.number(0, Number.MAX_SAFE_INTEGER)),
})

/** `evict`'s options: known keys, a non-negative integer `maxBytes`, finite non-negative `ttlMs` and `now`. */
export function checkEvictOptions(options: unknown): asserts options is EvictOptions {
  EvictSchema.check(options, undefined, 'evict')
}
