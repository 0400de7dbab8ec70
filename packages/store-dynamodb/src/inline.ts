import { CheckpointCorruptError } from '@cairn/core'
import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import type { StoreContext } from './context.js'
import { av, bin, num, str, type Item } from './db.js'
import { A, PK, SK, trialSk } from './table-design.js'
import { condition } from './trial-write.js'

/**
 * Trial records carried inline on the head item.
 *
 * A commit's head carries, besides the head, the records of the trials `inlineFrom` …
 * `attempts - 1`: the commit's own trials and any earlier ones whose trial item is not yet
 * known to be written. The head's single conditional write is therefore the whole commit
 * point; the trial items are written beside it (in parallel) and only relieve later heads
 * of the inline copies. Readers trust a trial item only below `inlineFrom` and take the
 * inline copy from there on. A later head drops an inline record only once its item is
 * confirmed (see `commit.ts`), so every trial the head counts is always readable.
 */

/** Who committed a trial: recorded on its trial item (and on the head beside its inline copy). */
export interface TrialIdentity {
  /** Store instance that made the commit. */
  writer: string
  /** The session's incarnation. */
  inc: number
  /** Fencing token of the commit. */
  token: number
  /** The revision the commit created. */
  rev: number
  /** Random id of the commit (one per `commit` call). */
  cid: string
}

/** One trial record a head carries inline. */
export interface InlineTrial {
  idx: number
  /** `encodeTrial` of the record. */
  bytes: Uint8Array
  /** The commit that committed it: its trial item carries exactly this identity. */
  by: TrialIdentity
  /** True once its trial item is known to hold this record (then no later head needs to carry it). */
  confirmed: boolean
  /** A put of its trial item in flight (it sets `confirmed` when it lands). */
  writing?: Promise<void> | undefined
}

/** The `inline` attribute value for `trials` (a list of maps: bytes and the committer's identity). */
export function inlineAttr(trials: readonly InlineTrial[]): AttributeValue {
  return {
    L: trials.map((t) => ({
      M: { b: av.b(t.bytes), w: av.s(t.by.writer), t: av.n(t.by.token), r: av.n(t.by.rev), c: av.s(t.by.cid) },
    })),
  }
}

/**
 * The inline trials of a head item (read back unconfirmed), and where they start. A head
 * without `inlineFrom` (older versions) carries none. Throws `CheckpointCorruptError` when
 * the attributes do not describe trials `inlineFrom` … `attempts - 1`.
 */
export function inlineOf(item: Item, sessionId: string, attempts: number, inc: number): { from: number; trials: InlineTrial[] } {
  const what = `head of session "${sessionId}"`
  const from = num(item, A.inlineFrom) ?? attempts
  const list = item[A.inline]
  const entries = list && 'L' in list && Array.isArray(list.L) ? list.L : []
  if (!Number.isSafeInteger(from) || from < 0 || from + entries.length !== attempts)
    throw new CheckpointCorruptError(what, `inline trials ${from} … ${from + entries.length - 1} do not end at attempts ${attempts}`)
  const trials = entries.map((entry, k): InlineTrial => {
    const m = entry && 'M' in entry && entry.M ? (entry.M as Item) : undefined
    const bytes = bin(m, 'b')
    const writer = str(m, 'w')
    const token = num(m, 't')
    const rev = num(m, 'r')
    const cid = str(m, 'c')
    if (!bytes || writer === undefined || token === undefined || rev === undefined || cid === undefined)
      throw new CheckpointCorruptError(what, `inline trial ${from + k} is malformed`)
    return { idx: from + k, bytes, by: { writer, inc, token, rev, cid }, confirmed: false }
  })
  return { from, trials }
}

/** The trial item of `t`: its record and its committer's identity. */
function trialItem(sessionId: string, t: InlineTrial): Item {
  return {
    [PK]: av.s(sessionId),
    [SK]: av.s(trialSk(t.idx)),
    ...identityAttrs(t.by),
    [A.body]: av.b(t.bytes),
  }
}

/** The identity attributes of a trial item. */
export function identityAttrs(by: TrialIdentity): Item {
  return { [A.writer]: av.s(by.writer), [A.inc]: av.n(by.inc), [A.token]: av.n(by.token), [A.rev]: av.n(by.rev), [A.cid]: av.s(by.cid) }
}

/**
 * The trial item of a trial this commit is committing (past `attempts` when sent): lands
 * only in an empty slot or over the very same put (an SDK retry). Never overwrites anything
 * else, so a stale writer's put cannot touch a committed trial. Resolves whether it landed;
 * never rejects (a failed put leaves the record unconfirmed, to be written by a later commit).
 */
export async function putFresh(ctx: StoreContext, sessionId: string, t: InlineTrial): Promise<boolean> {
  try {
    const out = await ctx.db.put({ Item: trialItem(sessionId, t), ...condition('attribute_not_exists(#pk) OR ', identityAttrs(t.by)) })
    return out.ok
  } catch {
    return false
  }
}

/**
 * Writes the trial item of a COMMITTED trial (below the `attempts` of a head that carries it
 * inline) with its committer's identity: into an empty slot, over a leftover of an earlier
 * incarnation, or over a leftover of a commit that never landed — any item of this
 * incarnation with another commit id, since the committed record of an index is unique. An
 * item already showing the committer's identity is left as is. Never touches a later
 * incarnation's item. Marks `t` confirmed when the slot holds it; never rejects.
 */
export async function putCommitted(ctx: StoreContext, sessionId: string, t: InlineTrial, rethrow = false): Promise<void> {
  try {
    const out = await ctx.db.put({
      Item: trialItem(sessionId, t),
      ConditionExpression: 'attribute_not_exists(#pk) OR #inc < :inc OR (#inc = :inc AND (attribute_not_exists(#cid) OR #cid <> :cid))',
      ExpressionAttributeNames: { '#pk': PK, '#inc': A.inc, '#cid': A.cid },
      ExpressionAttributeValues: { ':inc': av.n(t.by.inc), ':cid': av.s(t.by.cid) },
    })
    if (out.ok || (num(out.current, A.inc) === t.by.inc && str(out.current, A.cid) === t.by.cid)) t.confirmed = true
  } catch (err) {
    // Unknown outcome: stays unconfirmed, and inline.
    if (rethrow) throw err
  }
}
