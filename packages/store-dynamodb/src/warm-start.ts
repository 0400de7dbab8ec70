import { randomUUID } from 'node:crypto'
import {
  CheckpointCorruptError,
  channels,
  type EvictOptions,
  type EvictionReport,
  type LookupOptions,
  type WarmStartEntry,
  type WarmStartEntryInput,
} from '@cairn/core'
import {
  decodeWarmStartEntry,
  encodeWarmStartEntry,
  latestWarmStartEntry,
  rankWarmStartEntries,
  selectEvictions,
  newWarmStartEntry,
} from '@cairn/core/store-kit'
import { chunkRefOf, deleteChunks, itemSize, layoutValue, readValue } from './chunks.js'
import type { StoreContext } from './context.js'
import { av, num, str, type Item } from './db.js'
import { A, GSI_PK, GSI_SK, GSI_WARM, INDEX_NAME, PK, RUN_PREFIX, SK, runSk, warmPk } from './table-design.js'

/** Saves (or replaces) the entry of `(key, runId)`: one item, `pk = warm#<key>`, `sk = run#<runId>`. */
export async function saveOverwrite(ctx: StoreContext, key: string, runId: string, input: WarmStartEntryInput): Promise<void> {
  const entry = newWarmStartEntry(key, runId, input)
  const bytes = encodeWarmStartEntry(entry)
  const pk = warmPk(key)
  const base: Item = {
    [PK]: av.s(pk),
    [SK]: av.s(runSk(runId)),
    [GSI_PK]: av.s(GSI_WARM),
    [GSI_SK]: av.s(`${key}#${runId}`),
    [A.warmKey]: av.s(key),
    [A.runId]: av.s(runId),
    [A.lastAccessedAt]: av.n(entry.lastAccessedAt),
    [A.sizeBytes]: av.n(bytes.length),
    [A.writeId]: av.s(randomUUID()),
  }
  const value = layoutValue(pk, bytes, itemSize(base))
  if (value.chunkItems.length > 0) await ctx.db.batchPut(value.chunkItems)
  const out = await ctx.db.put({ Item: { ...base, ...value.attrs }, ReturnValues: 'ALL_OLD' })
  const old = out.ok ? chunkRefOf(out.value) : undefined
  if (old) await deleteChunks(ctx.db, pk, old).catch(() => undefined)
}

/** The best entry of `key` (see `rankWarmStartEntries`); refreshes its access time. */
export async function lookup(ctx: StoreContext, key: string, options: LookupOptions = {}): Promise<WarmStartEntry | null> {
  return touch(ctx, rankWarmStartEntries(await entriesOf(ctx, key), options))
}

/** The most recently saved entry of `key`; refreshes its access time. */
export async function lookupLatest(ctx: StoreContext, key: string): Promise<WarmStartEntry | null> {
  return touch(ctx, latestWarmStartEntry(await entriesOf(ctx, key)))
}

/**
 * Applies the TTL and the size budget (`selectEvictions`) over every entry, read from the
 * `gsi1` partition `warm` (keys, sizes and access times only). Each delete is conditional on
 * the entry being unchanged since it was read, so an entry saved or looked up meanwhile stays.
 */
export async function evict(ctx: StoreContext, options: EvictOptions): Promise<EvictionReport> {
  const items = await ctx.db.queryAll({
    IndexName: INDEX_NAME,
    KeyConditionExpression: '#gpk = :gpk',
    ExpressionAttributeNames: { '#gpk': GSI_PK },
    ExpressionAttributeValues: { ':gpk': av.s(GSI_WARM) },
  })
  const byId = new Map<string, Item>()
  const entries: WarmStartEntry[] = []
  for (const item of items) {
    const key = str(item, A.warmKey)
    const runId = str(item, A.runId)
    if (key === undefined || runId === undefined) continue
    byId.set(`${key}\u0000${runId}`, item)
    entries.push(metaEntry(key, runId, item))
  }
  let evicted = 0
  let bytesFreed = 0
  await Promise.all(
    selectEvictions(entries, options).map(async (e) => {
      const seen = byId.get(`${e.key}\u0000${e.runId}`) as Item
      const out = await ctx.db.delete({
        Key: ctx.db.key(warmPk(e.key), runSk(e.runId)),
        ConditionExpression: '#w = :w AND #acc = :acc',
        ExpressionAttributeNames: { '#w': A.writeId, '#acc': A.lastAccessedAt },
        ExpressionAttributeValues: { ':w': av.s(str(seen, A.writeId) ?? ''), ':acc': av.n(e.lastAccessedAt) },
        ReturnValues: 'ALL_OLD',
      })
      if (!out.ok) return
      evicted++
      bytesFreed += e.sizeBytes
      const ref = chunkRefOf(out.value)
      if (ref) await deleteChunks(ctx.db, warmPk(e.key), ref).catch(() => undefined)
    }),
  )
  return { evicted, bytesFreed }
}

