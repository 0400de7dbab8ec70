import { createHash, randomUUID } from 'node:crypto'
import {
  CheckpointCorruptError,
  InvalidInputError,
  LeaseLostError,
  NotFoundError,
  RevisionConflictError,
  type ReplaceDamagedHeadRequest,
  type ReplaceDamagedHeadResult,
  type SalvagedSession,
  type TrialRecord,
} from '@cairn/core'
import { decodeHead, encodeHead } from '@cairn/core/store-kit'
import { UNCOUNTED_HEAD_BYTES } from './commit.js'
import { deleteChunks, itemSize, layoutValue, readValue } from './chunks.js'
import type { StoreContext } from './context.js'
import { av, num, str, type Item } from './db.js'
import { headContentAttrs, leaseOf, listingOf } from './head-item.js'
import { readHead } from './read-head.js'
import { A, GSI_PK, GSI_SK, HEAD_SK, PK, SK } from './table-design.js'

/** Sort-key prefix of the damaged head items `replaceDamagedHead` keeps. */
export const DAMAGED_PREFIX = 'damaged#'

/** Reads the trial log the way `readTrials` does: from the head item's attributes, never its encoded head. */
export type TrialReader = (sessionId: string) => Promise<TrialRecord[]>

/**
 * The head item of a session whose head is damaged, or null when it reads. `trusted` is false
 * when the encoded head itself decodes and only the item's attributes disagree with it: the
 * attributes are then what is damaged, and no trial count taken from them can be vouched for.
 */
async function damagedItem(ctx: StoreContext, sessionId: string): Promise<{ item: Item; problem: string; trusted: boolean } | null> {
  let problem: string
  try {
    await readHead(ctx, sessionId)
    return null
  } catch (err) {
    if (!(err instanceof CheckpointCorruptError)) throw err
    problem = err.message
  }
  const item = await ctx.db.get(sessionId, HEAD_SK)
  if (!item) throw new NotFoundError(`session "${sessionId}"`)
  let trusted = true
  const bytes = await readValue(ctx.db, sessionId, item).catch(() => undefined)
  if (bytes) {
    try {
      decodeHead(bytes, `head of session "${sessionId}"`)
      trusted = false
    } catch {
      // the encoded head is what is damaged
    }
  }
  return { item, problem, trusted }
}

/** What lease and control operations change on a head item: not part of the damage (the put is conditional on the stamp). */
const MOVING: ReadonlySet<string> = new Set([A.owner, A.token, A.leaseExpiresAt, A.control, A.stamp])

/** Names the damaged item as read: every attribute but those lease and control operations move. */
function damageOf(item: Item): string {
  const hash = createHash('sha256')
  for (const name of Object.keys(item).sort()) {
    if (MOVING.has(name)) continue
    hash.update(`${name}\u0000`)
    const v = item[name] as unknown as Record<string, unknown>
    hash.update(v.B instanceof Uint8Array ? Buffer.from(v.B) : JSON.stringify(v))
  }
  return hash.digest('hex')
}

/**
 * What can be vouched for about a session whose encoded head does not decode: the head item's
 * own attributes (revision, trial count, incarnation, inline trial records, checksummed
 * listing, lease), written in the same conditional put as the encoded head, and the trial
 * records they point to.
 */
export async function salvage(ctx: StoreContext, sessionId: string, readTrials: TrialReader): Promise<SalvagedSession | null> {
  const found = await damagedItem(ctx, sessionId)
  if (!found) return null
  const { item, problem, trusted } = found
  const out: SalvagedSession = {
    sessionId,
    problem,
    damage: damageOf(item),
    revision: num(item, A.rev) ?? null,
    listing: null,
    trials: null,
    lease: leaseOf(item),
  }
  try {
    const listing = listingOf(item, sessionId)
    out.listing = listing.status === 'corrupt' ? null : listing
  } catch {
    // damaged too: no listing
  }
  if (!trusted) {
    out.trialsProblem = 'the encoded head decodes, but the head item attributes disagree with it: they are what is damaged'
    return out
  }
  try {
    out.trials = await readTrials(sessionId)
  } catch (err) {
    out.trialsProblem = err instanceof Error ? err.message : String(err)
  }
  return out
}

