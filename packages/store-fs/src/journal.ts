import { readSync } from 'node:fs'
import { crc32 } from 'node:zlib'
import { CheckpointCorruptError } from '@cairn/core'
import { SYNC_IO_MAX, readAt, sizeOf } from './io.js'
import { parseListing, type StoredListing } from './listing.js'

/**
 * The `journal` of one session: a 64-byte preamble, then the records of its commits, back to
 * back. A commit appends one record and fdatasyncs the file; the current head is the last
 * intact record.
 *
 * ```
 * preamble (64 bytes, big-endian; journal format 2)
 *   "CFSH" · format 2 (u8) · 3 reserved bytes · floor slot 0 (24 bytes) · floor slot 1 (24 bytes) · 8 reserved bytes
 *   floor slot: revision (u64) · end (u64) · generation (u32) · CRC-32 of the slot's index byte and these 20 bytes (u32)
 * record header (80 bytes, big-endian)
 *   "CFSJ" · format 1 (u8) · 3 reserved bytes · record length (u32) · generation (u32)
 *   offset (u64) · revision (u64) · first trial index (u64) · base (u64) · log bytes (u64)
 *   trial count (u32) · trials length (u32) · listing length (u32) · head length (u32)
 *   CRC-32 of the listing (u32) · reserved (u32)
 * trials   a u32 length per trial, then core's trial envelopes
 * listing  the listing block as canonical JSON (see listing.ts)
 * head     core's head envelope (its lease is null: the lease lives in the `lease` file)
 * footer (12 bytes)
 *   record length (u32) · CRC-32 of everything before the footer (u32) · ff c1 f5 fe
 * ```
 *
 * A record is intact when its footer ends where the record's own header says it starts plus
 * its length, and the checksum matches. `offset` is where the record starts in the file, so a
 * record embedded in another one's payload, or a stale one, is never mistaken for a real one.
 *
 * Only the last record can be torn (a crash cut the append short): readers then take the
 * record before it, and the next writer under the session's lock moves the torn bytes aside
 * and reports them. Anything else is damage, and an error, never a rollback:
 * - more than one record's worth of bytes after the last intact record (an earlier record is
 *   damaged too);
 * - a journal that ends before its **floor**: each commit also writes, in the preamble, the
 *   revision and end of the record it follows (acknowledged, so on disk), alternating between
 *   two slots so a torn slot write leaves the other one. A journal cut inside or before that
 *   record lost acknowledged commits.
 *
 * Journal format 1 (written before the preamble existed) starts with its first record at byte
 * 0 and has no floor; it is read as before and replaced by a format 2 journal at its next commit.
 *
 * A journal holds trials `base …` of the session (`base` and `log bytes` say how many trials,
 * and how many bytes of `trials.log`, were folded into the trial log when the journal was
 * started); `generation` counts those restarts.
 */
export const HEADER_BYTES = 80
export const FOOTER_BYTES = 12
/** Bytes before the first record of a format 2 journal. */
export const PREAMBLE_BYTES = 64
const MAGIC = Buffer.from('CFSJ', 'latin1')
export const PREAMBLE_MAGIC = Buffer.from('CFSH', 'latin1')
/** The journal format a preamble names (format 1 had none). */
export const JOURNAL_FORMAT = 2
const SLOT_BYTES = 24
const SLOT_AT = [8, 32] as const
/** Bytes that never occur in UTF-8 text (so never in JSON or base64): found fast when searching backwards. */
export const FOOTER_MAGIC = Buffer.from([0xff, 0xc1, 0xf5, 0xfe])
const FORMAT = 1
/** How much of the file's end a reader reads first: the whole last record, usually. */
const TAIL_READ = 4 * 1024
/** `listing` mode reads and checksums records up to this size whole, like `full`. */
const LISTING_WHOLE_MAX = 256 * 1024
/** Chunk size of backward searches and forward scans. */
const CHUNK = SYNC_IO_MAX

/** The fields of a record header. */
export interface RecordHeader {
  /** Where the record starts in the journal. */
  offset: number
  /** The record's length, header and footer included. */
  length: number
  generation: number
  /** The head's revision. */
  revision: number
  /** Index of the first trial in this record (= the trial count of the previous head). */
  firstTrial: number
  trialCount: number
  /** Trials `[0, base)` are in `trials.log`; this journal starts at trial `base`. */
  base: number
  /** Bytes of `trials.log` holding trials `[0, base)`. */
  logBytes: number
  trialsLength: number
  listingLength: number
  headLength: number
  listingCrc: number
}

