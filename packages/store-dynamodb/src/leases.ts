import { randomUUID } from 'node:crypto'
import { AlreadyRunningError, LeaseLostError, NotFoundError, type ControlRequest, type Lease } from '@cairn/core'
import type { StoreContext } from './context.js'
import { av, num, str } from './db.js'
import { leaseOf } from './head-item.js'
import { A, HEAD_SK, PK } from './table-design.js'

const LEASE_ATTRS = [A.owner, A.token, A.leaseExpiresAt] as const
/** Re-reads and retries of a renewal whose conditional write was refused while the lease still looks like ours. */
const RENEW_ROUNDS = 3

/**
 * Takes the lease in one conditional update: allowed when no one holds it, it expired, or
 * `owner` holds it already. The token goes up by one every time.
 */
export async function acquireLease(ctx: StoreContext, sessionId: string, owner: string, ttlMs: number): Promise<Lease> {
  const now = Date.now()
  const expiresAt = now + ttlMs
  const stamp = randomUUID()
  const out = await ctx.db.update({
    Key: ctx.db.key(sessionId, HEAD_SK),
    UpdateExpression: 'SET #token = if_not_exists(#token, :zero) + :one, #owner = :owner, #exp = :exp, #stamp = :stamp',
    ConditionExpression: 'attribute_exists(#pk) AND (attribute_not_exists(#owner) OR #owner = :owner OR #exp <= :now)',
    ExpressionAttributeNames: { '#pk': PK, '#token': A.token, '#owner': A.owner, '#exp': A.leaseExpiresAt, '#stamp': A.stamp },
    ExpressionAttributeValues: {
      ':zero': av.n(0),
      ':one': av.n(1),
      ':owner': av.s(owner),
      ':exp': av.n(expiresAt),
      ':now': av.n(now),
      ':stamp': av.s(stamp),
    },
    ReturnValues: 'UPDATED_NEW',
    ReturnValuesOnConditionCheckFailure: 'NONE',
  })
  if (!out.ok) {
    const current = await ctx.db.get(sessionId, HEAD_SK, LEASE_ATTRS)
    if (!current) throw new NotFoundError(`session "${sessionId}"`)
    const leaseExpiresAt = num(current, A.leaseExpiresAt)
    throw new AlreadyRunningError(sessionId, str(current, A.owner), undefined, leaseExpiresAt === undefined ? {} : { leaseExpiresAt })
  }
  const token = num(out.value, A.token)
  if (token === undefined) throw new Error('[@cairn/store-dynamodb] UpdateItem did not return the new fencing token')
  return { owner, fencingToken: token, expiresAt }
}

/**
 * Extends a lease held with `lease.fencingToken`. A refused write is re-read before the lease
 * is declared lost: when the item still shows our owner and token the write either landed
 * (only its answer was lost; the stored expiry is ours) or is retried.
 */
export async function renewLease(ctx: StoreContext, sessionId: string, lease: Lease, ttlMs: number): Promise<Lease> {
  for (let round = 0; ; round++) {
    const expiresAt = Date.now() + ttlMs
    const stamp = randomUUID()
    const out = await ctx.db.update({
      Key: ctx.db.key(sessionId, HEAD_SK),
      UpdateExpression: 'SET #exp = :exp, #stamp = :stamp',
      ConditionExpression: '#token = :token AND #owner = :owner',
      ExpressionAttributeNames: { '#token': A.token, '#owner': A.owner, '#exp': A.leaseExpiresAt, '#stamp': A.stamp },
      ExpressionAttributeValues: {
        ':token': av.n(lease.fencingToken),
        ':owner': av.s(lease.owner),
        ':exp': av.n(expiresAt),
        ':stamp': av.s(stamp),
      },
      ReturnValuesOnConditionCheckFailure: 'NONE',
    })
    if (out.ok) return { owner: lease.owner, fencingToken: lease.fencingToken, expiresAt }
    const current = await ctx.db.get(sessionId, HEAD_SK, LEASE_ATTRS)
    if (!current) throw new NotFoundError(`session "${sessionId}"`)
    const stored = leaseOf(current)
    if (!stored || stored.owner !== lease.owner || stored.fencingToken !== lease.fencingToken)
      throw new LeaseLostError(
        sessionId,
        `token ${lease.fencingToken} was superseded by ${stored?.fencingToken ?? 'none'}${stored ? ` (owner ${stored.owner})` : ''}`,
      )
    // Still ours. If the stored expiry is the one we wrote, the write landed.
    if (stored.expiresAt === expiresAt || round + 1 >= RENEW_ROUNDS) return { ...stored }
  }
}

/** Expires the lease now, keeping owner and token. A no-op when someone else holds it (or the session is gone). */
export async function releaseLease(ctx: StoreContext, sessionId: string, lease: Lease): Promise<void> {
  await ctx.db.update({
    Key: ctx.db.key(sessionId, HEAD_SK),
    UpdateExpression: 'SET #exp = :zero, #stamp = :stamp',
    ConditionExpression: '#token = :token AND #owner = :owner',
    ExpressionAttributeNames: { '#token': A.token, '#owner': A.owner, '#exp': A.leaseExpiresAt, '#stamp': A.stamp },
    ExpressionAttributeValues: {
      ':token': av.n(lease.fencingToken),
      ':owner': av.s(String(lease.owner)),
      ':zero': av.n(0),
      ':stamp': av.s(randomUUID()),
    },
    ReturnValuesOnConditionCheckFailure: 'NONE',
  })
}

/** Raises the pause / cancel flag of a running session (a cancel is never downgraded to a pause). */
export async function requestControl(ctx: StoreContext, sessionId: string, request: ControlRequest): Promise<void> {
  const stamp = randomUUID()
  const out = await ctx.db.update({
    Key: ctx.db.key(sessionId, HEAD_SK),
    UpdateExpression: 'SET #control = :request, #stamp = :stamp',
    ConditionExpression: 'attribute_exists(#pk) AND #status = :running AND (attribute_not_exists(#control) OR #control <> :cancel)',
    ExpressionAttributeNames: { '#pk': PK, '#status': A.status, '#control': A.control, '#stamp': A.stamp },
    ExpressionAttributeValues: { ':request': av.s(request), ':running': av.s('running'), ':cancel': av.s('cancel'), ':stamp': av.s(stamp) },
    ReturnValuesOnConditionCheckFailure: 'NONE',
  })
  if (!out.ok) {
    const current = await ctx.db.get(sessionId, HEAD_SK, [PK])
    if (!current) throw new NotFoundError(`session "${sessionId}"`)
  }
}