/**
 * Keeps the damaged head item under `sk = damaged#<revision>#<random>` (outside the list
 * index; its chunks, if any, stay where they are), then puts the rebuilt head item in its
 * place on the condition that the item is still the one salvaged (its stamp). Incarnation,
 * lease, control flag and inline trial records carry over.
 */
export async function replaceDamagedHead(
  ctx: StoreContext,
  sessionId: string,
  request: ReplaceDamagedHeadRequest,
  readTrials: TrialReader,
): Promise<ReplaceDamagedHeadResult> {
  const found = await damagedItem(ctx, sessionId)
  const rev = num(found?.item, A.rev)
  if (!found || damageOf(found.item) !== request.damage) throw new RevisionConflictError(sessionId, rev ?? 0, undefined)
  const { item } = found
  const lease = leaseOf(item)
  if (!lease || lease.fencingToken !== request.fencingToken)
    throw new LeaseLostError(sessionId, `fencing token ${request.fencingToken} is stale (current ${lease?.fencingToken ?? 'none'})`)
  if (!found.trusted)
    throw new InvalidInputError('the head item attributes disagree with its encoded head: the trial log cannot be vouched for', 'trials')
  const trials = await readTrials(sessionId).catch((err: unknown) => {
    throw new InvalidInputError(`the trial log cannot be vouched for: ${err instanceof Error ? err.message : String(err)}`, 'trials')
  })
  if (request.head.progress?.attempts !== trials.length)
    throw new InvalidInputError(`must be ${trials.length}, the number of trials in the log`, 'head.progress.attempts')

  const revision = (rev ?? 0) + 1
  const stamp = randomUUID()
  const { [A.body]: _b, [A.chunkId]: _c, [A.chunks]: _n, ...kept } = item
  const content: Item = {
    ...kept,
    ...headContentAttrs(request.head, revision),
    [A.writer]: av.s(ctx.writer),
    [A.cid]: av.s(stamp),
    [A.stamp]: av.s(stamp),
  }
  const value = layoutValue(sessionId, encodeHead({ ...request.head, revision, lease: null }), itemSize(content) + UNCOUNTED_HEAD_BYTES)
  const keptSk = `${DAMAGED_PREFIX}${String(rev ?? 0).padStart(10, '0')}#${randomUUID().slice(0, 8)}`
  const { [GSI_PK]: _gp, [GSI_SK]: _gs, ...aside } = item
  await ctx.db.put({ Item: { ...aside, [PK]: av.s(sessionId), [SK]: av.s(keptSk) } })
  if (value.chunkItems.length > 0) await ctx.db.batchPut(value.chunkItems)
  const stampSeen = str(item, A.stamp)
  const out = await ctx.db.put({
    Item: { ...content, ...value.attrs },
    ConditionExpression: stampSeen !== undefined ? '#stamp = :stamp' : 'attribute_not_exists(#stamp) AND #rev = :rev',
    ExpressionAttributeNames: stampSeen !== undefined ? { '#stamp': A.stamp } : { '#stamp': A.stamp, '#rev': A.rev },
    ExpressionAttributeValues: stampSeen !== undefined ? { ':stamp': av.s(stampSeen) } : { ':rev': av.n(rev ?? 0) },
  })
  ctx.heads.forget(sessionId)
  if (!out.ok) {
    if (value.chunkId)
      await deleteChunks(ctx.db, sessionId, { chunkId: value.chunkId, chunks: value.chunks as number }).catch(() => undefined)
    await ctx.db.delete({ Key: ctx.db.key(sessionId, keptSk) }).catch(() => undefined)
    throw new RevisionConflictError(sessionId, rev ?? 0, num(out.current, A.rev))
  }
  return { revision, keptAs: `table "${ctx.db.tableName}", pk "${sessionId}", sk "${keptSk}"` }
}
