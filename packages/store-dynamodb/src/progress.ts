import { randomUUID } from 'node:crypto'
import { crc32 } from 'node:zlib'
import { CheckpointCorruptError, LeaseLostError, type StoredTrialProgress } from '@cairn/core'
import { CHUNK_BYTES } from './chunks.js'
import type { StoreContext } from './context.js'
import { av, bin, num, project, str, type Item } from './db.js'
import { incarnationOf } from './slots.js'
import { A, PK, SK, progressChunkSk, progressSk } from './table-design.js'

/** Progress up to this many bytes is stored in its manifest item: a save is then one `PutItem`. */
export const PROGRESS_INLINE_MAX = CHUNK_BYTES

/** Chunk items per `BatchWriteItem` (DynamoDB's limit). */
const BATCH_CHUNKS = 25

/** How many times `loadTrialProgress` reads again when a concurrent save replaced the chunks it was reading. */
const LOAD_ROUNDS = 4

/**
 * Trial progress: one manifest item per trial (`sk = progress#<inc>#<idx>`: token, length,
 * CRC-32 of the whole bytes) holding the bytes itself up to 350 KB, else pointing to chunk
 * items of 350 KB (`progress#<inc>#<idx>#<token>#<writeId>#<k>`, written first under a fresh
 * `writeId`). The manifest is then put on the condition that there is none or its token is at
 * most the save's, so a crash before that put leaves the old manifest pointing at its complete
 * chunks, and a lower token is refused (`LeaseLostError`) without touching the manifest. The
 * chunks the old manifest pointed to are deleted afterwards (in the background; `close` waits).
 * A save of chunked progress also reads the manifest's token first, so a refused save writes no
 * chunks. The incarnation in every key keeps a deleted session's progress out of the id's next one.
 */
export async function saveTrialProgress(
  ctx: StoreContext,
  sessionId: string,
  trialIdx: number,
  token: number,
  bytes: Uint8Array,
): Promise<void> {
  const { db } = ctx
  const inc = await incarnationOf(ctx, sessionId)
  const sk = progressSk(inc, trialIdx)
  const item: Item = {
    [PK]: av.s(sessionId),
    [SK]: av.s(sk),
    [A.progressToken]: av.n(token),
    [A.length]: av.n(bytes.byteLength),
    [A.sum]: av.n(crc32(bytes)),
    [A.writer]: av.s(ctx.writer),
  }
  let chunkKeys: Item[] = []
  if (bytes.byteLength <= PROGRESS_INLINE_MAX) item[A.body] = av.b(bytes)
  else {
    const current = await db.get(sessionId, sk, [A.progressToken])
    const stored = num(current, A.progressToken)
    if (stored !== undefined && token < stored) throw refused(sessionId, trialIdx, token, stored)
    const writeId = randomUUID()
    const chunks: Item[] = []
    for (let k = 0, at = 0; at < bytes.byteLength; k++, at += CHUNK_BYTES)
      chunks.push({
        [PK]: av.s(sessionId),
        [SK]: av.s(progressChunkSk(inc, trialIdx, token, writeId, k)),
        [A.body]: av.b(bytes.subarray(at, at + CHUNK_BYTES)),
      })
    chunkKeys = chunks.map((c) => db.key(sessionId, str(c, SK) as string))
    // The BatchWriteItems (25 chunks each) side by side: a 10 MB save takes the time of one.
    const batches: Item[][] = []
    for (let i = 0; i < chunks.length; i += BATCH_CHUNKS) batches.push(chunks.slice(i, i + BATCH_CHUNKS))
    await Promise.all(batches.map((b) => db.batchPut(b)))
    item[A.writeId] = av.s(writeId)
    item[A.chunks] = av.n(chunks.length)
  }
  const out = await db.put({
    Item: item,
    ConditionExpression: 'attribute_not_exists(#pk) OR #token <= :token',
    ExpressionAttributeNames: { '#pk': PK, '#token': A.progressToken },
    ExpressionAttributeValues: { ':token': av.n(token) },
    ReturnValues: 'ALL_OLD',
  })
  if (!out.ok) {
    ctx.inFlight(db.batchDelete(chunkKeys).catch(() => undefined))
    throw refused(sessionId, trialIdx, token, num(out.current, A.progressToken))
  }
  const old = chunkKeysOf(ctx, sessionId, inc, trialIdx, out.value)
  if (old.length > 0) ctx.inFlight(db.batchDelete(old).catch(() => undefined))
}

