import { randomUUID } from 'node:crypto'
import {
  InvalidInputError,
  LeaseLostError,
  NotFoundError,
  RevisionConflictError,
  encodeHead,
  encodeTrial,
  type CommitRequest,
  type CommitResult,
  type ControlRequest,
  type TrialRecord,
} from '@cairn/core'
import { deleteChunks, itemSize, layoutValue, type StoredValue } from './chunks.js'
import type { StoreContext } from './context.js'
import { av, str, type Item } from './db.js'
import type { KnownHead } from './head-cache.js'
import { headContentAttrs } from './head-item.js'
import { inlineAttr, putCommitted, putFresh, type InlineTrial, type TrialIdentity } from './inline.js'
import { headMeta, readHead } from './read-head.js'
import { A, GSI_PK, GSI_SESSIONS, GSI_SK, HEAD_SK, PK, SK } from './table-design.js'
import { deleteOwnTrial, writeTrial, type TrialWriter } from './trial-write.js'

/** Bytes we reserve on a head item for attributes a commit does not rewrite (owner, lease, control). */
const UNCOUNTED_HEAD_BYTES = 1_024
/** Trial items of one commit written at once (after the first), when they go before the head. */
const WRITE_CONCURRENCY = 16
/** How often a commit re-issues its head update after finding a new control request. */
const CONTROL_ROUNDS = 4
/** A head carries at most this many trial records inline … */
export const INLINE_MAX_TRIALS = 16
/** … of at most this many bytes together; a commit over either limit writes its trial items first. */
export const INLINE_MAX_BYTES = 32 * 1024

/**
 * One commit. The commit point is ONE conditional update of the head item (revision, fencing
 * token, incarnation, attempts and control flag as expected), and the head carries the
 * records of the commit's trials inline (with any earlier ones not yet confirmed as trial
 * items), so that write alone makes the commit visible and durable. The trial items are put
 * in parallel with it (a put lands only in an empty slot or over its own retry, so a stale
 * writer cannot touch a committed trial); a later head drops an inline record only once its
 * item is confirmed. Commits over `INLINE_MAX_TRIALS` / `INLINE_MAX_BYTES` write their trial
 * items first, then the head without inline records (the original two-step protocol).
 */
