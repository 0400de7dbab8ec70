import { crc32 } from 'node:zlib'
import { CheckpointCorruptError } from '@cairn/core'

/**
 * Trial progress in the `progress` sublevel: a manifest per trial (what its latest save is) and,
 * for a save over `PROGRESS_CHUNK_BYTES`, its bytes in chunks of that size keyed by trial, token
 * and chunk number (see keys.ts); a smaller save is carried in the manifest itself, so it is one
 * key. A save writes its chunks, its manifest and the deletion of the previous save's chunks in
 * one atomic batch, so a crash leaves the previous save or the new one.
 *
 * ```
 * manifest: "CLP" (3) · format 1 (u8) · token (u64) · length (u64) · chunks (u32; 0: inline) · CRC-32 of the whole bytes (u32) · the bytes when inline
 * ```
 */
const MAGIC = Buffer.from('CLP', 'latin1')
const FORMAT = 1
const HEADER_BYTES = 28

/** The largest chunk of progress stored under one key (and the largest save carried in its manifest). */
export const PROGRESS_CHUNK_BYTES = 1024 * 1024

/** What a trial's manifest says about its latest save. */
export interface ProgressManifest {
  token: number
  /** Bytes in all. */
  length: number
  /** How many chunks hold them; 0 when the manifest carries them (`inline`). */
  chunks: number
  /** CRC-32 of the whole bytes. */
  crc32: number
  /** The bytes, when the manifest carries them. */
  inline?: Uint8Array
}

/** How a save of `bytes` with `token` is stored: its manifest, and its chunks (none when inline; views, not copies). */
export function progressLayout(token: number, bytes: Uint8Array): { manifest: Uint8Array; chunks: Uint8Array[] } {
  const inline = bytes.byteLength <= PROGRESS_CHUNK_BYTES
  const chunks: Uint8Array[] = []
  if (!inline)
    for (let at = 0; at < bytes.byteLength; at += PROGRESS_CHUNK_BYTES) chunks.push(bytes.subarray(at, at + PROGRESS_CHUNK_BYTES))
  // Every byte is written below (header, then the bytes when inline): no zero-filling.
  const manifest = Buffer.allocUnsafeSlow(HEADER_BYTES + (inline ? bytes.byteLength : 0))
  MAGIC.copy(manifest, 0)
  manifest.writeUInt8(FORMAT, 3)
  writeU64(manifest, token, 4)
  writeU64(manifest, bytes.byteLength, 12)
  manifest.writeUInt32BE(chunks.length, 20)
  manifest.writeUInt32BE(crc32(bytes), 24)
  if (inline) manifest.set(bytes, HEADER_BYTES)
  return { manifest, chunks }
}

/** Writes a safe integer as a big-endian u64 (two u32 halves: no BigInt). */
function writeU64(out: Buffer, n: number, at: number): void {
  out.writeUInt32BE(Math.floor(n / 2 ** 32), at)
  out.writeUInt32BE(n % 2 ** 32, at + 4)
}

/** Decodes a manifest; throws `CheckpointCorruptError` naming `what`. */
export function decodeProgressManifest(bytes: Uint8Array, what: string): ProgressManifest {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (buf.length < HEADER_BYTES || !buf.subarray(0, 3).equals(MAGIC))
    throw new CheckpointCorruptError(what, 'its manifest is not a progress manifest')
  if (buf.readUInt8(3) !== FORMAT) throw new CheckpointCorruptError(what, `unknown progress manifest format ${buf.readUInt8(3)}`)
  const token = Number(buf.readBigUInt64BE(4))
  const length = Number(buf.readBigUInt64BE(12))
  const chunks = buf.readUInt32BE(20)
  const sum = buf.readUInt32BE(24)
  const expectedChunks = length <= PROGRESS_CHUNK_BYTES ? 0 : Math.ceil(length / PROGRESS_CHUNK_BYTES)
  if (chunks !== expectedChunks) throw new CheckpointCorruptError(what, `its manifest says ${chunks} chunks for ${length} bytes`)
  if (chunks === 0) {
    if (buf.length - HEADER_BYTES !== length)
      throw new CheckpointCorruptError(what, `its manifest carries ${buf.length - HEADER_BYTES} bytes, it says ${length}`)
    return { token, length, chunks, crc32: sum, inline: buf.subarray(HEADER_BYTES) }
  }
  if (buf.length !== HEADER_BYTES) throw new CheckpointCorruptError(what, 'its manifest carries bytes and chunks')
  return { token, length, chunks, crc32: sum }
}

/** The bytes of a save (carried by its manifest, or its chunks), checked against the manifest; throws `CheckpointCorruptError` naming `what`. */
export function assembleProgress(m: ProgressManifest, chunks: readonly Uint8Array[], what: string): Uint8Array {
  let bytes: Uint8Array
  if (m.inline) bytes = m.inline
  else {
    if (chunks.length !== m.chunks)
      throw new CheckpointCorruptError(what, `its manifest lists ${m.chunks} chunks, ${chunks.length} are stored`)
    const length = chunks.reduce((sum, c) => sum + c.byteLength, 0)
    if (length !== m.length) throw new CheckpointCorruptError(what, `its chunks hold ${length} bytes, its manifest says ${m.length}`)
    bytes = Buffer.concat(chunks, length)
  }
  if (crc32(bytes) !== m.crc32) throw new CheckpointCorruptError(what, 'checksum mismatch')
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}
