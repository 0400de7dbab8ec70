import { randomUUID } from 'node:crypto'
import { crc32 } from 'node:zlib'
import {
  CheckpointCorruptError,
  ClaimLostError,
  NotFoundError,
  TrialClaimedError,
  type ClaimTrialRequest,
  type TrialClaim,
  type TrialResultReport,
  type TrialSlot,
} from '@cairn/core'
import { deleteChunks, itemSize, layoutValue, readValue } from './chunks.js'
import type { StoreContext } from './context.js'
import { av, num, str, type Item } from './db.js'
import { claimOf, emptySlot, encodeResult, hasResult, resultOf } from './slot-item.js'
import { A, HEAD_SK, PK, SK, slotSk } from './table-design.js'

/**
 * `readTrialSlots` reads a key range with one `Query` when the asked indices fill at least
 * 1 / QUERY_SPAN of it (pending trials are contiguous), else the asked keys with `BatchGetItem`.
 */
const QUERY_SPAN = 4

/** Bytes of a slot item's claim attributes besides the owner's name (names, a uuid, numbers), counted from above. */
const CLAIM_ATTR_BYTES = 160

/** Attribute names of the claim, for condition expressions. */
const CLAIM_NAMES = { '#token': A.claimToken, '#owner': A.claimOwner, '#exp': A.claimExpiresAt, '#rtoken': A.resultToken }

/**
 * The session's incarnation, which every slot key carries: from the head this instance last
 * wrote or read (a worker loads the head before it claims; a coordinator commits it), else
 * one strongly consistent read of the head item's `inc`. Throws `NotFoundError`.
 */
export async function incarnationOf(ctx: StoreContext, sessionId: string): Promise<number> {
  const known = ctx.heads.get(sessionId)
  if (known) return known.inc
  return storedIncarnation(ctx, sessionId)
}

async function storedIncarnation(ctx: StoreContext, sessionId: string): Promise<number> {
  const head = await ctx.db.get(sessionId, HEAD_SK, [A.inc])
  if (!head) throw new NotFoundError(`session "${sessionId}"`)
  const inc = num(head, A.inc)
  if (inc === undefined) throw new CheckpointCorruptError(`head of session "${sessionId}"`, 'incarnation attribute is missing')
  return inc
}

/**
 * One conditional `UpdateItem` of the slot: allowed when it holds no result and no live claim
 * (never claimed, or the claim's expiry passed by the writer's clock). The token goes up by
 * one on every claim. A refusal whose item shows this very call's `claimId` is this call's own
 * write, retried by the SDK after its answer was lost.
 */
export async function claimTrial(ctx: StoreContext, sessionId: string, request: ClaimTrialRequest): Promise<TrialClaim> {
  const { trialIdx, owner, ttlMs } = request
  const inc = await incarnationOf(ctx, sessionId)
  const now = Date.now()
  const expiresAt = now + ttlMs
  const claimId = randomUUID()
  const out = await ctx.db.update({
    Key: ctx.db.key(sessionId, slotSk(inc, trialIdx)),
    UpdateExpression: 'SET #token = if_not_exists(#token, :zero) + :one, #owner = :owner, #exp = :exp, #cid = :cid',
    ConditionExpression: 'attribute_not_exists(#rtoken) AND (attribute_not_exists(#token) OR #exp <= :now)',
    ExpressionAttributeNames: { ...CLAIM_NAMES, '#cid': A.claimId },
    ExpressionAttributeValues: {
      ':zero': av.n(0),
      ':one': av.n(1),
      ':owner': av.s(owner),
      ':exp': av.n(expiresAt),
      ':now': av.n(now),
      ':cid': av.s(claimId),
    },
    ReturnValues: 'UPDATED_NEW',
  })
  if (out.ok) {
    const token = num(out.value, A.claimToken)
    if (token === undefined) throw new Error('[@cairn/store-dynamodb] UpdateItem did not return the new claim token')
    return { trialIdx, owner, token, expiresAt }
  }
  const current = out.current
  const token = num(current, A.claimToken)
  if (str(current, A.claimId) === claimId && token !== undefined) return { trialIdx, owner, token, expiresAt }
  if (hasResult(current)) throw new TrialClaimedError(sessionId, trialIdx, { reported: true })
  const holder = str(current, A.claimOwner)
  throw new TrialClaimedError(sessionId, trialIdx, holder === undefined ? {} : { owner: holder })
}

