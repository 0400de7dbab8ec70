import { crc32 } from 'node:zlib'
import { FOOTER_BYTES, FOOTER_MAGIC, HEADER_BYTES, PREAMBLE_BYTES, PREAMBLE_MAGIC, parseHeader, type RecordHeader } from './journal.js'
import { parseListing, type StoredListing } from './listing.js'

/** What a journal whose head does not decode still tells, read from its bytes alone. */
export interface JournalWalk {
  /**
   * The headers of its records, front to back, when every byte of the journal belongs to a
   * well-formed record continuing the one before (a record whose checksum fails included: its
   * header and footer still delimit it); null otherwise, and `problem` says why.
   */
  records: RecordHeader[] | null
  problem?: string
  /** The last record's listing block, when its own checksum holds. */
  listing: StoredListing | null
}

/**
 * Walks a damaged journal from its first record (byte 64 after a format-2 preamble, byte 0 in
 * format 1; a damaged preamble makes the walk fail, so nothing is vouched for). The trial count of its last record (what the
 * damaged head accounted for) can then be trusted without the head: every record's header
 * was written with it, and the chain of records (offset, first trial, generation, base)
 * leaves no room for a record that is missing or stray.
 */
export function walkJournal(bytes: Buffer, what: string): JournalWalk {
  const records: RecordHeader[] = []
  let pos = bytes.subarray(0, PREAMBLE_MAGIC.length).equals(PREAMBLE_MAGIC) ? PREAMBLE_BYTES : 0
  let next: number | undefined
  while (pos < bytes.length) {
    const h = parseHeader(bytes.subarray(pos, pos + HEADER_BYTES))
    if (typeof h === 'string') return { records: null, problem: `record at byte ${pos}: ${h}`, listing: null }
    const first = records[0]
    const end = pos + h.length
    if (
      h.offset !== pos ||
      end > bytes.length ||
      (first && (h.generation !== first.generation || h.base !== first.base)) ||
      (next !== undefined ? h.firstTrial !== next : h.firstTrial !== h.base)
    )
      return { records: null, problem: `the record at byte ${pos} does not continue the journal`, listing: null }
    const footer = bytes.subarray(end - FOOTER_BYTES, end)
    if (footer.readUInt32BE(0) !== h.length || !footer.subarray(8).equals(FOOTER_MAGIC))
      return { records: null, problem: `the record at byte ${pos} has no footer where its header says it ends`, listing: null }
    records.push(h)
    next = h.firstTrial + h.trialCount
    pos = end
  }
  const last = records[records.length - 1]
  if (!last) return { records: null, problem: 'the journal is empty', listing: null }
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
  return { records, listing }
}