/** What a record is made of. */
export interface RecordInput {
  offset: number
  generation: number
  revision: number
  firstTrial: number
  base: number
  logBytes: number
  trials: readonly Uint8Array[]
  listing: Uint8Array
  head: Uint8Array
}

/** A record known to be acknowledged (so on disk): the journal must reach its end. */
export interface Floor {
  revision: number
  end: number
  generation: number
}

/** What the start of a journal says. */
export interface JournalStart {
  /** 1: no preamble (the first record at byte 0); 2: a preamble with the floor. */
  format: 1 | 2
  /** Where the first record starts. */
  dataStart: number
  /** The newest intact floor slot; null in format 1. */
  floor: Floor | null
}

/** Bytes after the last intact record: a torn (or damaged) last record. */
export interface TornTail {
  /** Where it starts (the last intact record's end) and how many bytes it has. */
  offset: number
  bytes: number
  /** Its header, when that much of it is there and intact. */
  header: RecordHeader | null
  /** True when the bytes are a whole record by length (so damaged rather than cut short). */
  whole: boolean
}

/** The current head record of a journal. */
export interface Tail {
  header: RecordHeader
  /** Where the record ends: the journal's valid length. Bytes past it are a torn append. */
  end: number
  listing: StoredListing
  /** The head envelope; present when the record was read in full. */
  head?: Uint8Array
  start: JournalStart
  /** Set when bytes follow the record: one torn last record (anything more is an error). */
  torn?: TornTail
}

/**
 * `full`: the last record is read whole and checksummed. `listing`: the same for records up to
 * `LISTING_WHOLE_MAX`; bigger ones are checked by their header, footer and the listing block's
 * own checksum only, so `list` never reads a large optimizer state.
 */
export type TailMode = 'full' | 'listing'

/** Trial count of the head a record holds. */
export function attemptsOf(h: RecordHeader): number {
  return h.firstTrial + h.trialCount
}

/** The length of the record `encodeRecord` would make. */
export function recordLength(trials: readonly Uint8Array[], listing: Uint8Array, head: Uint8Array): number {
  return HEADER_BYTES + trialsLength(trials) + listing.length + head.length + FOOTER_BYTES
}

export function encodeRecord(r: RecordInput): Buffer {
  const tLength = trialsLength(r.trials)
  const length = HEADER_BYTES + tLength + r.listing.length + r.head.length + FOOTER_BYTES
  if (length > 0xffff_ffff) throw new RangeError(`a journal record of ${length} bytes is too large`)
  const out = Buffer.allocUnsafe(length)
  MAGIC.copy(out, 0)
  out.writeUInt8(FORMAT, 4)
  out.fill(0, 5, 8)
  out.writeUInt32BE(0, 76)
  out.writeUInt32BE(length, 8)
  out.writeUInt32BE(r.generation, 12)
  writeU64(out, 16, r.offset)
  writeU64(out, 24, r.revision)
  writeU64(out, 32, r.firstTrial)
  writeU64(out, 40, r.base)
  writeU64(out, 48, r.logBytes)
  out.writeUInt32BE(r.trials.length, 56)
  out.writeUInt32BE(tLength, 60)
  out.writeUInt32BE(r.listing.length, 64)
  out.writeUInt32BE(r.head.length, 68)
  out.writeUInt32BE(crc32(r.listing), 72)
  let at = HEADER_BYTES
  for (const t of r.trials) {
    out.writeUInt32BE(t.length, at)
    at += 4
  }
  for (const t of r.trials) {
    out.set(t, at)
    at += t.length
  }
  out.set(r.listing, at)
  at += r.listing.length
  out.set(r.head, at)
  at += r.head.length
  out.writeUInt32BE(length, at)
  out.writeUInt32BE(crc32(out.subarray(0, at)), at + 4)
  FOOTER_MAGIC.copy(out, at + 8)
  return out
}

/**
 * A new journal (format 2) whose only record is `record` (encoded at offset `PREAMBLE_BYTES`):
 * both floor slots name that record, which is on disk once the file is.
 */