export async function commit(ctx: StoreContext, sessionId: string, request: CommitRequest): Promise<CommitResult> {
  const { expectedRevision, fencingToken, head, trials } = checkRequest(sessionId, request)
  const firstIdx = trials.length > 0 ? (trials[0] as TrialRecord).trialIdx : head.progress.attempts
  let control: ControlRequest | null | undefined
  let known = ctx.heads.get(sessionId)
  if (!known || known.revision !== expectedRevision) {
    // Not the head we last wrote or read: validate against the stored one before writing anything.
    const { head: stored, item } = await readHead(ctx, sessionId)
    refuse(sessionId, request, firstIdx, headMeta(item), stored.revision)
    known = ctx.heads.get(sessionId) as KnownHead
    control = controlOf(headMeta(item).control)
  }
  const inc = known.inc
  const revision = expectedRevision + 1
  const cid = randomUUID()
  const by: TrialIdentity = { writer: ctx.writer, inc, token: fencingToken, rev: revision, cid }
  const writer: TrialWriter = { inc, fencingToken, revision, cid }

  // What the new head carries inline: the known head's records from its first unconfirmed
  // one on (their items were not confirmed yet), and this commit's trials.
  const firstOpen = known.inline.findIndex((t) => !t.confirmed)
  const carried = firstOpen < 0 ? [] : known.inline.slice(firstOpen)
  const fresh: InlineTrial[] = trials.map((t) => ({ idx: t.trialIdx, bytes: encodeTrial(t), by, confirmed: false }))
  const inlineBytes = [...carried, ...fresh].reduce((n, t) => n + t.bytes.length + 96, 0)
  const parallel = carried.length + fresh.length <= INLINE_MAX_TRIALS && inlineBytes <= INLINE_MAX_BYTES
  const inline = parallel ? [...carried, ...fresh] : []
  const inlineFrom = inline.length > 0 ? (inline[0] as InlineTrial).idx : head.progress.attempts

  const headPk = sessionId
  const base: Item = {
    [PK]: av.s(headPk),
    [SK]: av.s(HEAD_SK),
    [GSI_PK]: av.s(GSI_SESSIONS),
    [GSI_SK]: av.s(sessionId),
    [A.inc]: av.n(inc),
    [A.token]: av.n(fencingToken),
    [A.writer]: av.s(ctx.writer),
    [A.cid]: av.s(cid),
    ...headContentAttrs(head, revision),
    [A.inlineFrom]: av.n(inlineFrom),
    ...(inline.length > 0 ? { [A.inline]: inlineAttr(inline) } : {}),
  }
  const headValue = layoutValue(headPk, encodeHead({ ...head, revision, lease: null }), itemSize(base) + UNCOUNTED_HEAD_BYTES)

  const written: Array<{ idx: number; value: StoredValue }> = []
  const checkHead = async (): Promise<void> => {
    const current = await ctx.db.get(sessionId, HEAD_SK, [A.rev, A.inc, A.token, A.owner, A.attempts])
    if (!current) throw new NotFoundError(`session "${sessionId}"`)
    refuse(sessionId, request, firstIdx, headMeta(current), undefined, inc)
  }
  const deleteTrials = (): Promise<unknown> =>
    Promise.allSettled(written.map(({ idx, value }) => deleteOwnTrial(ctx, sessionId, idx, writer, value)))
  const deleteHeadChunks = (): Promise<unknown> =>
    headValue.chunkId ? deleteChunks(ctx.db, headPk, headValue as Required<StoredValue>).catch(() => undefined) : Promise.resolve()

  // 1. Trial items and the head's chunks (if any).
  let freshPuts: Array<Promise<boolean>> = []
  try {
    const chunksWritten = headValue.chunkItems.length > 0 ? ctx.db.batchPut(headValue.chunkItems) : Promise.resolve()
    if (parallel) {
      // Beside the head update: the carried records' items (committed trials, so any writer
      // may put them) and this commit's (only into an empty slot). Neither is awaited before
      // the head update is sent.
      for (const t of carried) if (!t.writing) track(ctx, t, putCommitted(ctx, sessionId, t))
      freshPuts = fresh.map((t) => putFresh(ctx, sessionId, t))
      await chunksWritten
    } else {
      // Too much to carry inline: the carried records' items first, then this commit's trial
      // items, each confirmed before the head update.
      await Promise.all(known.inline.map((t) => t.writing))
      await mapBounded(
        known.inline.filter((t) => !t.confirmed),
        (t) => putCommitted(ctx, sessionId, t, true),
      )
      const write = async (t: TrialRecord): Promise<void> => {
        written.push({ idx: t.trialIdx, value: await writeTrial(ctx, sessionId, t, writer, checkHead) })
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
    }
  } catch (err) {
    // The head was not touched: none of these writes is visible; take them back.
    ctx.heads.forget(sessionId)
    await Promise.all([deleteTrials(), deleteHeadChunks(), deleteFresh(ctx, sessionId, fresh, freshPuts, writer)])
    throw err
  }

  // 2. The commit point: one conditional update of the head item.
  const names: Record<string, string> = {
    '#rev': A.rev,
    '#token': A.token,
    '#owner': A.owner,
    '#attempts': A.attempts,
    '#inc': A.inc,
    '#control': A.control,
  }
  const values: Item = {
    ':expected': av.n(expectedRevision),
    ':token': av.n(fencingToken),
    ':first': av.n(firstIdx),
    ':inc': av.n(inc),
  }
  const sets: string[] = []
  let n = 0
  for (const [name, value] of Object.entries({ ...contentOnly(base), ...headValue.attrs })) {
    names[`#s${n}`] = name
    values[`:s${n}`] = value
    sets.push(`#s${n} = :s${n}`)
    n++
  }
  const removed: string[] = headValue.chunkId ? [A.body] : [A.chunkId, A.chunks]
  if (inline.length === 0) removed.push(A.inline)
  const removes = removed.map((name, i) => {
    names[`#r${i}`] = name
    return `#r${i}`
  })
  if (head.status !== 'running') removes.push('#control')
  const update = `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`

  for (let round = 0; ; round++) {
    const expectControl = control === undefined || control === null ? 'attribute_not_exists(#control)' : '#control = :control'
    const out = await ctx.db
      .update({
        Key: ctx.db.key(headPk, HEAD_SK),
        UpdateExpression: update,
        ConditionExpression: `#rev = :expected AND #token = :token AND attribute_exists(#owner) AND #attempts = :first AND #inc = :inc AND ${expectControl}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: control ? { ...values, ':control': av.s(control) } : values,
      })
      .catch(async (err: unknown) => {
        // Outcome unknown (the SDK gave up): keep everything, the next commit or load will tell.
        ctx.heads.forget(sessionId)
        await Promise.allSettled([...freshPuts, ...carried.map((t) => t.writing)])
        throw err
      })
    if (out.ok) break
    const meta = out.current ? headMeta(out.current) : undefined
    if (meta && meta.rev === revision && str(out.current, A.cid) === cid && meta.inc === inc) break // our own write landed; only its answer was lost
    const seen = meta ? controlOf(meta.control) : undefined
    const onlyControl = meta && meta.rev === expectedRevision && meta.token === fencingToken && meta.owner !== undefined && meta.inc === inc && meta.attempts === firstIdx
    if (onlyControl && seen !== (control ?? null) && round + 1 < CONTROL_ROUNDS) {
      control = seen ?? null
      continue
    }
    ctx.heads.forget(sessionId)
    await Promise.allSettled([...freshPuts, ...carried.map((t) => t.writing)])
    // Refused. Our trial items can go only if our update surely did not land (the revision has
    // not moved, another commit made the revision we meant to, or this is another incarnation):
    // after an SDK retry the refusal may be the answer to our own landed write followed by
    // someone else's commit.
    if (!meta || meta.rev === expectedRevision || meta.inc !== inc || (meta.rev === revision && str(out.current, A.cid) !== cid))
      await Promise.all([deleteTrials(), deleteFresh(ctx, sessionId, fresh, freshPuts, writer)])
    if (!meta || str(out.current, A.chunkId) !== headValue.chunkId) await deleteHeadChunks()
    if (!meta) throw new NotFoundError(`session "${sessionId}"`)
    refuse(sessionId, request, firstIdx, meta, undefined, inc)
    throw new RevisionConflictError(sessionId, expectedRevision, meta.rev)
  }

  // Committed. This commit's trial items count as confirmed once their puts landed: a put
  // that found its slot taken (a leftover) or failed leaves its record unconfirmed, carried
  // inline by the next head and put again beside it.
  if (parallel) fresh.forEach((t, i) => track(ctx, t, (freshPuts[i] as Promise<boolean>).then((ok) => void (ok && (t.confirmed = true)))))
  const previous = known.chunk
  ctx.heads.set(sessionId, {
    revision,
    inc,
    inline,
    ...(headValue.chunkId ? { chunk: { chunkId: headValue.chunkId, chunks: headValue.chunks as number } } : {}),
  })
  if (AWAIT_TRIAL_PUTS) await Promise.all(inline.map((t) => t.writing))
  if (previous && previous.chunkId !== headValue.chunkId) await deleteChunks(ctx.db, headPk, previous).catch(() => undefined)
  return { revision, control: control ?? null }
}

/**
 * Whether a commit waits for its trial items before it resolves. It need not: the head
 * carries the records until a later commit finds their items confirmed.
 */
const AWAIT_TRIAL_PUTS = false

/** Records `put` as the write in flight of `t` (cleared when it settles), and lets the store's `close` wait for it. */
function track(ctx: StoreContext, t: InlineTrial, put: Promise<void>): void {
  const writing: Promise<void> = put.finally(() => {
    if (t.writing === writing) t.writing = undefined
  })
  t.writing = writing
  ctx.inFlight(writing)
}

/** Deletes this commit's trial items put beside a head update that did not land (only if they are still exactly its puts). */
async function deleteFresh(ctx: StoreContext, sessionId: string, fresh: InlineTrial[], puts: Array<Promise<boolean>>, writer: TrialWriter): Promise<void> {
  await Promise.allSettled(
    puts.map(async (put, i) => {
      if (await put) await deleteOwnTrial(ctx, sessionId, (fresh[i] as InlineTrial).idx, writer, { attrs: {}, chunkItems: [] })
    }),
  )
}

/** Runs `fn` over `items`, `WRITE_CONCURRENCY` at a time; rejects with the first failure (after the lanes stop). */
async function mapBounded<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items]
  const failures: unknown[] = []
  const lane = async (): Promise<void> => {
    for (let t = queue.shift(); t !== undefined && failures.length === 0; t = queue.shift()) await fn(t).catch((err: unknown) => void failures.push(err))
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
    throw new LeaseLostError(sessionId, `fencing token ${request.fencingToken} is stale (current ${meta.owner === undefined ? 'none' : meta.token})`)
  if (inc !== undefined && meta.inc !== inc) throw new LeaseLostError(sessionId, 'the session was deleted and created again')
  if (meta.attempts !== firstIdx) {
    if (request.trials.length > 0)
      throw new InvalidInputError(`trial ${firstIdx} out of order (expected ${meta.attempts})`, 'trials')
    throw new InvalidInputError('head.progress.attempts must count the committed trials', 'head.progress.attempts')
  }
}

function checkRequest(sessionId: string, request: CommitRequest): CommitRequest {
  if (request === null || typeof request !== 'object') throw new InvalidInputError('must be an object', 'request')
  const { expectedRevision, fencingToken, head, trials } = request
  if (!Number.isSafeInteger(expectedRevision) || expectedRevision < 0) throw new InvalidInputError(`must be a non-negative integer, got ${expectedRevision}`, 'expectedRevision')
  if (!Number.isSafeInteger(fencingToken)) throw new InvalidInputError(`must be an integer, got ${fencingToken}`, 'fencingToken')
  if (head === null || typeof head !== 'object') throw new InvalidInputError('must be a checkpoint head', 'head')
  if (head.sessionId !== sessionId) throw new InvalidInputError(`names session "${head.sessionId}", not "${sessionId}"`, 'head.sessionId')
  if (!Array.isArray(trials)) throw new InvalidInputError('must be an array', 'trials')
  const first = trials[0]?.trialIdx
  trials.forEach((t, i) => {
    if (!Number.isSafeInteger(t?.trialIdx) || t.trialIdx !== (first as number) + i)
      throw new InvalidInputError(`trial ${t?.trialIdx} out of order (expected ${(first as number) + i})`, 'trials')
  })
  if (first !== undefined && head.progress.attempts !== first + trials.length)
    throw new InvalidInputError('head.progress.attempts must count the committed trials', 'head.progress.attempts')
  return request
}

/** What a commit rewrites: keys, index keys (set by `create`), incarnation and token stay. */
function contentOnly(base: Item): Item {
  const { [PK]: _pk, [SK]: _sk, [GSI_PK]: _gpk, [GSI_SK]: _gsk, [A.inc]: _inc, [A.token]: _token, ...rest } = base
  return rest
}

function controlOf(value: string | undefined): ControlRequest | null {
  return value === 'pause' || value === 'cancel' ? value : null
}
