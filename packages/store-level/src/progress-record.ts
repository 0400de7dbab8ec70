import { crc32 } from 'node:zlib'
import { CheckpointCorruptError } from '@cairn/core'

/**
 * Trial progress in the `progress` sublevel: a manifest per trial (what its latest save is) and
 * the save's bytes in chunks of at most `PROGRESS_CHUNK_BYTES`, keyed by trial, token and chunk
 * number (see keys.ts). A save writes its chunks, its manifest and the deletion of the previous
 * save's chunks in one atomic batch, so a crash leaves the previous save or the new one.
 *
 * The manifest is JSON: `{ v: 1, token, length, chunks, crc32 }`, `crc32` over the whole bytes.
 */
const FORMAT = 1

/** The largest chunk of progress stored under one key: LevelDB handles values of this size without strain. */
export const PROGRESS_CHUNK_BYTES = 1024 * 1024

/** What a trial's manifest says about its latest save. */
export interface ProgressManifest {
  v: number
  token: number
  /** Bytes in all. */
  length: number
  /** How many chunks hold them. */
  chunks: number
  /** CRC-32 of the whole bytes. */
  crc32: number
}

/** The manifest of a save of `bytes` with `token`. */
export function progressManifest(token: number, bytes: Uint8Array): ProgressManifest {
  return { v: FORMAT, token, length: bytes.byteLength, chunks: chunkCount(bytes.byteLength), crc32: crc32(bytes) }
}

/** How many chunks hold `length` bytes (one, empty, for none). */
function chunkCount(length: number): number {
  return Math.max(1, Math.ceil(length / PROGRESS_CHUNK_BYTES))
}

/** The chunks of `bytes`: views, not copies. */
export function progressChunks(bytes: Uint8Array): Uint8Array[] {
  const n = chunkCount(bytes.byteLength)
  return Array.from({ length: n }, (_, i) =>
    bytes.subarray(i * PROGRESS_CHUNK_BYTES, Math.min(bytes.byteLength, (i + 1) * PROGRESS_CHUNK_BYTES)),
  )
}

export function encodeProgressManifest(m: ProgressManifest): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(m))
}

/** Decodes a manifest; throws `CheckpointCorruptError` naming `what`. */
export function decodeProgressManifest(bytes: Uint8Array, what: string): ProgressManifest {
  let m: Partial<ProgressManifest>
  try {
    m = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Partial<ProgressManifest>
  } catch (err) {
    throw new CheckpointCorruptError(what, 'its manifest is not JSON', { cause: err })
  }
  const ok =
    m !== null &&
    typeof m === 'object' &&
    m.v === FORMAT &&
    Number.isSafeInteger(m.token) &&
    Number.isSafeInteger(m.length) &&
    Number.isSafeInteger(m.chunks) &&
    Number.isSafeInteger(m.crc32) &&
    m.chunks === chunkCount(m.length as number)
  if (!ok) throw new CheckpointCorruptError(what, 'its manifest does not match the progress manifest shape')
  return m as ProgressManifest
}

/** The bytes the chunks of a save hold, checked against its manifest; throws `CheckpointCorruptError` naming `what`. */
export function assembleProgress(m: ProgressManifest, chunks: readonly Uint8Array[], what: string): Uint8Array {
  if (chunks.length !== m.chunks)
    throw new CheckpointCorruptError(what, `its manifest lists ${m.chunks} chunks, ${chunks.length} are stored`)
  const length = chunks.reduce((sum, c) => sum + c.byteLength, 0)
  if (length !== m.length) throw new CheckpointCorruptError(what, `its chunks hold ${length} bytes, its manifest says ${m.length}`)
  const bytes = chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks, length)
  if (crc32(bytes) !== m.crc32) throw new CheckpointCorruptError(what, 'checksum mismatch')
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}