export function encodeJournal(record: Buffer, header: { revision: number; generation: number }): Buffer {
  const out = Buffer.alloc(PREAMBLE_BYTES + record.length)
  PREAMBLE_MAGIC.copy(out, 0)
  out.writeUInt8(JOURNAL_FORMAT, 4)
  const floor = { revision: header.revision, end: PREAMBLE_BYTES + record.length, generation: header.generation }
  for (const k of [0, 1] as const) encodeSlot(floor, k).copy(out, SLOT_AT[k])
  record.copy(out, PREAMBLE_BYTES)
  return out
}

/** Where to write the floor slot naming `floor`, and its bytes (slots alternate by revision). */
export function floorSlot(floor: Floor): { at: number; bytes: Buffer } {
  const k = (floor.revision % 2) as 0 | 1
  return { at: SLOT_AT[k], bytes: encodeSlot(floor, k) }
}

function encodeSlot(floor: Floor, k: 0 | 1): Buffer {
  const b = Buffer.allocUnsafe(SLOT_BYTES)
  writeU64(b, 0, floor.revision)
  writeU64(b, 8, floor.end)
  b.writeUInt32BE(floor.generation, 16)
  b.writeUInt32BE(slotCrc(b, k), 20)
  return b
}

/** The CRC-32 of each slot's index byte: a slot copied to the other place does not check. */
const SLOT_SEED = [crc32(Buffer.from([0])), crc32(Buffer.from([1]))] as const

function slotCrc(slot: Buffer, k: 0 | 1): number {
  return crc32(slot.subarray(0, 20), SLOT_SEED[k])
}

/**
 * Reads the start of the journal open as `fd`: its format and, in format 2, its floor.
 * Throws `CheckpointCorruptError` naming `what` when the preamble is damaged.
 */
export function readJournalStart(fd: number, size: number, what: string): JournalStart {
  const b = Buffer.allocUnsafe(Math.min(size, PREAMBLE_BYTES + 4))
  const n = b.length === 0 ? 0 : readSync(fd, b, 0, b.length, 0)
  const head = b.subarray(0, n)
  if (!head.subarray(0, 4).equals(PREAMBLE_MAGIC)) {
    // Format 1 starts with a record; so does garbage, which findTail then reports as such. A
    // format 2 journal whose preamble is damaged still has its first record at byte 64.
    if (n >= PREAMBLE_BYTES + 4 && head.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + 4).equals(MAGIC))
      throw new CheckpointCorruptError(what, 'the journal preamble (bytes 0–63) is damaged')
    return { format: 1, dataStart: 0, floor: null }
  }
  if (n < PREAMBLE_BYTES) throw new CheckpointCorruptError(what, `the journal ends inside its preamble (${size} bytes)`)
  if (head.readUInt8(4) !== JOURNAL_FORMAT) throw new CheckpointCorruptError(what, `unknown journal format ${head.readUInt8(4)}`)
  const floor = readFloor(head)
  // Each slot write is 24 bytes within one sector, and a torn one leaves the other slot.
  if (!floor) throw new CheckpointCorruptError(what, 'both floor slots of the journal preamble are damaged')
  return { format: 2, dataStart: PREAMBLE_BYTES, floor }
}

/**
 * The journal's start, then its size measured again: a commit appends its record before it
 * moves the floor, so a size taken after the floor was read covers every record the floor
 * names. (A size taken before, while another process commits, may end before the floor: not
 * damage, only a read that raced a commit.) `size` is what the caller measured first.
 */
export function startThenSize(fd: number, size: number, what: string): { start: JournalStart; size: number } {
  const start = readJournalStart(fd, size, what)
  return { start, size: Math.max(size, sizeOf(fd)) }
}

/** The newest intact floor slot of a format 2 preamble (its first 64 bytes); null when both are damaged. */
export function readFloor(preamble: Buffer): Floor | null {
  let floor: Floor | null = null
  for (const k of [0, 1] as const) {
    const slot = preamble.subarray(SLOT_AT[k], SLOT_AT[k] + SLOT_BYTES)
    if (slot.length !== SLOT_BYTES || slot.readUInt32BE(20) !== slotCrc(slot, k)) continue
    const f = { revision: readU64(slot, 0), end: readU64(slot, 8), generation: slot.readUInt32BE(16) }
    if (!floor || f.revision > floor.revision) floor = f
  }
  return floor
}

