import { isCairnError, type ClaimNextRequest, type TrialClaim, type TrialResultReport } from '@cairn/core'
import type { StoreContext } from './context.js'
import { av, num, project, str, type Item } from './db.js'
import { hasResult } from './slot-item.js'
import { claimTrial, incarnationOf, reportTrialResult } from './slots.js'
import { A, PK, SK, slotSk } from './table-design.js'

/**
 * A worker's report and its claim of its next trial in one store call: the report's
 * `UpdateItem` and one strongly consistent `Query` of the claim attributes of `next.trialIdxs`
 * (their key range, no result values) run together; once the report is stored, the first of
 * them that the query saw claimable is claimed with `claimTrial`'s conditional `UpdateItem`
 * (one lost to another worker meanwhile moves on to the next). So the claim costs one write
 * and one read, and its round trip follows the report's instead of the coordinator's commit.
 */
export async function reportAndClaimTrial(
  ctx: StoreContext,
  sessionId: string,
  claim: TrialClaim,
  report: TrialResultReport,
  next: ClaimNextRequest,
): Promise<TrialClaim | null> {
  const candidates = next.trialIdxs.filter((idx) => idx !== claim.trialIdx)
  const [, open] = await Promise.all([reportTrialResult(ctx, sessionId, claim, report), claimable(ctx, sessionId, candidates)])
  for (const trialIdx of open) {
    try {
      return await claimTrial(ctx, sessionId, { trialIdx, owner: next.owner, ttlMs: next.ttlMs })
    } catch (err) {
      if (!isCairnError(err, 'TRIAL_CLAIMED')) throw err
    }
  }
  return null
}

/** The trials of `trialIdxs` (in their order) whose slot has no result and no live claim, by one `Query` of their key range. */
async function claimable(ctx: StoreContext, sessionId: string, trialIdxs: readonly number[]): Promise<number[]> {
  if (trialIdxs.length === 0) return []
  const inc = await incarnationOf(ctx, sessionId)
  const lo = Math.min(...trialIdxs)
  const hi = Math.max(...trialIdxs)
  const projection = project([SK, A.claimToken, A.claimExpiresAt, A.resultToken])
  const items = await ctx.db.queryAll({
    KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
    ProjectionExpression: projection.ProjectionExpression,
    ExpressionAttributeNames: { ...projection.ExpressionAttributeNames, '#pk': PK, '#sk': SK },
    ExpressionAttributeValues: { ':pk': av.s(sessionId), ':lo': av.s(slotSk(inc, lo)), ':hi': av.s(slotSk(inc, hi)) },
    ConsistentRead: true,
  })
  const bySk = new Map<string | undefined, Item>(items.map((it) => [str(it, SK), it]))
  const now = Date.now()
  return trialIdxs.filter((idx) => {
    const item = bySk.get(slotSk(inc, idx))
    if (!item) return true
    if (hasResult(item)) return false
    const expiresAt = num(item, A.claimExpiresAt)
    return num(item, A.claimToken) === undefined || expiresAt === undefined || expiresAt <= now
  })
}
