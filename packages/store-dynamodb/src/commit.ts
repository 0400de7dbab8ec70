import { randomUUID } from 'node:crypto'
import {
  InvalidInputError,
  LeaseLostError,
  NotFoundError,
  RevisionConflictError,
  type CommitRequest,
  type CommitResult,
  type TrialRecord,
} from '@cairn/core'
import { encodeHead, encodeTrial } from '@cairn/core/store-kit'
import type { PutItemCommandInput } from '@aws-sdk/client-dynamodb'
import { deleteChunks, itemSize, layoutValue, type StoredValue } from './chunks.js'
import type { StoreContext } from './context.js'
import { av, num, str, type Item } from './db.js'
import type { KnownHead } from './head-cache.js'
import { headContentAttrs } from './head-item.js'
import type { InlineTrial, TrialIdentity } from './inline-trial.js'
import { inlineAttr, writeCommitted } from './inline.js'
import { controlOf, headMeta, readHead } from './read-head.js'
import { A, GSI_PK, GSI_SESSIONS, GSI_SK, HEAD_SK, PK, SK } from './table-design.js'
import { deleteOwnTrial, writeTrial } from './trial-write.js'

/** Bytes we reserve on a head item for attributes not counted exactly (owner, lease, control). */
export const UNCOUNTED_HEAD_BYTES = 1_024
/** Trial items of one commit written at once (after the first), when they go before the head. */
const WRITE_CONCURRENCY = 16
/** How often a commit re-issues its head write after finding only the lease expiry or the control flag changed. */
const LEASE_ROUNDS = 4
/** A head carries at most this many trial records inline … */
export const INLINE_MAX_TRIALS = 16
/** … of at most this many bytes together; a commit over either limit writes its trial items first. */
export const INLINE_MAX_BYTES = 32 * 1024
/** Unconfirmed inline records are written out as trial items once they reach this many bytes (or `inlineTrials` records). */
const WRITE_OUT_BYTES = INLINE_MAX_BYTES / 2

/**
 * One commit. The commit point is ONE conditional `PutItem` of the whole head item
 * (revision, fencing token, lease owner and expiry, incarnation, attempts and control flag as
 * expected), and the head carries the records of the commit's trials inline (with any earlier
 * ones not yet confirmed as trial items), so that write alone makes the commit visible and
 * durable. Once it landed, the records are committed, and their trial items are written out
 * in one `BatchWriteItem` when `inlineTrials` of them (or 16 KiB) are waiting, without
 * holding up the commit; a later head drops an inline record only once its item is
 * confirmed. Commits over `INLINE_MAX_TRIALS` / `INLINE_MAX_BYTES` write their trial items
 * first, then the head without inline records (the two-step protocol).
 */