/**
 * The current head record of the journal open as `fd` (of `size` bytes, starting as `start`
 * says): the last intact record, with what follows it when that is a torn last record.
 * Throws `CheckpointCorruptError` naming `what` when there is none — a journal is created
 * whole (written, fsynced, renamed into place), so that is damage, not a crash — and when the
 * damage reaches past the last record: more than one record after the last intact one, or a
 * journal that ends before its floor.
 */
export async function findTail(fd: number, size: number, mode: TailMode, what: string, start: JournalStart): Promise<Tail> {
  const window = await readWindow(fd, Math.max(0, size - TAIL_READ), Math.min(size, TAIL_READ))
  const last = await recordEndingAt(fd, size, mode, window, what, start)
  if (typeof last !== 'string') return checkFloor(last, size, what)
  // The last record is torn (or being appended right now): search backwards for the one before.
  let hi = size - 1
  while (hi >= start.dataStart + HEADER_BYTES + FOOTER_BYTES) {
    const lo = Math.max(start.dataStart, hi - CHUNK)
    const chunk = lo >= window.start ? window : await readWindow(fd, lo, hi - lo)
    const from = lo - chunk.start
    let i = chunk.bytes.lastIndexOf(FOOTER_MAGIC, hi - FOOTER_MAGIC.length - chunk.start)
    // Footer magic starting in [lo, hi - 4]: records ending in [lo + 4, hi], nearest first.
    while (i >= from) {
      const found = await recordEndingAt(fd, chunk.start + i + FOOTER_MAGIC.length, mode, chunk, what, start)
      if (typeof found !== 'string') {
        checkFloor(found, size, what)
        found.torn = await tornTail(fd, found, size, what)
        return found
      }
      i = i === 0 ? -1 : chunk.bytes.lastIndexOf(FOOTER_MAGIC, i - 1)
    }
    hi = lo + FOOTER_MAGIC.length - 1
    if (lo === start.dataStart) break
  }
  throw new CheckpointCorruptError(what, `no intact journal record (the last one: ${last})`)
}

/** Refuses a tail that ends before the journal's floor: acknowledged commits are missing. */
function checkFloor(tail: Tail, size: number, what: string): Tail {
  const floor = tail.start.floor
  if (!floor) return tail
  if (floor.generation !== tail.header.generation)
    throw new CheckpointCorruptError(
      what,
      `its floor (generation ${floor.generation}) does not match its records (generation ${tail.header.generation})`,
    )
  if (tail.end < floor.end) {
    const cut = tail.end < size ? `the record at byte ${tail.end} is damaged or cut short` : `the journal ends at byte ${tail.end}`
    throw new CheckpointCorruptError(
      what,
      `${cut}, but revision ${floor.revision} (ending at byte ${floor.end}) was committed: the journal was truncated or damaged, ` +
        `and reading it as of revision ${tail.header.revision} would roll back acknowledged commits`,
    )
  }
  return tail
}

/**
 * What follows the last intact record (`tail`, up to `size`), when it is one torn record: its
 * header (when intact) must say it reaches the end of the file, and without one no other
 * record may end inside it. Anything else means an earlier record is damaged too.
 */
async function tornTail(fd: number, tail: Tail, size: number, what: string): Promise<TornTail | undefined> {
  const offset = tail.end
  const bytes = size - offset
  if (bytes <= 0) return undefined
  const notLast = (why: string) =>
    new CheckpointCorruptError(
      what,
      `the record at byte ${offset} (after revision ${tail.header.revision}) is damaged and is not the last one: ${why}; ` +
        'reading the journal as of revision ' +
        `${tail.header.revision} would roll back more than a torn last append`,
    )
  const generation = tail.header.generation
  // A record of this journal at `at`: its header parses and says it is there (not a copy, not stale bytes).
  const recordAt = (b: Buffer, at: number): RecordHeader | undefined => {
    const h = b.length >= HEADER_BYTES ? parseHeader(b.subarray(0, HEADER_BYTES)) : 'partial'
    return typeof h !== 'string' && h.offset === at && h.generation === generation ? h : undefined
  }
  const first = recordAt(await readAt(fd, Math.min(bytes, HEADER_BYTES), offset), offset)
  if (first) {
    // One append makes the file at most that long: more bytes mean later appends followed it.
    if (first.length < bytes) throw notLast(`${bytes - first.length} more bytes follow it (revision ${first.revision} at byte ${offset})`)
    return { offset, bytes, header: first, whole: first.length === bytes }
  }
  // No header of its own (cut short inside it, damaged, or never written: zeros or stale bytes
  // after a crash): no record of this journal may end inside these bytes.
  const region = await readAt(fd, bytes, offset)
  for (let i = region.indexOf(FOOTER_MAGIC); i >= 0; i = region.indexOf(FOOTER_MAGIC, i + 1)) {
    const end = i + FOOTER_MAGIC.length
    if (end === region.length || end < FOOTER_BYTES) continue
    const at = end - region.readUInt32BE(end - FOOTER_BYTES)
    if (at >= 0 && at < end && recordAt(region.subarray(at), offset + at))
      throw notLast(`a record of this journal ends at byte ${offset + end} after it`)
  }
  const footer = region.subarray(Math.max(0, region.length - FOOTER_BYTES))
  const whole = footer.length === FOOTER_BYTES && footer.subarray(8).equals(FOOTER_MAGIC) && footer.readUInt32BE(0) === bytes
  return { offset, bytes, header: null, whole }
}