/**
 * One conditional `UpdateItem` of the slot's expiry, on the claim still being the trial's
 * current one (token and owner), unexpired, and without a result. Idempotent, so a retry of a
 * write whose answer was lost lands again.
 */
export async function renewTrialClaim(ctx: StoreContext, sessionId: string, claim: TrialClaim, ttlMs: number): Promise<TrialClaim> {
  const inc = await incarnationOf(ctx, sessionId)
  const now = Date.now()
  const expiresAt = now + ttlMs
  const out = await ctx.db.update({
    Key: ctx.db.key(sessionId, slotSk(inc, claim.trialIdx)),
    UpdateExpression: 'SET #exp = :exp',
    ...heldCondition(claim, now, { ':exp': av.n(expiresAt) }),
  })
  if (!out.ok) throw await claimLost(ctx, sessionId, inc, claim, out.current, now)
  return { ...claim, expiresAt }
}

/**
 * Stores a result once: one conditional `UpdateItem` of the slot on the claim being held (as
 * for a renewal) and no result stored. A result past the item size limit is written as chunk
 * items first (random chunk id) and removed again when the update is refused; a refused report
 * therefore leaves nothing. A refusal whose item shows this call's `reportId` is its own
 * write, retried by the SDK after its answer was lost.
 */
export async function reportTrialResult(ctx: StoreContext, sessionId: string, claim: TrialClaim, report: TrialResultReport): Promise<void> {
  const inc = await incarnationOf(ctx, sessionId)
  const bytes = encodeResult(report)
  const reportId = randomUUID()
  const sk = slotSk(inc, claim.trialIdx)
  const meta: Item = {
    [A.resultToken]: av.n(claim.token),
    [A.resultOwner]: av.s(claim.owner),
    [A.reportId]: av.s(reportId),
    [A.resultSum]: av.n(crc32(bytes)),
  }
  // Besides these the item keeps its claim attributes (the owner once more, a claim id,
  // numbers) and gets `reportedAt`.
  const others = itemSize({ [PK]: av.s(sessionId), [SK]: av.s(sk), ...meta }) + claim.owner.length + CLAIM_ATTR_BYTES
  const value = layoutValue(sessionId, bytes, others)
  if (value.chunkItems.length > 0) await ctx.db.batchPut(value.chunkItems)
  const now = Date.now()
  const set = { ...meta, [A.reportedAt]: av.n(now), ...value.attrs }
  const names: Record<string, string> = {}
  const values: Item = {}
  const assignments = Object.entries(set).map(([name, v], i) => {
    names[`#r${i}`] = name
    values[`:r${i}`] = v
    return `#r${i} = :r${i}`
  })
  const out = await ctx.db.update({
    Key: ctx.db.key(sessionId, sk),
    UpdateExpression: `SET ${assignments.join(', ')}`,
    ...heldCondition(claim, now, values, names),
  })
  if (out.ok || str(out.current, A.reportId) === reportId) return
  if (value.chunkId)
    await deleteChunks(ctx.db, sessionId, { chunkId: value.chunkId, chunks: value.chunks as number }).catch(() => undefined)
  throw await claimLost(ctx, sessionId, inc, claim, out.current, now)
}

/**
 * The slots of `trialIdxs`, in the order asked (repeats included): one strongly consistent
 * `Query` over the key range of the asked indices when they are dense in it, else one
 * `BatchGetItem` of their keys (100 per request); then the chunks of any result stored in chunks.
 */
