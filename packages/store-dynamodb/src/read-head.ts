import { CheckpointCorruptError, NotFoundError, type CheckpointHead, type ControlRequest } from '@cairn/core'
import { decodeHead } from '@cairn/core/store-kit'
import { chunkRefOf, readValue } from './chunks.js'
import type { StoreContext } from './context.js'
import { num, str, type Item } from './db.js'
import { leaseOf } from './head-item.js'
import { inlineOf } from './inline.js'
import { A, HEAD_SK } from './table-design.js'

/** A decoded head with the item it came from. */
export interface ReadHead {
  head: CheckpointHead
  item: Item
}

const ROUNDS = 3

/**
 * Reads and decodes a session's head (strongly consistent), lease included, and remembers it
 * in the head cache. A chunked head whose chunks vanished between the two reads (a commit
 * replaced it) is read again. Throws `NotFoundError` or `CheckpointCorruptError`; a head that
 * fails to decode is forgotten by the cache, so no commit skips validating it.
 */
export async function readHead(ctx: StoreContext, sessionId: string): Promise<ReadHead> {
  const what = `head of session "${sessionId}"`
  let previousChunk: string | undefined
  for (let round = 0; ; round++) {
    const item = await ctx.db.get(sessionId, HEAD_SK)
    if (!item) {
      ctx.heads.forget(sessionId)
      throw new NotFoundError(`session "${sessionId}"`)
    }
    const ref = chunkRefOf(item)
    const bytes = await readValue(ctx.db, sessionId, item)
    if (!bytes) {
      if (round + 1 < ROUNDS && ref?.chunkId !== previousChunk) {
        previousChunk = ref?.chunkId
        continue
      }
      ctx.heads.forget(sessionId)
      throw new CheckpointCorruptError(what, `chunk set ${ref?.chunkId ?? '?'} is incomplete`)
    }
    try {
      const decoded = decodeHead(bytes, what)
      const rev = num(item, A.rev)
      const inc = num(item, A.inc)
      if (decoded.sessionId !== sessionId) throw new CheckpointCorruptError(what, `it names session "${decoded.sessionId}"`)
      if (rev !== decoded.revision)
        throw new CheckpointCorruptError(what, `item revision ${rev ?? 'none'} differs from the encoded ${decoded.revision}`)
      if (inc === undefined) throw new CheckpointCorruptError(what, 'incarnation attribute is missing')
      if (num(item, A.attempts) !== decoded.progress.attempts)
        throw new CheckpointCorruptError(what, 'attempts attribute differs from the encoded head')
      const { trials: inline } = inlineOf(item, sessionId, decoded.progress.attempts, inc)
      const meta = headMeta(item)
      ctx.heads.set(sessionId, {
        revision: rev,
        inc,
        inline,
        ...(ref ? { chunk: ref } : {}),
        attempts: decoded.progress.attempts,
        owner: meta.owner,
        token: meta.token,
        leaseExpiresAt: num(item, A.leaseExpiresAt),
        control: controlOf(meta.control),
        stamp: meta.stamp,
      })
      return { head: { ...decoded, lease: leaseOf(item) }, item }
    } catch (err) {
      ctx.heads.forget(sessionId)
      throw err
    }
  }
}

/** The incarnation and lease token recorded on a head item. */
export function headMeta(item: Item): {
  rev?: number
  inc?: number
  token?: number
  owner?: string
  attempts?: number
  writer?: string
  control?: string
  stamp?: string
} {
  const out: ReturnType<typeof headMeta> = {}
  const set = <K extends keyof typeof out>(k: K, v: (typeof out)[K] | undefined): void => {
    if (v !== undefined) out[k] = v
  }
  set('rev', num(item, A.rev))
  set('inc', num(item, A.inc))
  set('token', num(item, A.token))
  set('owner', str(item, A.owner))
  set('attempts', num(item, A.attempts))
  set('writer', str(item, A.writer))
  set('control', str(item, A.control))
  set('stamp', str(item, A.stamp))
  return out
}

/** The control request a head item's `control` attribute records, or null. */
export function controlOf(value: string | undefined): ControlRequest | null {
  return value === 'pause' || value === 'cancel' ? value : null
}
