import { crc32 } from 'node:zlib'
import { CheckpointCorruptError } from '@cairn/core'
import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import type { StoreContext } from './context.js'
import type { InlineTrial, TrialIdentity } from './inline-trial.js'
import { av, bin, num, type Item } from './db.js'
import { A, PK, SK, trialSk } from './table-design.js'

/**
 * Trial records carried inline on the head item.
 *
 * A commit's head carries, besides the head, the records of the trials `inlineFrom` …
 * `attempts - 1`: the commit's own trials and any earlier ones whose trial item is not yet
 * known to be written. The head's single conditional write is therefore the whole commit
 * point; the trial items are written after it, several commits' worth in one batch, and only
 * relieve later heads of the inline copies. Readers trust a trial item only below
 * `inlineFrom` and take the inline copy from there on. A later head drops an inline record
 * only once its item is confirmed (see `commit.ts`), so every trial the head counts is
 * always readable.
 */

/**
 * The `inline` attribute value for `trials`: ONE binary value (a single attribute is far
 * cheaper for the SDK to serialize than a list of maps), laid out as
 * `crc32(rest) u32 | header length u32 | header | records`, where the header is the JSON
 * array `[[writer, token, rev, cid, byteLength], …]` and the records are the trials'
 * `encodeTrial` bytes, concatenated (each checksummed on its own as well).
 */
export function inlineAttr(trials: readonly InlineTrial[]): AttributeValue {
  const header = textEncoder.encode(JSON.stringify(trials.map((t) => [t.by.writer, t.by.token, t.by.rev, t.by.cid, t.bytes.length])))
  const out = new Uint8Array(INLINE_PREFIX + header.length + trials.reduce((n, t) => n + t.bytes.length, 0))
  const view = new DataView(out.buffer)
  view.setUint32(4, header.length)
  out.set(header, INLINE_PREFIX)
  let at = INLINE_PREFIX + header.length
  for (const t of trials) {
    out.set(t.bytes, at)
    at += t.bytes.length
  }
  view.setUint32(0, crc32(out.subarray(4)))
  return av.b(out)
}

/**
 * The inline trials of a head item (read back unconfirmed), and where they start. Throws
 * `CheckpointCorruptError` when the attributes do not describe trials `inlineFrom` …
 * `attempts - 1`, or fail their checksum.
 */
export function inlineOf(item: Item, sessionId: string, attempts: number, inc: number): { from: number; trials: InlineTrial[] } {
  const what = `head of session "${sessionId}"`
  const from = num(item, A.inlineFrom) ?? attempts
  const blob = bin(item, A.inline)
  const entries = blob ? parseInline(blob, what) : []
  if (!Number.isSafeInteger(from) || from < 0 || from + entries.length !== attempts)
    throw new CheckpointCorruptError(what, `inline trials ${from} … ${from + entries.length - 1} do not end at attempts ${attempts}`)
  const trials = entries.map(
    ({ writer, token, rev, cid, bytes }, k): InlineTrial => ({
      idx: from + k,
      bytes,
      by: { writer, inc, token, rev, cid },
      confirmed: false,
    }),
  )
  return { from, trials }
}

const INLINE_PREFIX = 8
const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder('utf-8', { fatal: true })

type InlineEntry = Omit<TrialIdentity, 'inc'> & { bytes: Uint8Array }

/** Splits an `inline` value into its records (see `inlineAttr`). */
function parseInline(blob: Uint8Array, what: string): InlineEntry[] {
  const bad = (why: string): never => {
    throw new CheckpointCorruptError(what, `inline trials: ${why}`)
  }
  if (blob.length < INLINE_PREFIX) bad('too short')
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength)
  if (view.getUint32(0) !== crc32(blob.subarray(4))) bad('checksum mismatch')
  const headerEnd = INLINE_PREFIX + view.getUint32(4)
  if (headerEnd > blob.length) bad('header overruns the value')
  let header: unknown
  try {
    header = JSON.parse(textDecoder.decode(blob.subarray(INLINE_PREFIX, headerEnd)))
  } catch {
    bad('header is not JSON')
  }
  if (!Array.isArray(header)) return bad('header is not a list')
  let at = headerEnd
  const entries = header.map((h: unknown): InlineEntry => {
    if (!Array.isArray(h) || h.length !== 5) return bad('malformed header entry')
    const [writer, token, rev, cid, length] = h as unknown[]
    if (
      typeof writer !== 'string' ||
      typeof cid !== 'string' ||
      !Number.isSafeInteger(token) ||
      !Number.isSafeInteger(rev) ||
      !Number.isSafeInteger(length) ||
      (length as number) < 0
    )
      return bad('malformed header entry')
    const bytes = blob.subarray(at, at + (length as number))
    at += length as number
    return { writer, token: token as number, rev: rev as number, cid, bytes }
  })
  if (at !== blob.length) bad('record lengths do not add up')
  return entries
}

/** The trial item of `t`: its record and its committer's identity, under its incarnation's key. */
function trialItem(sessionId: string, t: InlineTrial): Item {
  return {
    [PK]: av.s(sessionId),
    [SK]: av.s(trialSk(t.by.inc, t.idx)),
    ...identityAttrs(t.by),
    [A.body]: av.b(t.bytes),
  }
}

/** The identity attributes of a trial item. */
export function identityAttrs(by: TrialIdentity): Item {
  return { [A.writer]: av.s(by.writer), [A.inc]: av.n(by.inc), [A.token]: av.n(by.token), [A.rev]: av.n(by.rev), [A.cid]: av.s(by.cid) }
}

/**
 * Writes the trial items of COMMITTED records (each below the `attempts` of a head that
 * landed carrying it inline), in one `BatchWriteItem` per 25, and marks them confirmed.
 *
 * The puts are unconditional, and that is safe: within an incarnation the committed record of
 * an index is unique, so a put either fills an empty slot, replaces a leftover of a commit
 * that never landed (which is what should happen to it), or rewrites the very same record;
 * and the incarnation is part of the key, so no other incarnation's item is ever touched.
 * Resolves whether they landed; rejects only when `rethrow` (else a failure leaves the
 * records unconfirmed, carried inline until a later write confirms them).
 */
export async function writeCommitted(ctx: StoreContext, sessionId: string, trials: readonly InlineTrial[], rethrow = false): Promise<void> {
  if (trials.length === 0) return
  try {
    await ctx.db.batchPut(trials.map((t) => trialItem(sessionId, t)))
    for (const t of trials) t.confirmed = true
  } catch (err) {
    if (rethrow) throw err
  }
}
