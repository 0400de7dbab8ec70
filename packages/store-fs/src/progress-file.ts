import { crc32 } from 'node:zlib'
import { CheckpointCorruptError } from '@cairn/core'

/**
 * A trial progress file (`sessions/<id>/progress/<trialIdx>-<token>.bin`): one save of a
 * running trial's progress, written whole (temporary file, fdatasync, rename), so a reader sees
 * one save or another, never a part; the checksum catches damage from below. It trails the
 * bytes, so the writer computes it while the bytes are being written.
 *
 * ```
 * "CFSP" (4) · format 1 (u8) · trialIdx (u64) · token (u64) · length (u64) · the bytes · CRC-32 of the bytes (u32)
 * ```
 */
const MAGIC = Buffer.from('CFSP', 'latin1')
const FORMAT = 1
/** The header's size: the bytes follow it. */
export const PROGRESS_HEADER_BYTES = 29
/** The trailer's size: the CRC-32 of the bytes. */
export const PROGRESS_TRAILER_BYTES = 4

/**
 * The header and the trailer of a save of `bytes` (their CRC-32), as two views of one small
 * buffer (one allocation, from Node's pool).
 */
export function encodeProgressFraming(trialIdx: number, token: number, bytes: Uint8Array): { header: Buffer; trailer: Buffer } {
  const out = Buffer.allocUnsafe(PROGRESS_HEADER_BYTES + PROGRESS_TRAILER_BYTES)
  MAGIC.copy(out, 0)
  out.writeUInt8(FORMAT, 4)
  writeU64(out, trialIdx, 5)
  writeU64(out, token, 13)
  writeU64(out, bytes.byteLength, 21)
  out.writeUInt32BE(crc32(bytes), PROGRESS_HEADER_BYTES)
  return { header: out.subarray(0, PROGRESS_HEADER_BYTES), trailer: out.subarray(PROGRESS_HEADER_BYTES) }
}

/** The header of a save of `length` bytes. */
export function encodeProgressHeader(trialIdx: number, token: number, length: number): Buffer {
  const out = Buffer.alloc(PROGRESS_HEADER_BYTES)
  MAGIC.copy(out, 0)
  out.writeUInt8(FORMAT, 4)
  writeU64(out, trialIdx, 5)
  writeU64(out, token, 13)
  writeU64(out, length, 21)
  return out
}

/** The trailer of a save of `bytes`: their CRC-32. */
export function encodeProgressTrailer(bytes: Uint8Array): Buffer {
  const out = Buffer.alloc(PROGRESS_TRAILER_BYTES)
  out.writeUInt32BE(crc32(bytes), 0)
  return out
}

/** Writes a safe integer as a big-endian u64 (two u32 halves: no BigInt). */
function writeU64(out: Buffer, n: number, at: number): void {
  out.writeUInt32BE(Math.floor(n / 2 ** 32), at)
  out.writeUInt32BE(n % 2 ** 32, at + 4)
}

/** The saved bytes of a progress file of trial `trialIdx` and `token`; throws `CheckpointCorruptError` naming `what`. */
export function decodeProgressFile(file: Uint8Array, trialIdx: number, token: number, what: string): Uint8Array {
  const buf = Buffer.from(file.buffer, file.byteOffset, file.byteLength)
  if (buf.length < PROGRESS_HEADER_BYTES + PROGRESS_TRAILER_BYTES || !buf.subarray(0, 4).equals(MAGIC))
    throw new CheckpointCorruptError(what, 'not a @cairn/store-fs trial progress file')
  if (buf.readUInt8(4) !== FORMAT) throw new CheckpointCorruptError(what, `unknown trial progress file format ${buf.readUInt8(4)}`)
  const savedIdx = Number(buf.readBigUInt64BE(5))
  const savedToken = Number(buf.readBigUInt64BE(13))
  if (savedIdx !== trialIdx || savedToken !== token)
    throw new CheckpointCorruptError(what, `it holds trial ${savedIdx} token ${savedToken}, its name says trial ${trialIdx} token ${token}`)
  const length = Number(buf.readBigUInt64BE(21))
  const held = buf.length - PROGRESS_HEADER_BYTES - PROGRESS_TRAILER_BYTES
  if (held !== length)
    throw new CheckpointCorruptError(what, `it holds ${held} bytes between its header and trailer, the header says ${length}`)
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset + PROGRESS_HEADER_BYTES, length)
  if (crc32(bytes) !== buf.readUInt32BE(PROGRESS_HEADER_BYTES + length)) throw new CheckpointCorruptError(what, 'checksum mismatch')
  return bytes
}

const SAVED_NAME = /^(\d+)-(\d+)\.bin$/

/** The file name of the save of trial `trialIdx` with `token`. */
export function progressFileName(trialIdx: number, token: number): string {
  return `${trialIdx}-${token}.bin`
}

/** The trial and token a progress file's name says, or undefined for any other name (a temporary file, say). */
export function parseProgressFileName(name: string): { trialIdx: number; token: number } | undefined {
  const m = SAVED_NAME.exec(name)
  if (!m) return undefined
  const trialIdx = Number(m[1])
  const token = Number(m[2])
  return Number.isSafeInteger(trialIdx) && Number.isSafeInteger(token) ? { trialIdx, token } : undefined
}

/** True for every file of trial `trialIdx`: its saves and the temporary files of saves under way or cut short. */
export function isProgressFileOf(name: string, trialIdx: number): boolean {
  return name.startsWith(`${trialIdx}-`)
}
