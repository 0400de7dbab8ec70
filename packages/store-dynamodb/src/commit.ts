import {
  InvalidInputError,
  LeaseLostError,
  NotFoundError,
  RevisionConflictError,
  encodeHead,
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
import { headMeta, readHead } from './read-head.js'
import { A, GSI_PK, GSI_SESSIONS, GSI_SK, HEAD_SK, PK, SK } from './table-design.js'
import { deleteOwnTrial, writeTrial } from './trial-write.js'

/** Bytes we reserve on a head item for attributes a commit does not rewrite (owner, lease, control). */
const UNCOUNTED_HEAD_BYTES = 1_024
/** Trial items of one commit written at once (after the first). */
const WRITE_CONCURRENCY = 16
/** How often a commit re-issues its head update after finding a new control request. */
const CONTROL_ROUNDS = 4

/**
 * One commit: trial items first (each a conditional put), then the head item in ONE
 * conditional update (revision, fencing token, incarnation and attempts must be as
 * expected). The head update is the commit point: a crash before it leaves trial items past
 * `progress.attempts`, which readers ignore and the next commit overwrites.
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
  const written: Array<{ idx: number; value: StoredValue }> = []
  const headPk = sessionId
  const base: Item = {
    [PK]: av.s(headPk),
    [SK]: av.s(HEAD_SK),
    [GSI_PK]: av.s(GSI_SESSIONS),
    [GSI_SK]: av.s(sessionId),
    [A.inc]: av.n(inc),
    [A.token]: av.n(fencingToken),
    [A.writer]: av.s(ctx.writer),
    ...headContentAttrs(head, revision),
  }
  const headValue = layoutValue(headPk, encodeHead({ ...head, revision, lease: null }), itemSize(base) + UNCOUNTED_HEAD_BYTES)

  const writer = { inc, fencingToken, revision }
  const checkHead = async (): Promise<void> => {
    const current = await ctx.db.get(sessionId, HEAD_SK, [A.rev, A.inc, A.token, A.owner, A.attempts])
    if (!current) throw new NotFoundError(`session "${sessionId}"`)
    refuse(sessionId, request, firstIdx, headMeta(current), undefined, inc)
  }
  const deleteTrials = (): Promise<unknown> =>
    Promise.allSettled(written.map(({ idx, value }) => deleteOwnTrial(ctx, sessionId, idx, writer, value)))
  const deleteHeadChunks = (): Promise<unknown> =>
    headValue.chunkId ? deleteChunks(ctx.db, headPk, headValue as Required<StoredValue>).catch(() => undefined) : Promise.resolve()

  // 1. Trial items (the first alone: writers sharing a lease race for its slot, and only the
  //    winner goes on), and the head's chunks, if any.
  try {
    const write = async (t: TrialRecord): Promise<void> => {
      written.push({ idx: t.trialIdx, value: await writeTrial(ctx, sessionId, t, writer, checkHead) })
    }
    const chunksWritten = headValue.chunkItems.length > 0 ? ctx.db.batchPut(headValue.chunkItems) : Promise.resolve()
    const trialsWritten = (async () => {
      if (trials.length === 0) return
      await write(trials[0] as TrialRecord)
      // The rest in parallel, a bounded number at a time (a commit may carry thousands).
      const queue = trials.slice(1)
      const failures: unknown[] = []
      const lane = async (): Promise<void> => {
        for (let t = queue.shift(); t !== undefined && failures.length === 0; t = queue.shift()) await write(t).catch((err: unknown) => void failures.push(err))
      }
      await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, queue.length) }, lane))
      if (failures.length > 0) throw failures[0]
    })()
    const [a, b] = await Promise.allSettled([trialsWritten, chunksWritten])
    if (a.status === 'rejected') throw a.reason
    if (b.status === 'rejected') throw b.reason
  } catch (err) {
    // The head was not touched: none of these writes is visible; take them back.
    ctx.heads.forget(sessionId)
    await Promise.all([deleteTrials(), deleteHeadChunks()])
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
      .catch((err: unknown) => {
        // Outcome unknown (the SDK gave up): keep everything, the next commit or load will tell.
        ctx.heads.forget(sessionId)
        throw err
      })
    if (out.ok) break
    const meta = out.current ? headMeta(out.current) : undefined
    if (meta && meta.rev === revision && meta.writer === ctx.writer && meta.token === fencingToken && meta.inc === inc) break // our own write landed; only its answer was lost
    const seen = meta ? controlOf(meta.control) : undefined
    const onlyControl = meta && meta.rev === expectedRevision && meta.token === fencingToken && meta.owner !== undefined && meta.inc === inc && meta.attempts === firstIdx
    if (onlyControl && seen !== (control ?? null) && round + 1 < CONTROL_ROUNDS) {
      control = seen ?? null
      continue
    }
    ctx.heads.forget(sessionId)
    // Refused. Our trial items can go only if our update surely did not land (the revision has
    // not moved, or this is another incarnation): after an SDK retry the refusal may be the
    // answer to our own landed write followed by someone else's commit.
    if (!meta || meta.rev === expectedRevision || meta.inc !== inc) await deleteTrials()
    if (!meta || str(out.current, A.chunkId) !== headValue.chunkId) await deleteHeadChunks()
    if (!meta) throw new NotFoundError(`session "${sessionId}"`)
    refuse(sessionId, request, firstIdx, meta, undefined, inc)
    throw new RevisionConflictError(sessionId, expectedRevision, meta.rev)
  }

  const previous = known.chunk
  ctx.heads.set(sessionId, { revision, inc, ...(headValue.chunkId ? { chunk: { chunkId: headValue.chunkId, chunks: headValue.chunks as number } } : {}) })
  if (previous && previous.chunkId !== headValue.chunkId) await deleteChunks(ctx.db, headPk, previous).catch(() => undefined)
  return { revision, control: control ?? null }
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
