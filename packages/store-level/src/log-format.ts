import { createCRC32, type IHasher } from 'hash-wasm'

/**
 * A reader of LevelDB's log format, the format of its write-ahead log (`<n>.log`) and of its
 * `MANIFEST-<n>`: 32 KiB blocks of physical records, each `masked CRC-32C (u32 LE) · length
 * (u16 LE) · type (u8) · data`, where the type says whether the record holds a whole logical
 * record (full) or its first, middle or last fragment. The checksum covers the type and the
 * data. A block's last six bytes or fewer, too short for a header, are zero padding.
 *
 * It reports damage exactly where LevelDB's own reader reports it (checksum mismatch, a
 * length running past its block, fragments out of order, an unknown type), which LevelDB
 * without `paranoid_checks` (the only mode `classic-level` offers) silently skips together
 * with the rest of the 32 KiB block, so committed writes vanish. A log that ends inside a
 * record is reported apart (`tornAt`): after a crash that is the append that never finished.
 */

/** Size of a log block. */
export const BLOCK_BYTES = 32 * 1024
const HEADER_BYTES = 7
const ZERO = 0
const FULL = 1
const FIRST = 2
const MIDDLE = 3
const LAST = 4
/** A write batch (one logical record of a `.log` file) is at least its sequence number and count. */
const BATCH_HEADER_BYTES = 12
const MASK_DELTA = 0xa282ead8

/** Where a log is damaged, and what LevelDB would drop there. */
export interface LogDamage {
  /** Byte offset of the first damaged record. */
  offset: number
  reason: string
  /** From the damaged record to the end of its block: the bytes LevelDB would skip. */
  dropped: Uint8Array
}

/** What a scan of one log found. */
export interface LogScan {
  /** The first damage LevelDB would report (and, without paranoid checks, skip); null when none. */
  damage: LogDamage | null
  /** Where the last, unfinished record starts when the log ends inside it; null when it ends cleanly. */
  tornAt: number | null
  /** Logical records read intact. */
  records: number
}

/** Computes LevelDB's CRC-32C of byte ranges. */
export interface Crc32c {
  of(bytes: Uint8Array): number
}

let crcPromise: Promise<Crc32c> | undefined

/** The CRC-32C (Castagnoli) hasher, built once per process (a small WebAssembly module). */
export function crc32c(): Promise<Crc32c> {
  crcPromise ??= createCRC32(0x82f63b78).then((hasher: IHasher) => ({
    of(bytes: Uint8Array): number {
      hasher.init()
      hasher.update(bytes)
      const digest = hasher.digest('binary')
      return ((digest[0] as number) << 24) | ((digest[1] as number) << 16) | ((digest[2] as number) << 8) | (digest[3] as number)
    },
  }))
  return crcPromise
}

/**
 * Scans a log file's bytes. `batches`: its logical records are write batches (a `.log` file),
 * so one shorter than a batch header is damage, as LevelDB reports it.
 */
export function scanLog(bytes: Uint8Array, crc: Crc32c, batches: boolean): LogScan {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let records = 0
  /** Start and length so far of the logical record being assembled from fragments. */
  let fragmented: { start: number; length: number } | null = null
  const damaged = (offset: number, reason: string): LogScan => {
    const blockEnd = Math.min(bytes.length, (Math.floor(offset / BLOCK_BYTES) + 1) * BLOCK_BYTES)
    return { damage: { offset, reason, dropped: bytes.subarray(offset, blockEnd) }, tornAt: null, records }
  }
  const whole = (start: number, length: number): LogScan | null => {
    if (batches && length < BATCH_HEADER_BYTES) return damaged(start, `a record of ${length} bytes is too small to be a write batch`)
    records++
    return null
  }

  for (let block = 0; block < bytes.length; block += BLOCK_BYTES) {
    const end = Math.min(bytes.length, block + BLOCK_BYTES)
    // A block shorter than a full one is the file's last: a record cut by its end is torn, not damaged.
    const last = end - block < BLOCK_BYTES
    let at = block
    while (end - at >= HEADER_BYTES) {
      const length = view.getUint16(at + 4, true)
      const type = bytes[at + 6] as number
      const expected = unmask(view.getUint32(at, true))
      if (at + HEADER_BYTES + length > end) {
        if (!last) return damaged(at, `record length ${length} runs past its block`)
        const real = damagedLength(bytes, crc, at, end, length, expected)
        if (real !== null) return damaged(at, `its length field says ${length} bytes but the record checksums as ${real} bytes`)
        return { damage: null, tornAt: fragmented?.start ?? at, records }
      }
      // Zeros where a header should be: LevelDB skips the rest of the block without a word. Zeros
      // up to the end of the file are an append the disk never got (a torn tail); zeros with
      // records after them are damage.
      if (type === ZERO && length === 0) {
        if (isZero(bytes, at, bytes.length)) return { damage: null, tornAt: fragmented?.start ?? at, records }
        return damaged(at, 'zeroed bytes where a record should start')
      }
      if (crc.of(bytes.subarray(at + 6, at + HEADER_BYTES + length)) !== expected) return damaged(at, 'checksum mismatch')
      if (type === FULL) {
        if (fragmented && fragmented.length > 0) return damaged(fragmented.start, 'a fragmented record has no end')
        fragmented = null
        const problem = whole(at, length)
        if (problem) return problem
      } else if (type === FIRST) {
        if (fragmented && fragmented.length > 0) return damaged(fragmented.start, 'a fragmented record has no end')
        fragmented = { start: at, length }
      } else if (type === MIDDLE || type === LAST) {
        if (!fragmented) return damaged(at, 'a record fragment has no start')
        fragmented.length += length
        if (type === LAST) {
          const problem = whole(fragmented.start, fragmented.length)
          if (problem) return problem
          fragmented = null
        }
      } else return damaged(at, `unknown record type ${type}`)
      at += HEADER_BYTES + length
    }
    // Fewer than 7 bytes left: a full block's zero trailer, or at the end of the file a torn header.
    if (last && end - at > 0) return { damage: null, tornAt: fragmented?.start ?? at, records }
  }
  return { damage: null, tornAt: fragmented?.start ?? null, records }
}

/**
 * A record whose length runs past the end of the file is what a crash in the middle of an
 * append leaves, or a record whose length field was damaged. The second is told apart by its
 * checksum: it matches the data at the length the record really has, the rest of the file
 * (the usual case for the last record) or a length one flipped bit away. Returns that length.
 */
function damagedLength(bytes: Uint8Array, crc: Crc32c, at: number, end: number, length: number, expected: number): number | null {
  const room = end - at - HEADER_BYTES
  const candidates = new Set([room])
  for (let bit = 0; bit < 16; bit++) candidates.add(length ^ (1 << bit))
  for (const candidate of candidates)
    if (candidate >= 0 && candidate <= room && crc.of(bytes.subarray(at + 6, at + HEADER_BYTES + candidate)) === expected) return candidate
  return null
}

function unmask(masked: number): number {
  const rot = (masked - MASK_DELTA) >>> 0
  return (rot >>> 17) | (rot << 15) | 0
}

function isZero(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false
  return true
}