/** The trial's latest save, read whole and checked against its length and CRC-32; null when none. */
export async function loadTrialProgress(ctx: StoreContext, sessionId: string, trialIdx: number): Promise<StoredTrialProgress | null> {
  const { db } = ctx
  const inc = await incarnationOf(ctx, sessionId)
  const sk = progressSk(inc, trialIdx)
  const what = `[@cairn/store-dynamodb] progress of trial ${trialIdx} of session "${sessionId}"`
  for (let round = 1; ; round++) {
    const item = await db.get(sessionId, sk)
    if (!item) return null
    const token = num(item, A.progressToken)
    const length = num(item, A.length)
    const sum = num(item, A.sum)
    if (token === undefined || length === undefined || sum === undefined)
      throw new CheckpointCorruptError(what, 'its manifest item lacks its token, length or checksum')
    let bytes = bin(item, A.body)
    if (!bytes) {
      const keys = chunkKeysOf(ctx, sessionId, inc, trialIdx, item)
      if (keys.length === 0) throw new CheckpointCorruptError(what, 'its manifest item holds neither bytes nor chunks')
      const found = new Map<string, Uint8Array>()
      for (const it of await db.batchGet(keys)) {
        const body = bin(it, A.body)
        const at = str(it, SK)
        if (body && at !== undefined) found.set(at, body)
      }
      const parts = keys.map((k) => found.get(str(k, SK) as string))
      const missing = parts.indexOf(undefined)
      if (missing >= 0) {
        // A save replaced the manifest meanwhile and its chunks are going: read the new one.
        const now = await db.get(sessionId, sk, [A.writeId])
        if (str(now, A.writeId) !== str(item, A.writeId) && round < LOAD_ROUNDS) continue
        throw new CheckpointCorruptError(what, `chunk ${missing} of ${keys.length} is missing`)
      }
      bytes = Buffer.concat(parts as Uint8Array[])
    }
    if (bytes.byteLength !== length)
      throw new CheckpointCorruptError(what, `it holds ${bytes.byteLength} bytes, its manifest says ${length}`)
    if (crc32(bytes) !== sum) throw new CheckpointCorruptError(what, 'checksum mismatch')
    return { token, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) }
  }
}

/** Deletes the manifest first (so no manifest ever points at missing chunks), then every chunk under the trial's prefix (leftovers of interrupted saves too). */
export async function deleteTrialProgress(ctx: StoreContext, sessionId: string, trialIdx: number): Promise<void> {
  const { db } = ctx
  const inc = await incarnationOf(ctx, sessionId)
  const sk = progressSk(inc, trialIdx)
  await db.delete({ Key: db.key(sessionId, sk) })
  const keysOnly = project([PK, SK])
  const rest = await db.queryAll({
    KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
    ExpressionAttributeNames: { '#pk': PK, '#sk': SK, ...keysOnly.ExpressionAttributeNames },
    ExpressionAttributeValues: { ':pk': av.s(sessionId), ':prefix': av.s(`${sk}#`) },
    ProjectionExpression: keysOnly.ProjectionExpression,
    ConsistentRead: true,
  })
  await db.batchDelete(rest.map((it) => db.key(sessionId, str(it, SK) as string)))
}

/** The keys of the chunks a manifest item points to (none for an inline save or no item). */
function chunkKeysOf(ctx: StoreContext, sessionId: string, inc: number, trialIdx: number, item: Item | undefined): Item[] {
  const writeId = str(item, A.writeId)
  const chunks = num(item, A.chunks)
  const token = num(item, A.progressToken)
  if (writeId === undefined || chunks === undefined || token === undefined) return []
  return Array.from({ length: chunks }, (_, k) => ctx.db.key(sessionId, progressChunkSk(inc, trialIdx, token, writeId, k)))
}

function refused(sessionId: string, trialIdx: number, token: number, stored: number | undefined): LeaseLostError {
  return new LeaseLostError(
    sessionId,
    `trial ${trialIdx}'s progress was saved with token ${stored ?? 'higher'}; a save with token ${token} is refused`,
  )
}
