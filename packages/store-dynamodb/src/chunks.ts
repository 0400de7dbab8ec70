import { randomUUID } from 'node:crypto'
import { av, bin, num, str, type Db, type Item } from './db.js'
import { A, PK, SK, chunkSk } from './table-design.js'

/** DynamoDB's item size limit (names + values). */
export const ITEM_LIMIT = 400 * 1024
/** Bytes of a value per chunk item. */
export const CHUNK_BYTES = 350 * 1024
/** Headroom kept under `ITEM_LIMIT` for attributes we do not count exactly. */
const MARGIN = 4 * 1024

/** How a value is stored: inline in its item, or split into chunk items. */
export interface StoredValue {
  /** Attributes to put on the owning item: `body`, or `chunkId` + `chunks`. */
  attrs: Item
  /** Chunk items to write BEFORE the owning item (empty when inline). */
  chunkItems: Item[]
  /** Set when chunked. */
  chunkId?: string
  chunks?: number
}

/**
 * Lays out `bytes` for an item under `pk` whose other attributes take `otherBytes`: inline
 * when the whole item fits under DynamoDB's 400 KB, else in chunks of 350 KB, each its own
 * item (`sk = chunk#<chunkId>#<k>`) under the same partition. `chunkId` is random, so chunks
 * written for a commit that never lands can never be mistaken for another's.
 */
export function layoutValue(pk: string, bytes: Uint8Array, otherBytes: number): StoredValue {
  if (otherBytes + A.body.length + bytes.length <= ITEM_LIMIT - MARGIN) return { attrs: { [A.body]: av.b(bytes) }, chunkItems: [] }
  const chunkId = randomUUID()
  const chunkItems: Item[] = []
  for (let k = 0, at = 0; at < bytes.length; k++, at += CHUNK_BYTES) {
    chunkItems.push({ [PK]: av.s(pk), [SK]: av.s(chunkSk(chunkId, k)), [A.body]: av.b(bytes.subarray(at, at + CHUNK_BYTES)) })
  }
  return { attrs: { [A.chunkId]: av.s(chunkId), [A.chunks]: av.n(chunkItems.length) }, chunkItems, chunkId, chunks: chunkItems.length }
}

/** The chunk set an item points to, if any. */
export function chunkRefOf(item: Item | undefined): { chunkId: string; chunks: number } | undefined {
  const chunkId = str(item, A.chunkId)
  const chunks = num(item, A.chunks)
  return chunkId !== undefined && chunks !== undefined ? { chunkId, chunks } : undefined
}

/**
 * The value stored by an item (inline or chunked). Returns `undefined` when chunks are
 * missing — a concurrent writer may have replaced the value and removed the old chunks, so
 * the caller re-reads the item before calling it corrupt.
 */
export async function readValue(db: Db, pk: string, item: Item): Promise<Uint8Array | undefined> {
  const inline = bin(item, A.body)
  if (inline) return inline
  const ref = chunkRefOf(item)
  if (!ref) return new Uint8Array(0)
  const keys = Array.from({ length: ref.chunks }, (_, k) => db.key(pk, chunkSk(ref.chunkId, k)))
  const found = new Map<string, Uint8Array>()
  for (const it of await db.batchGet(keys)) {
    const sk = str(it, SK)
    const body = bin(it, A.body)
    if (sk !== undefined && body) found.set(sk, body)
  }
  const parts: Uint8Array[] = []
  for (let k = 0; k < ref.chunks; k++) {
    const part = found.get(chunkSk(ref.chunkId, k))
    if (!part) return undefined
    parts.push(part)
  }
  return Buffer.concat(parts)
}

/** Deletes the chunks of a chunk set (best effort is the caller's choice). */
export async function deleteChunks(db: Db, pk: string, ref: { chunkId: string; chunks: number }): Promise<void> {
  await db.batchDelete(Array.from({ length: ref.chunks }, (_, k) => db.key(pk, chunkSk(ref.chunkId, k))))
}

/** An estimate (from above) of an item's size as DynamoDB counts it. */
export function itemSize(item: Item): number {
  let n = 0
  for (const [name, v] of Object.entries(item)) {
    n += Buffer.byteLength(name) + 1
    if ('S' in v && typeof v.S === 'string') n += Buffer.byteLength(v.S)
    else if ('N' in v && typeof v.N === 'string') n += v.N.length
    else if ('B' in v && v.B instanceof Uint8Array) n += v.B.length
    else n += 64
  }
  return n
}