/** Every decodable entry of `key`; corrupt ones are deleted and reported on `cairn:store:corrupt`. */
async function entriesOf(ctx: StoreContext, key: string): Promise<WarmStartEntry[]> {
  if (typeof key !== 'string' || key.length === 0) return []
  const pk = warmPk(key)
  const items = await ctx.db.queryAll({
    KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :run)',
    ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
    ExpressionAttributeValues: { ':pk': av.s(pk), ':run': av.s(RUN_PREFIX) },
    ConsistentRead: true,
  })
  const out: WarmStartEntry[] = []
  await Promise.all(
    items.map(async (item) => {
      const runId = (str(item, SK) ?? '').slice(RUN_PREFIX.length)
      const what = `warm-start entry ${key}/${runId}`
      try {
        const bytes = await readValue(ctx.db, pk, item)
        if (!bytes) throw new CheckpointCorruptError(what, 'chunks are missing')
        const entry = decodeWarmStartEntry(bytes, what)
        if (entry.key !== key || entry.runId !== runId) throw new CheckpointCorruptError(what, `it names ${entry.key}/${entry.runId}`)
        out.push({ ...entry, lastAccessedAt: Math.max(entry.lastAccessedAt, num(item, A.lastAccessedAt) ?? 0) })
      } catch (err) {
        if (!(err instanceof CheckpointCorruptError) && !isShapeError(err)) throw err
        await dropCorrupt(ctx, pk, item)
        if (channels.storeCorrupt.hasSubscribers) channels.storeCorrupt.publish({ key, runId, error: err })
      }
    }),
  )
  return out
}

async function dropCorrupt(ctx: StoreContext, pk: string, item: Item): Promise<void> {
  const writeId = str(item, A.writeId)
  const out = await ctx.db.delete({
    Key: ctx.db.key(pk, str(item, SK) ?? ''),
    ...(writeId !== undefined
      ? {
          ConditionExpression: '#w = :w',
          ExpressionAttributeNames: { '#w': A.writeId },
          ExpressionAttributeValues: { ':w': av.s(writeId) },
        }
      : {}),
  })
  const ref = chunkRefOf(item)
  if (out.ok && ref) await deleteChunks(ctx.db, pk, ref).catch(() => undefined)
}

async function touch(ctx: StoreContext, entry: WarmStartEntry | null): Promise<WarmStartEntry | null> {
  if (!entry) return null
  const now = Math.max(Date.now(), entry.lastAccessedAt + 1)
  await ctx.db.update({
    Key: ctx.db.key(warmPk(entry.key), runSk(entry.runId)),
    UpdateExpression: 'SET #acc = :now',
    ConditionExpression: 'attribute_exists(#pk)',
    ExpressionAttributeNames: { '#acc': A.lastAccessedAt, '#pk': PK },
    ExpressionAttributeValues: { ':now': av.n(now) },
    ReturnValuesOnConditionCheckFailure: 'NONE',
  })
  return { ...entry, lastAccessedAt: now }
}

function metaEntry(key: string, runId: string, item: Item): WarmStartEntry {
  return {
    key,
    runId,
    kind: 'checkpoint',
    objective: null,
    direction: 'minimize',
    iteration: 0,
    payload: null,
    updatedAt: 0,
    lastAccessedAt: num(item, A.lastAccessedAt) ?? 0,
    sizeBytes: num(item, A.sizeBytes) ?? 0,
  }
}

function isShapeError(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'RESUME_MISMATCH'
}
