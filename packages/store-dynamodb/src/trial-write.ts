import { RevisionConflictError, type TrialRecord } from '@cairn/core'
import { encodeTrial } from '@cairn/core/store-kit'
import { deleteChunks, layoutValue, type StoredValue } from './chunks.js'
import type { StoreContext } from './context.js'
import { av, num, str, type Item } from './db.js'
import { identityAttrs } from './inline.js'
import type { TrialIdentity } from './inline-trial.js'
import { A, PK, SK, trialSk } from './table-design.js'

const ROUNDS = 3
const IDENTITY = [A.writer, A.inc, A.token, A.rev, A.cid] as const

/**
 * Writes one trial item ahead of the head write. It lands only in an empty slot, or over
 * the same write retried (same store instance, incarnation, token and revision): so a
 * committed trial is never overwritten without looking. An occupied slot is taken over only
 * after `checkHead` confirmed against the head that the commit is admissible — revision,
 * token and attempts as expected, hence the slot lies past `progress.attempts` and holds a
 * leftover of a commit that never landed — and then by a put conditional on that exact
 * leftover. A slot another writer holding the same lease filled for the same revision is
 * never taken: that writer is committing it (`RevisionConflictError`).
 */
export async function writeTrial(
  ctx: StoreContext,
  sessionId: string,
  trial: TrialRecord,
  by: TrialIdentity,
  checkHead: () => Promise<void>,
): Promise<StoredValue> {
  const value = layoutValue(sessionId, encodeTrial(trial), 256)
  if (value.chunkItems.length > 0) await ctx.db.batchPut(value.chunkItems)
  const mine = identityAttrs(by)
  const item: Item = { [PK]: av.s(sessionId), [SK]: av.s(trialSk(by.inc, trial.trialIdx)), ...mine, ...value.attrs }
  let out = await ctx.db.put({ Item: item, ...condition('attribute_not_exists(#pk) OR ', mine) })
  for (let round = 0; !out.ok && round < ROUNDS; round++) {
    const existing = out.current
    if (existing) {
      await checkHead()
      if (
        num(existing, A.token) === by.token &&
        num(existing, A.inc) === by.inc &&
        num(existing, A.rev) === by.rev &&
        (str(existing, A.writer) !== by.writer || str(existing, A.cid) !== by.cid)
      )
        break
    }
    out = existing
      ? await ctx.db.put({ Item: item, ...condition('attribute_exists(#pk) AND ', identityOf(existing)) })
      : await ctx.db.put({ Item: item, ...condition('attribute_not_exists(#pk) OR ', mine) })
  }
  if (!out.ok) {
    if (value.chunkId) await deleteChunks(ctx.db, sessionId, value as Required<StoredValue>).catch(() => undefined)
    throw new RevisionConflictError(sessionId, by.rev - 1, by.rev)
  }
  return value
}

/** Deletes a trial item this writer wrote (only if it is still exactly that write), and its chunks. */
export async function deleteOwnTrial(
  ctx: StoreContext,
  sessionId: string,
  idx: number,
  by: TrialIdentity,
  value: StoredValue,
): Promise<void> {
  const { ConditionExpression, ExpressionAttributeNames, ExpressionAttributeValues } = condition(
    'attribute_exists(#pk) AND ',
    identityAttrs(by),
  )
  const out = await ctx.db.delete({
    Key: ctx.db.key(sessionId, trialSk(by.inc, idx)),
    ConditionExpression,
    ExpressionAttributeNames,
    ExpressionAttributeValues,
  })
  if (out.ok && value.chunkId) await deleteChunks(ctx.db, sessionId, value as Required<StoredValue>)
}

function identityOf(item: Item): Partial<Item> {
  const out: Partial<Item> = {}
  for (const name of IDENTITY) out[name] = item[name]
  return out
}

/** `prefix` + "every identity attribute (writer, inc, token, rev, cid) equals (or, when undefined, is absent)". */
function condition(prefix: string, identity: Partial<Item>) {
  const names: Record<string, string> = { '#pk': PK }
  const values: Item = {}
  const parts = IDENTITY.map((name, i) => {
    names[`#i${i}`] = name
    const v = identity[name]
    if (v === undefined) return `attribute_not_exists(#i${i})`
    values[`:i${i}`] = v
    return `#i${i} = :i${i}`
  })
  return {
    ConditionExpression: `${prefix}(${parts.join(' AND ')})`,
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
  }
}
