import { crc32 } from 'node:zlib'
import {
  FOOTER_BYTES,
  FOOTER_MAGIC,
  HEADER_BYTES,
  JOURNAL_FORMAT,
  PREAMBLE_BYTES,
  PREAMBLE_MAGIC,
  parseHeader,
  readFloor,
  type Floor,
  type RecordHeader,
} from './journal.js'
import { parseListing, type StoredListing } from './listing.js'

/** What a journal whose head does not decode still tells, read from its bytes alone. */
export interface JournalWalk {
  /**
   * The headers of its records, front to back, when every byte of the journal belongs to a
   * well-formed record continuing the one before (a record whose checksum fails included: its
   * header and footer still delimit it) and, in format 2, the records reach the journal's
   * floor; null otherwise, and `problem` says why.
   */
  records: RecordHeader[] | null
  problem?: string
  /** The last record's listing block, when its own checksum holds. */
  listing: StoredListing | null
  /** Where the first record starts: 64 in format 2 (after the preamble, damaged or not), 0 in format 1. */
  dataStart: number
}

/**
 * Walks a damaged journal from its first record. The trial count of its last record (what the
 * damaged head accounted for) can then be trusted without the head: every record's header
 * was written with it, and the chain of records (offset, first trial, generation, base)
 * leaves no room for a record that is missing or stray — and, in format 2, the floor (the
 * last acknowledged record, from an intact slot of the preamble) leaves none for records cut
 * off the end. A format 2 journal whose preamble is damaged is still walked from byte 64
 * (its first record says it starts there) when one of its floor slots is intact; with both
 * slots damaged, whether acknowledged commits were cut off cannot be told, and nothing is
 * vouched for.
 */
export function walkJournal(bytes: Buffer, what: string): JournalWalk {
  const start = startOf(bytes)
  if (typeof start === 'string') return { records: null, problem: start, listing: null, dataStart: PREAMBLE_BYTES }
  const { dataStart, floor } = start
  const fail = (problem: string): JournalWalk => ({ records: null, problem, listing: null, dataStart })
  const records: RecordHeader[] = []
  let pos = dataStart
  let next: number | undefined
  while (pos < bytes.length) {
    const h = parseHeader(bytes.subarray(pos, pos + HEADER_BYTES))
    if (typeof h === 'string') return fail(`record at byte ${pos}: ${h}`)
    const first = records[0]
    const end = pos + h.length
    if (
      h.offset !== pos ||
      end > bytes.length ||
      (first && (h.generation !== first.generation || h.base !== first.base)) ||
      (next !== undefined ? h.firstTrial !== next : h.firstTrial !== h.base)
    )
      return fail(`the record at byte ${pos} does not continue the journal`)
    const footer = bytes.subarray(end - FOOTER_BYTES, end)
    if (footer.readUInt32BE(0) !== h.length || !footer.subarray(8).equals(FOOTER_MAGIC))
      return fail(`the record at byte ${pos} has no footer where its header says it ends`)
    records.push(h)
    next = h.firstTrial + h.trialCount
    pos = end
  }
  const last = records[records.length - 1]
  if (!last) return fail('the journal is empty')
  const short = floor && belowFloor(last, floor)
  if (short) return fail(short)
  const at = last.offset + HEADER_BYTES + last.trialsLength
  const block = bytes.subarray(at, at + last.listingLength)
  let listing: StoredListing | null = null
  if (crc32(block) === last.listingCrc) {
    try {
      listing = parseListing(block, what)
      if (listing.revision !== last.revision || listing.attempts !== last.firstTrial + last.trialCount) listing = null
    } catch {
      listing = null
    }
  }
  return { records, listing, dataStart }
}

/**
 * Where a journal's records start and, in format 2, the floor they must reach; a string says
 * why that cannot be told. A preamble whose magic is damaged is told from format 1 by where
 * the first record says it starts.
 */
function startOf(bytes: Buffer): { dataStart: number; floor: Floor | null } | string {
  if (bytes.subarray(0, PREAMBLE_MAGIC.length).equals(PREAMBLE_MAGIC)) {
    if (bytes.length < PREAMBLE_BYTES) return `the journal ends inside its preamble (${bytes.length} bytes)`
    if (bytes.readUInt8(4) !== JOURNAL_FORMAT) return `unknown journal format ${bytes.readUInt8(4)}`
  } else if (recordStartsAt(bytes, 0) || !recordStartsAt(bytes, PREAMBLE_BYTES)) {
    // Format 1 (no preamble), or bytes the walk then reports as no record.
    return { dataStart: 0, floor: null }
  }
  const floor = readFloor(bytes.subarray(0, PREAMBLE_BYTES))
  if (!floor) return 'both floor slots of the journal preamble are damaged: whether acknowledged commits were cut off cannot be told'
  return { dataStart: PREAMBLE_BYTES, floor }
}

/** Whether a record header that says it starts at `at` is there (not a copy, not stale bytes). */
function recordStartsAt(bytes: Buffer, at: number): boolean {
  const h = parseHeader(bytes.subarray(at, at + HEADER_BYTES))
  return typeof h !== 'string' && h.offset === at
}

/** Why the records ending with `last` fall short of `floor`; undefined when they reach it. */
function belowFloor(last: RecordHeader, floor: Floor): string | undefined {
  if (floor.generation !== last.generation)
    return `its floor (generation ${floor.generation}) does not match its records (generation ${last.generation})`
  const end = last.offset + last.length
  if (end < floor.end)
    return (
      `its records end at byte ${end} (revision ${last.revision}), but revision ${floor.revision} (ending at byte ${floor.end}) ` +
      'was committed: the journal was cut short, and its last record is not what the damaged head accounted for'
    )
  return undefined
}
