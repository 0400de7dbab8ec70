import { parseHeader, type RecordHeader } from '../src/journal.js'

/** The records of a journal's bytes, found by their headers (each names its own offset). */
export function records(bytes: Buffer): RecordHeader[] {
  const out: RecordHeader[] = []
  for (let at = bytes.indexOf('CFSJ'); at >= 0; at = bytes.indexOf('CFSJ', at + 1)) {
    const h = parseHeader(bytes.subarray(at))
    if (typeof h !== 'string' && h.offset === at) out.push(h)
  }
  return out
}

/** A copy of `bytes` with one bit of the byte at `at` flipped. */
export function flipped(bytes: Buffer, at: number): Buffer {
  const out = Buffer.from(bytes)
  out[at] = out[at]! ^ 0x10
  return out
}