export async function commit(ctx: StoreContext, sessionId: string, request: CommitRequest): Promise<CommitResult> {
  const { expectedRevision, fencingToken, head, trials } = checkRequest(request)
  const firstIdx = trials.length > 0 ? (trials[0] as TrialRecord).trialIdx : head.progress.attempts
  let known = ctx.heads.get(sessionId)
  if (!known || !admits(known, request, firstIdx)) {
    // Not a head we last wrote or read that admits this commit: validate against the stored
    // one before writing anything.
    const { head: stored, item } = await readHead(ctx, sessionId)
    refuse(sessionId, request, firstIdx, headMeta(item), stored.revision)
    known = ctx.heads.get(sessionId) as KnownHead
  }
  const inc = known.inc
  const revision = expectedRevision + 1
  const cid = randomUUID()
  const by: TrialIdentity = { writer: ctx.writer, inc, token: fencingToken, rev: revision, cid }

  // What the new head carries inline: the known head's records from its first unconfirmed
  // one on (their items were not confirmed yet), and this commit's trials.
  const firstOpen = known.inline.findIndex((t) => !t.confirmed)
  const carried = firstOpen < 0 ? [] : known.inline.slice(firstOpen)
  const fresh: InlineTrial[] = trials.map((t) => ({ idx: t.trialIdx, bytes: encodeTrial(t), by, confirmed: false }))
  const fits = carried.length + fresh.length <= INLINE_MAX_TRIALS && bytesOf(carried) + bytesOf(fresh) <= INLINE_MAX_BYTES
  const inline = fits ? [...carried, ...fresh] : []

  const headPk = sessionId
  const content: Item = {
    [PK]: av.s(headPk),
    [SK]: av.s(HEAD_SK),
    [GSI_PK]: av.s(GSI_SESSIONS),
    [GSI_SK]: av.s(sessionId),
    [A.inc]: av.n(inc),
    [A.token]: av.n(fencingToken),
    [A.writer]: av.s(ctx.writer),
    [A.cid]: av.s(cid),
    [A.stamp]: av.s(cid),
    ...headContentAttrs(head, revision),
    [A.inlineFrom]: av.n(inline.length > 0 ? (inline[0] as InlineTrial).idx : head.progress.attempts),
    ...(inline.length > 0 ? { [A.inline]: inlineAttr(inline) } : {}),
  }
  const headValue = layoutValue(headPk, encodeHead({ ...head, revision, lease: null }), itemSize(content) + UNCOUNTED_HEAD_BYTES)

  const written: Array<{ idx: number; value: StoredValue }> = []
  const checkHead = async (): Promise<void> => {
    const current = await ctx.db.get(sessionId, HEAD_SK, [A.rev, A.inc, A.token, A.owner, A.attempts])
    if (!current) throw new NotFoundError(`session "${sessionId}"`)
    refuse(sessionId, request, firstIdx, headMeta(current), undefined, inc)
  }
  const deleteTrials = (): Promise<unknown> =>
    Promise.allSettled(written.map(({ idx, value }) => deleteOwnTrial(ctx, sessionId, idx, by, value)))
  const deleteHeadChunks = (): Promise<unknown> =>
    headValue.chunkId ? deleteChunks(ctx.db, headPk, headValue as Required<StoredValue>).catch(() => undefined) : Promise.resolve()

  // 1. Before the commit point: the head's chunks (if any) and, when the records do not fit
  // inline, every trial item (the carried records', then this commit's).
  try {
    const chunksWritten = headValue.chunkItems.length > 0 ? ctx.db.batchPut(headValue.chunkItems) : Promise.resolve()
    if (!fits) {
      await Promise.all(known.inline.map((t) => t.writing))
      await writeCommitted(
        ctx,
        sessionId,
        known.inline.filter((t) => !t.confirmed),
        true,
      )
      const write = async (t: TrialRecord): Promise<void> => {
        written.push({ idx: t.trialIdx, value: await writeTrial(ctx, sessionId, t, by, checkHead) })
      }
      const trialsWritten = (async () => {
        if (trials.length === 0) return
        // The first alone: writers sharing a lease race for its slot, and only the winner goes on.
        await write(trials[0] as TrialRecord)
        await mapBounded(trials.slice(1), write)
      })()
      const [a, b] = await Promise.allSettled([trialsWritten, chunksWritten])
      if (a.status === 'rejected') throw a.reason
      if (b.status === 'rejected') throw b.reason
    } else {
      await chunksWritten
    }
  } catch (err) {
    // The head was not touched: none of these writes is visible; take them back.
    ctx.heads.forget(sessionId)
    await Promise.all([deleteTrials(), deleteHeadChunks()])
    throw err
  }

  // 2. The commit point: one conditional put of the head item, on the condition that the item
  // is still the one seen (its stamp), which admits this commit (checked above). It rewrites
  // the attributes that lease and control operations change as seen; when only they moved
  // (a renewal, a control request), it goes again over what they wrote.
  let seen: Seen = { owner: known.owner, leaseExpiresAt: known.leaseExpiresAt, control: known.control, stamp: known.stamp }
  const item: Item = { ...content, ...headValue.attrs }
  for (let round = 0; ; round++) {
    const out = await ctx.db
      .put(headPut(item, seen, head.status, { expectedRevision, fencingToken, firstIdx, inc }))
      .catch((err: unknown) => {
        // Outcome unknown (the SDK gave up): the next commit or load will tell.
        ctx.heads.forget(sessionId)
        throw err
      })
    if (out.ok) break
    const meta = out.current ? headMeta(out.current) : undefined
    if (meta && meta.rev === revision && str(out.current, A.cid) === cid && meta.inc === inc) break // our own write landed; only its answer was lost
    const sameLease =
      meta &&
      meta.rev === expectedRevision &&
      meta.token === fencingToken &&
      meta.owner !== undefined &&
      meta.inc === inc &&
      meta.attempts === firstIdx
    if (sameLease && round + 1 < LEASE_ROUNDS) {
      seen = { owner: meta.owner, leaseExpiresAt: num(out.current, A.leaseExpiresAt), control: controlOf(meta.control), stamp: meta.stamp }
      continue
    }
    ctx.heads.forget(sessionId)
    // Refused. Trial items written ahead can go only if our put surely did not land (the
    // revision has not moved, another commit made the revision we meant to, or this is another
    // incarnation): after an SDK retry the refusal may be the answer to our own landed write
    // followed by someone else's commit.
    if (!meta || meta.rev === expectedRevision || meta.inc !== inc || (meta.rev === revision && str(out.current, A.cid) !== cid))
      await deleteTrials()
    if (!meta || str(out.current, A.chunkId) !== headValue.chunkId) await deleteHeadChunks()
    if (!meta) throw new NotFoundError(`session "${sessionId}"`)
    refuse(sessionId, request, firstIdx, meta, undefined, inc)
    throw new RevisionConflictError(sessionId, expectedRevision, meta.rev)
  }

  // Committed.
  const previous = known.chunk
  ctx.heads.set(sessionId, {
    revision,
    inc,
    inline,
    ...(headValue.chunkId ? { chunk: { chunkId: headValue.chunkId, chunks: headValue.chunks as number } } : {}),
    attempts: head.progress.attempts,
    owner: seen.owner,
    token: fencingToken,
    leaseExpiresAt: seen.leaseExpiresAt,
    control: head.status === 'running' ? seen.control : null,
    stamp: cid,
  })
  writeOutIfDue(ctx, sessionId, inline, head.status !== 'running')
  if (previous && previous.chunkId !== headValue.chunkId) await deleteChunks(ctx.db, headPk, previous).catch(() => undefined)
  return { revision, control: seen.control }
}

