import { open } from 'node:fs/promises'
import { crc32 } from 'node:zlib'
import { CheckpointCorruptError, canonicalJson, decodeHead, encodeHead, headToListing } from '@cairn/core'
import type { CheckpointHead, SessionListing } from '@cairn/core'
import { isMissing } from './io.js'

/**
 * The `head` file: a small listing block, then core's head envelope.
 *
 * ```
 * "CFSH" (4) · format 1 (u8) · listing length (u32) · CRC-32 of listing (u32) · listing JSON · head envelope
 * ```
 *
 * Both parts are written in one atomic replace, so the listing always matches the head; `list`
 * reads only the listing block and never decodes the optimizer state. Big-endian.
 */
const MAGIC = Buffer.from('CFSH', 'latin1')
const FORMAT = 1
const PREFIX_BYTES = 13
const FIRST_READ = 4096
const MAX_LISTING = 1 << 20

/**
 * The listing block: the session's listing (without the lease, which lives in the `lease`
 * file) plus the head's revision and trial count, so `list` and `readTrials` never decode
 * the head itself.
 */
export type StoredListing = Omit<SessionListing, 'leaseExpiresAt' | 'problem'> & { revision: number; attempts: number }

const STATUSES = new Set(['running', 'paused', 'completed', 'failed', 'cancelled'])

/** The bytes of a `head` file for `head` (its lease is not stored here). */
export function encodeHeadFile(head: CheckpointHead): Uint8Array {
  const stored = { ...head, lease: null }
  const { leaseExpiresAt: _lease, ...listing } = headToListing(stored)
  const block: StoredListing = { ...listing, revision: head.revision, attempts: head.progress.attempts }
  const listingBytes = Buffer.from(canonicalJson(block), 'utf8')
  const envelope = encodeHead(stored)
  const out = Buffer.alloc(PREFIX_BYTES + listingBytes.length + envelope.length)
  MAGIC.copy(out, 0)
  out.writeUInt8(FORMAT, 4)
  out.writeUInt32BE(listingBytes.length, 5)
  out.writeUInt32BE(crc32(listingBytes), 9)
  listingBytes.copy(out, PREFIX_BYTES)
  out.set(envelope, PREFIX_BYTES + listingBytes.length)
  return out
}

/** Decodes a whole `head` file; throws `CheckpointCorruptError` (or core's `ResumeMismatchError` for an unknown shape). */
export function decodeHeadFile(bytes: Uint8Array, what: string): CheckpointHead {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const length = checkPrefix(buf, what)
  if (buf.length < PREFIX_BYTES + length) throw new CheckpointCorruptError(what, `truncated (${buf.length} bytes)`)
  parseListing(buf.subarray(PREFIX_BYTES, PREFIX_BYTES + length), buf.readUInt32BE(9), what)
  return decodeHead(buf.subarray(PREFIX_BYTES + length), what)
}

/** Reads only the listing block of a `head` file; undefined when the file does not exist. */
export async function readListingBlock(path: string, what: string): Promise<StoredListing | undefined> {
  let fh
  try {
    fh = await open(path, 'r')
  } catch (err) {
    if (isMissing(err)) return undefined
    throw err
  }
  try {
    const first = Buffer.alloc(FIRST_READ)
    const { bytesRead } = await fh.read(first, 0, FIRST_READ, 0)
    const head = first.subarray(0, bytesRead)
    const length = checkPrefix(head, what)
    let block: Buffer
    if (PREFIX_BYTES + length <= bytesRead) block = head.subarray(PREFIX_BYTES, PREFIX_BYTES + length)
    else {
      block = Buffer.alloc(length)
      const more = await fh.read(block, 0, length, PREFIX_BYTES)
      if (more.bytesRead !== length) throw new CheckpointCorruptError(what, 'listing block truncated')
    }
    return parseListing(block, head.readUInt32BE(9), what)
  } finally {
    await fh.close()
  }
}

function checkPrefix(buf: Buffer, what: string): number {
  if (buf.length < PREFIX_BYTES) throw new CheckpointCorruptError(what, `truncated (${buf.length} bytes)`)
  if (!buf.subarray(0, 4).equals(MAGIC)) throw new CheckpointCorruptError(what, 'not a @cairn/store-fs head file (bad magic bytes)')
  const format = buf.readUInt8(4)
  if (format !== FORMAT) throw new CheckpointCorruptError(what, `unknown head file format ${format}`)
  const length = buf.readUInt32BE(5)
  if (length > MAX_LISTING) throw new CheckpointCorruptError(what, `listing block length ${length} is implausible`)
  return length
}

function parseListing(block: Buffer, checksum: number, what: string): StoredListing {
  if (crc32(block) !== checksum) throw new CheckpointCorruptError(what, 'listing block checksum mismatch')
  let value: unknown
  try {
    value = JSON.parse(block.toString('utf8'))
  } catch (err) {
    throw new CheckpointCorruptError(what, 'listing block is not JSON', { cause: err })
  }
  const v = value as Record<string, unknown>
  const ok =
    typeof value === 'object' &&
    value !== null &&
    typeof v.sessionId === 'string' &&
    typeof v.status === 'string' &&
    STATUSES.has(v.status) &&
    typeof v.optimizer === 'string' &&
    (v.bestScore === null || typeof v.bestScore === 'number') &&
    typeof v.completed === 'number' &&
    typeof v.updatedAt === 'number' &&
    Number.isSafeInteger(v.revision) &&
    Number.isSafeInteger(v.attempts) &&
    (v.name === undefined || typeof v.name === 'string') &&
    (v.job === undefined || typeof v.job === 'string')
  if (!ok) throw new CheckpointCorruptError(what, 'listing block does not match the listing shape')
  return value as StoredListing
}