/**
 * The envelopes of trials `[lo, hi)` from the journal's records (whose last record is `tail`),
 * read front to back, only the header and trial section of each record. Each envelope carries
 * its own checksum, checked by the caller's decoder; `name(i)` names trial i in errors.
 */
export async function readJournalTrials(
  fd: number,
  tail: RecordHeader,
  dataStart: number,
  lo: number,
  hi: number,
  name: (i: number) => string,
): Promise<Buffer[]> {
  const out: Buffer[] = []
  if (lo >= hi) return out
  const end = tail.offset + tail.length
  const reader = new ForwardReader(fd, end)
  let pos = dataStart
  let next = tail.base
  while (pos < end && next < hi) {
    const raw = await reader.get(pos, HEADER_BYTES)
    const h = raw.length === HEADER_BYTES ? parseHeader(raw) : 'the file ends inside its header'
    const damaged = (why: string) => new CheckpointCorruptError(name(next), `its journal record at byte ${pos} is damaged: ${why}`)
    if (typeof h === 'string') throw damaged(h)
    if (h.offset !== pos || pos + h.length > end || h.firstTrial !== next || h.base !== tail.base || h.generation !== tail.generation)
      throw damaged('it does not continue the journal')
    if (h.trialCount > 0 && next + h.trialCount > lo) {
      const section = await reader.get(pos + HEADER_BYTES, h.trialsLength)
      if (section.length !== h.trialsLength) throw new CheckpointCorruptError(name(next), `its journal record at byte ${pos} is truncated`)
      let at = 4 * h.trialCount
      for (let k = 0; k < h.trialCount; k++) {
        const length = section.readUInt32BE(4 * k)
        if (at + length > section.length)
          throw new CheckpointCorruptError(name(next + k), `its length in the journal record at byte ${pos} is implausible`)
        const i = next + k
        if (i >= lo && i < hi) out.push(section.subarray(at, at + length))
        at += length
      }
    }
    next += h.trialCount
    pos += h.length
  }
  if (out.length !== hi - lo) throw new CheckpointCorruptError(name(lo + out.length), 'the journal ends before it')
  return out
}

/** Parses a record header; a string says why it is not one. */
export function parseHeader(b: Buffer): RecordHeader | string {
  if (b.length < HEADER_BYTES || !b.subarray(0, 4).equals(MAGIC)) return 'bad magic bytes'
  if (b.readUInt8(4) !== FORMAT) return `unknown record format ${b.readUInt8(4)}`
  const h: RecordHeader = {
    length: b.readUInt32BE(8),
    generation: b.readUInt32BE(12),
    offset: readU64(b, 16),
    revision: readU64(b, 24),
    firstTrial: readU64(b, 32),
    base: readU64(b, 40),
    logBytes: readU64(b, 48),
    trialCount: b.readUInt32BE(56),
    trialsLength: b.readUInt32BE(60),
    listingLength: b.readUInt32BE(64),
    headLength: b.readUInt32BE(68),
    listingCrc: b.readUInt32BE(72),
  }
  if (HEADER_BYTES + h.trialsLength + h.listingLength + h.headLength + FOOTER_BYTES !== h.length) return 'its section lengths do not add up'
  if (h.trialsLength < 4 * h.trialCount || h.base > h.firstTrial) return 'implausible header fields'
  return h
}

interface Window {
  start: number
  bytes: Buffer
}

