import { crc32 } from 'node:zlib'
import { CheckpointCorruptError } from '../errors.js'

/** First bytes of every record Cairn writes. */
export const MAGIC = new Uint8Array([0x43, 0x41, 0x49, 0x52]) // "CAIR"
const HEADER_BYTES = 15

/** What an envelope holds; a decoder refuses a record of the wrong kind. */
export type RecordKind = 'head' | 'trial' | 'warm-start' | 'trial-progress'
const KIND_BYTE: Record<RecordKind, number> = { head: 0x48, trial: 0x54, 'warm-start': 0x57, 'trial-progress': 0x50 }

/**
 * Wraps a body: magic (4) · kind (1) · format version (u16) · CRC-32 of body (u32) ·
 * body length (u32) · body. Big-endian.
 */
export function seal(kind: RecordKind, version: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + body.length)
  out.set(body, HEADER_BYTES)
  return writeHeader(out, kind, version, body)
}

/**
 * `seal` of a body of `length` bytes that `fill` writes in place into the record (one
 * allocation, no copy of the body). The record's memory is not zero-filled first: `fill` must
 * write every byte of the body.
 */
export function sealInPlace(kind: RecordKind, version: number, length: number, fill: (body: Uint8Array) => void): Uint8Array {
  // A Uint8Array (not a Buffer) over memory of its own, left as allocated: fill writes all of it.
  const out = new Uint8Array(Buffer.allocUnsafeSlow(HEADER_BYTES + length).buffer, 0, HEADER_BYTES + length)
  const body = out.subarray(HEADER_BYTES)
  fill(body)
  return writeHeader(out, kind, version, body)
}

const utf8 = new TextEncoder()

/** `seal` of a text's UTF-8 bytes, written straight into the record (one allocation, no copy). */
export function sealText(kind: RecordKind, version: number, text: string): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + Buffer.byteLength(text, 'utf8'))
  const body = out.subarray(HEADER_BYTES)
  if (utf8.encodeInto(text, body).written !== body.length) return seal(kind, version, utf8.encode(text))
  return writeHeader(out, kind, version, body)
}

function writeHeader(out: Uint8Array, kind: RecordKind, version: number, body: Uint8Array): Uint8Array {
  const view = new DataView(out.buffer, out.byteOffset, HEADER_BYTES)
  out.set(MAGIC, 0)
  out[4] = KIND_BYTE[kind]
  view.setUint16(5, version)
  view.setUint32(7, crc32(body))
  view.setUint32(11, body.length)
  return out
}

/** Checks an envelope and returns its version and body; throws `CheckpointCorruptError` naming `what`. */
export function open(kind: RecordKind, bytes: Uint8Array, what: string): { version: number; body: Uint8Array } {
  if (!(bytes instanceof Uint8Array)) throw new CheckpointCorruptError(what, 'not a byte array')
  if (bytes.length < HEADER_BYTES) throw new CheckpointCorruptError(what, `truncated (${bytes.length} bytes)`)
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw new CheckpointCorruptError(what, 'not a Cairn record (bad magic bytes)')
  }
  if (bytes[4] !== KIND_BYTE[kind]) throw new CheckpointCorruptError(what, `not a ${kind} record`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const version = view.getUint16(5)
  const checksum = view.getUint32(7)
  const length = view.getUint32(11)
  if (bytes.length !== HEADER_BYTES + length)
    throw new CheckpointCorruptError(what, `length mismatch (header says ${length}, found ${bytes.length - HEADER_BYTES})`)
  const body = bytes.subarray(HEADER_BYTES)
  if (crc32(body) !== checksum) throw new CheckpointCorruptError(what, 'checksum mismatch')
  return { version, body }
}

/** Size of the envelope header in bytes. */
export const ENVELOPE_OVERHEAD = HEADER_BYTES