/** What a commit saw of the head attributes other operations change, and the item's stamp. */
type Seen = Pick<KnownHead, 'owner' | 'leaseExpiresAt' | 'control' | 'stamp'>

/** Whether the head `known` (as this instance last saw it) admits `request`: the checks its stamp then stands for. */
function admits(known: KnownHead, request: CommitRequest, firstIdx: number): boolean {
  return (
    known.revision === request.expectedRevision &&
    known.owner !== undefined &&
    known.token === request.fencingToken &&
    known.attempts === firstIdx
  )
}

/**
 * The conditional `PutItem` of a commit's head item, carrying over `seen` (the control flag
 * only while running). Every write of a head item sets a new random `stamp`, so "the stamp
 * is still the one seen" means "nothing changed since": one comparison stands for revision,
 * fencing token, lease, incarnation, attempts and control flag as seen. An item without a
 * stamp is checked attribute by attribute instead.
 */
function headPut(
  content: Item,
  seen: Seen,
  status: string,
  expect: { expectedRevision: number; fencingToken: number; firstIdx: number; inc: number },
): Omit<PutItemCommandInput, 'TableName'> {
  // `seen.owner` is always set here: a commit reads the head when it knows no owner, refuses a
  // head without one, and adopts only an owner the stored item shows.
  const item: Item = { ...content, [A.owner]: av.s(seen.owner ?? '') }
  if (seen.leaseExpiresAt !== undefined) item[A.leaseExpiresAt] = av.n(seen.leaseExpiresAt)
  if (seen.control !== null && status === 'running') item[A.control] = av.s(seen.control)
  if (seen.stamp !== undefined)
    return {
      Item: item,
      ConditionExpression: '#stamp = :stamp',
      ExpressionAttributeNames: { '#stamp': A.stamp },
      ExpressionAttributeValues: { ':stamp': av.s(seen.stamp) },
    }
  const names: Record<string, string> = {
    '#stamp': A.stamp,
    '#rev': A.rev,
    '#token': A.token,
    '#owner': A.owner,
    '#exp': A.leaseExpiresAt,
    '#attempts': A.attempts,
    '#inc': A.inc,
    '#control': A.control,
  }
  const values: Item = {
    ':expected': av.n(expect.expectedRevision),
    ':token': av.n(expect.fencingToken),
    ':owner': av.s(seen.owner ?? ''),
    ':first': av.n(expect.firstIdx),
    ':inc': av.n(expect.inc),
  }
  let exp = 'attribute_not_exists(#exp)'
  if (seen.leaseExpiresAt !== undefined) {
    values[':exp'] = av.n(seen.leaseExpiresAt)
    exp = '#exp = :exp'
  }
  let control = 'attribute_not_exists(#control)'
  if (seen.control !== null) {
    values[':control'] = av.s(seen.control)
    control = '#control = :control'
  }
  return {
    Item: item,
    ConditionExpression: `attribute_not_exists(#stamp) AND #rev = :expected AND #token = :token AND #owner = :owner AND ${exp} AND #attempts = :first AND #inc = :inc AND ${control}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  }
}

/**
 * Writes out the unconfirmed inline records of a landed head as trial items once
 * `inlineTrials` of them (or `WRITE_OUT_BYTES`) wait, or all of them when the session
 * stopped running. Never awaited by the commit: the head carries them meanwhile.
 */
function writeOutIfDue(ctx: StoreContext, sessionId: string, inline: readonly InlineTrial[], final: boolean): void {
  const open = inline.filter((t) => !t.confirmed && !t.writing)
  if (open.length === 0) return
  if (!final && open.length < ctx.inlineTrials && bytesOf(open) < WRITE_OUT_BYTES) return
  const writing: Promise<void> = writeCommitted(ctx, sessionId, open).finally(() => {
    for (const t of open) if (t.writing === writing) t.writing = undefined
  })
  for (const t of open) t.writing = writing
  ctx.inFlight(writing)
}

/** Bytes of inline records (their encodings, plus their identities). */
function bytesOf(trials: readonly InlineTrial[]): number {
  return trials.reduce((n, t) => n + t.bytes.length + 96, 0)
}

/** Runs `fn` over `items`, `WRITE_CONCURRENCY` at a time; rejects with the first failure (after the lanes stop). */
async function mapBounded<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items]
  const failures: unknown[] = []
  const lane = async (): Promise<void> => {
    for (let t = queue.shift(); t !== undefined && failures.length === 0; t = queue.shift())
      await fn(t).catch((err: unknown) => void failures.push(err))
  }
  await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, queue.length) }, lane))
  if (failures.length > 0) throw failures[0]
}

/** Throws the refusal the stored head calls for (memory store's order: revision, lease, trials); returns when none applies. */
function refuse(
  sessionId: string,
  request: CommitRequest,
  firstIdx: number,
  meta: ReturnType<typeof headMeta>,
  decodedRevision?: number,
  inc?: number,
): void {
  const rev = decodedRevision ?? meta.rev
  if (rev !== request.expectedRevision) throw new RevisionConflictError(sessionId, request.expectedRevision, rev)
  if (meta.owner === undefined || meta.token !== request.fencingToken)
    throw new LeaseLostError(
      sessionId,
      `fencing token ${request.fencingToken} is stale (current ${meta.owner === undefined ? 'none' : meta.token})`,
    )
  if (inc !== undefined && meta.inc !== inc) throw new LeaseLostError(sessionId, 'the session was deleted and created again')
  if (meta.attempts !== firstIdx) {
    if (request.trials.length > 0) throw new InvalidInputError(`trial ${firstIdx} out of order (expected ${meta.attempts})`, 'trials')
    throw new InvalidInputError('head.progress.attempts must count the committed trials', 'head.progress.attempts')
  }
}

/**
 * The commit's trials run on one by one and `head.progress.attempts` counts them; the rest of
 * the request was checked by `checkCommitRequest` in `DynamoDbStore.commit`.
 */
function checkRequest(request: CommitRequest): CommitRequest {
  const { head, trials } = request
  const first = trials[0]?.trialIdx
  trials.forEach((t, i) => {
    if (t.trialIdx !== (first as number) + i)
      throw new InvalidInputError(`trial ${t.trialIdx} out of order (expected ${(first as number) + i})`, 'trials')
  })
  if (first !== undefined && head.progress.attempts !== first + trials.length)
    throw new InvalidInputError('head.progress.attempts must count the committed trials', 'head.progress.attempts')
  return request
}