async function readWindow(fd: number, start: number, length: number): Promise<Window> {
  return { start, bytes: await readAt(fd, length, start) }
}

/** Bytes `[pos, pos + length)` from `window` when it holds them, else read. */
async function bytesAt(fd: number, window: Window, pos: number, length: number): Promise<Buffer> {
  const from = pos - window.start
  if (from >= 0 && from + length <= window.bytes.length) return window.bytes.subarray(from, from + length)
  return readAt(fd, length, pos)
}

/** The intact record ending at `end`, or why there is none. */
async function recordEndingAt(
  fd: number,
  end: number,
  mode: TailMode,
  window: Window,
  what: string,
  start: JournalStart,
): Promise<Tail | string> {
  if (end < start.dataStart + HEADER_BYTES + FOOTER_BYTES) return `the journal is too short (${end} bytes)`
  const footer = await bytesAt(fd, window, end - FOOTER_BYTES, FOOTER_BYTES)
  if (footer.length !== FOOTER_BYTES || !footer.subarray(8).equals(FOOTER_MAGIC)) return 'no footer'
  const length = footer.readUInt32BE(0)
  const at = end - length
  if (length < HEADER_BYTES + FOOTER_BYTES || at < start.dataStart) return 'implausible length in the footer'
  // The header first: a false candidate (footer bytes inside a torn tail) is dismissed without reading what it claims.
  const header = await bytesAt(fd, window, at, HEADER_BYTES)
  if (header.length !== HEADER_BYTES) return 'the file changed while it was read'
  const h = parseHeader(header)
  if (typeof h === 'string') return h
  if (h.offset !== at || h.length !== length) return 'its header does not match its footer'
  const whole = mode === 'full' || length <= LISTING_WHOLE_MAX
  const raw = whole ? await bytesAt(fd, window, at, length) : header
  if (raw.length !== (whole ? length : HEADER_BYTES)) return 'the file changed while it was read'
  const listingAt = HEADER_BYTES + h.trialsLength
  let listingBytes: Buffer
  if (whole) {
    if (crc32(raw.subarray(0, length - FOOTER_BYTES)) !== footer.readUInt32BE(4)) return 'checksum mismatch'
    listingBytes = raw.subarray(listingAt, listingAt + h.listingLength)
  } else {
    listingBytes = await bytesAt(fd, window, at + listingAt, h.listingLength)
    if (listingBytes.length !== h.listingLength) return 'the file changed while it was read'
  }
  if (crc32(listingBytes) !== h.listingCrc) return 'listing checksum mismatch'
  // Intact bytes from here on: a bad listing is damage written by a writer, not a torn append.
  const listing = parseListing(listingBytes, what)
  if (listing.revision !== h.revision || listing.attempts !== attemptsOf(h))
    throw new CheckpointCorruptError(what, 'its listing block disagrees with its record header')
  const tail: Tail = { header: h, end, listing, start }
  if (whole) {
    const headAt = listingAt + h.listingLength
    tail.head = raw.subarray(headAt, headAt + h.headLength)
  }
  return tail
}

/** Reads a file front to back in chunks, serving small reads from the current chunk. */
class ForwardReader {
  private window: Window = { start: 0, bytes: Buffer.alloc(0) }

  constructor(
    private readonly fd: number,
    private readonly limit: number,
  ) {}

  async get(pos: number, length: number): Promise<Buffer> {
    const from = pos - this.window.start
    if (from >= 0 && from + length <= this.window.bytes.length) return this.window.bytes.subarray(from, from + length)
    if (length > CHUNK) return readAt(this.fd, Math.min(length, Math.max(0, this.limit - pos)), pos)
    this.window = await readWindow(this.fd, pos, Math.max(0, Math.min(CHUNK, this.limit - pos)))
    return this.window.bytes.subarray(0, Math.min(length, this.window.bytes.length))
  }
}

function trialsLength(trials: readonly Uint8Array[]): number {
  let n = 4 * trials.length
  for (const t of trials) n += t.length
  return n
}

function writeU64(b: Buffer, at: number, n: number): void {
  b.writeUInt32BE(Math.floor(n / 0x1_0000_0000), at)
  b.writeUInt32BE(n >>> 0, at + 4)
}

function readU64(b: Buffer, at: number): number {
  return b.readUInt32BE(at) * 0x1_0000_0000 + b.readUInt32BE(at + 4)
}