export async function readTrialSlots(ctx: StoreContext, sessionId: string, trialIdxs: readonly number[]): Promise<TrialSlot[]> {
  const inc = await incarnationOf(ctx, sessionId)
  if (trialIdxs.length === 0) return []
  const wanted = [...new Set(trialIdxs)].sort((a, b) => a - b)
  const lo = wanted[0] as number
  const hi = wanted[wanted.length - 1] as number
  const items =
    hi - lo + 1 <= QUERY_SPAN * wanted.length
      ? await ctx.db.queryAll({
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
          ExpressionAttributeValues: { ':pk': av.s(sessionId), ':lo': av.s(slotSk(inc, lo)), ':hi': av.s(slotSk(inc, hi)) },
          ConsistentRead: true,
        })
      : await ctx.db.batchGet(wanted.map((idx) => ctx.db.key(sessionId, slotSk(inc, idx))))
  const bySk = new Map(items.map((it) => [str(it, SK), it]))
  const slots = new Map<number, TrialSlot>()
  await Promise.all(
    wanted.map(async (idx) => {
      const item = bySk.get(slotSk(inc, idx))
      slots.set(idx, item ? await slotOf(ctx, sessionId, idx, item) : emptySlot(idx))
    }),
  )
  return trialIdxs.map((idx) => slots.get(idx) as TrialSlot)
}

async function slotOf(ctx: StoreContext, sessionId: string, trialIdx: number, item: Item): Promise<TrialSlot> {
  const what = `slot of trial ${trialIdx} of session "${sessionId}"`
  const claim = claimOf(item, trialIdx, what)
  if (!hasResult(item)) return { trialIdx, claim, result: null }
  const bytes = await readValue(ctx.db, sessionId, item)
  if (!bytes) {
    // A result is written once and its chunks are removed only with the session.
    await storedIncarnation(ctx, sessionId)
    throw new CheckpointCorruptError(what, 'the chunks of its result are missing')
  }
  return { trialIdx, claim, result: resultOf(item, bytes, what) }
}

/** The condition of a renewal or a report: `claim` is the trial's current claim, unexpired at `now`, and no result is stored. */
function heldCondition(
  claim: TrialClaim,
  now: number,
  values: Item,
  names: Record<string, string> = {},
): { ConditionExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues: Item } {
  return {
    ConditionExpression: '#token = :token AND #owner = :owner AND #exp > :now AND attribute_not_exists(#rtoken)',
    ExpressionAttributeNames: { ...CLAIM_NAMES, ...names },
    ExpressionAttributeValues: { ':token': av.n(claim.token), ':owner': av.s(claim.owner), ':now': av.n(now), ...values },
  }
}

/** Why a renewal or report of `claim` was refused, given the slot item as it was (`NotFoundError` when the session is gone). */
async function claimLost(
  ctx: StoreContext,
  sessionId: string,
  inc: number,
  claim: TrialClaim,
  current: Item | undefined,
  now: number,
): Promise<Error> {
  const lost = (detail: string): ClaimLostError => new ClaimLostError(sessionId, claim.trialIdx, detail)
  if (!current) {
    // No slot item: the trial was never claimed, or the session is gone (or was created again).
    if ((await storedIncarnation(ctx, sessionId)) !== inc) return lost('the session was deleted and created again')
    return lost('the trial was never claimed')
  }
  const token = num(current, A.claimToken)
  const owner = str(current, A.claimOwner)
  const resultToken = num(current, A.resultToken)
  if (resultToken !== undefined)
    return lost(
      resultToken === claim.token
        ? 'its result was already reported'
        : `a result was already reported by ${str(current, A.resultOwner) ?? '?'} (token ${resultToken})`,
    )
  if (token !== claim.token || owner !== claim.owner)
    return lost(`the trial's current claim is ${owner ?? '?'}'s (token ${token ?? 'none'}), not token ${claim.token} of ${claim.owner}`)
  const expiresAt = num(current, A.claimExpiresAt) ?? 0
  return lost(expiresAt <= now ? `it lapsed at ${new Date(expiresAt).toISOString()}` : 'the slot changed meanwhile; try again')
}
