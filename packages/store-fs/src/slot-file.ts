import { crc32 } from 'node:zlib'
import { CheckpointCorruptError, canonicalJson } from '@cairn/core'
import type { ReportedTrialResult, TrialClaim, TrialSlot } from '@cairn/core'

/**
 * A trial slot file (`sessions/<id>/slots/<trialIdx>`): the trial's latest claim and its
 * reported result. Only ever replaced whole (temporary file, fsync, rename), so a reader sees
 * one state or the next, never a mix; the checksum catches damage from below.
 *
 * ```
 * "CFSS" (4) · format 1 (u8) · CRC-32 of body (u32) · body JSON { trialIdx, claim, result }
 * ```
 */
const MAGIC = Buffer.from('CFSS', 'latin1')
const FORMAT = 1
const PREFIX_BYTES = 9

/** A slot's bytes. Throws core's `InvalidInputError` when the result is not JSON (before anything is written). */
export function encodeSlotFile(slot: TrialSlot): Buffer {
  const body = Buffer.from(canonicalJson({ trialIdx: slot.trialIdx, claim: slot.claim, result: slot.result }), 'utf8')
  const out = Buffer.alloc(PREFIX_BYTES + body.length)
  MAGIC.copy(out, 0)
  out.writeUInt8(FORMAT, 4)
  out.writeUInt32BE(crc32(body), 5)
  body.copy(out, PREFIX_BYTES)
  return out
}

/** Decodes a slot file of trial `trialIdx`; throws `CheckpointCorruptError` naming `what`. */
export function decodeSlotFile(bytes: Uint8Array, trialIdx: number, what: string): TrialSlot {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (buf.length < PREFIX_BYTES || !buf.subarray(0, 4).equals(MAGIC))
    throw new CheckpointCorruptError(what, 'not a @cairn/store-fs trial slot file')
  if (buf.readUInt8(4) !== FORMAT) throw new CheckpointCorruptError(what, `unknown trial slot file format ${buf.readUInt8(4)}`)
  const body = buf.subarray(PREFIX_BYTES)
  if (crc32(body) !== buf.readUInt32BE(5)) throw new CheckpointCorruptError(what, 'checksum mismatch')
  let value: { trialIdx?: unknown; claim?: unknown; result?: unknown }
  try {
    value = JSON.parse(body.toString('utf8')) as typeof value
  } catch (err) {
    throw new CheckpointCorruptError(what, 'body is not JSON', { cause: err })
  }
  if (value?.trialIdx !== trialIdx) throw new CheckpointCorruptError(what, `it holds trial ${String(value?.trialIdx)}`)
  const claim = value.claim as TrialClaim | null
  const claimOk =
    claim === null ||
    (typeof claim === 'object' &&
      claim.trialIdx === trialIdx &&
      typeof claim.owner === 'string' &&
      Number.isSafeInteger(claim.token) &&
      typeof claim.expiresAt === 'number')
  const result = value.result as ReportedTrialResult | null
  const resultOk =
    result === null ||
    (typeof result === 'object' &&
      typeof result.owner === 'string' &&
      Number.isSafeInteger(result.claimToken) &&
      typeof result.reportedAt === 'number' &&
      'candidate' in result &&
      typeof result.evaluation === 'object' &&
      result.evaluation !== null)
  if (!claimOk || !resultOk) throw new CheckpointCorruptError(what, 'does not match the trial slot file shape')
  return { trialIdx, claim, result }
}
