import { av, num, type Db } from './db.js'
import { A, INCARNATION_SK } from './table-design.js'

/**
 * Hands out the next incarnation number of a session id. Each `create` of an id gets a
 * higher one, from a small counter item (`sk = incarnation`) that `delete` leaves behind.
 * Every head and trial item records its incarnation, and a trial item may only be
 * overwritten by a writer of the same or a later incarnation: so trial items left over from
 * a deleted session of the same id (a `delete` interrupted by a crash, say) can never be
 * read as the new session's trials nor block its commits, and no clock is involved.
 */
export async function nextIncarnation(db: Db, sessionId: string): Promise<number> {
  const out = await db.update({
    Key: db.key(sessionId, INCARNATION_SK),
    UpdateExpression: 'ADD #c :one',
    ExpressionAttributeNames: { '#c': A.counter },
    ExpressionAttributeValues: { ':one': av.n(1) },
    ReturnValues: 'UPDATED_NEW',
  })
  const n = out.ok ? num(out.value, A.counter) : undefined
  if (n === undefined) throw new Error(`[@cairn/store-dynamodb] the incarnation counter of session "${sessionId}" did not come back`)
  return n
}
