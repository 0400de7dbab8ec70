import { crc32 } from 'node:zlib'
import { CheckpointCorruptError, canonicalJson } from '@cairn/core'
import type { ControlRequest, Lease } from '@cairn/core'

/**
 * The `lease` file: who drives the session and the pending control flag. Kept beside the head
 * so renewing a lease never rewrites the optimizer state.
 *
 * ```
 * "CFSL" (4) · format 1 (u8) · CRC-32 of body (u32) · body JSON { lease, control }
 * ```
 */
const MAGIC = Buffer.from('CFSL', 'latin1')
const FORMAT = 1
const PREFIX_BYTES = 9

/** What the `lease` file holds. */
export interface LeaseState {
  lease: Lease | null
  control: ControlRequest | null
}

export function encodeLeaseFile(state: LeaseState): Uint8Array {
  const body = Buffer.from(canonicalJson({ lease: state.lease, control: state.control }), 'utf8')
  const out = Buffer.alloc(PREFIX_BYTES + body.length)
  MAGIC.copy(out, 0)
  out.writeUInt8(FORMAT, 4)
  out.writeUInt32BE(crc32(body), 5)
  body.copy(out, PREFIX_BYTES)
  return out
}

/** Decodes a `lease` file; throws `CheckpointCorruptError` naming `what`. */
export function decodeLeaseFile(bytes: Uint8Array, what: string): LeaseState {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (buf.length < PREFIX_BYTES || !buf.subarray(0, 4).equals(MAGIC))
    throw new CheckpointCorruptError(what, 'not a @cairn/store-fs lease file')
  if (buf.readUInt8(4) !== FORMAT) throw new CheckpointCorruptError(what, `unknown lease file format ${buf.readUInt8(4)}`)
  const body = buf.subarray(PREFIX_BYTES)
  if (crc32(body) !== buf.readUInt32BE(5)) throw new CheckpointCorruptError(what, 'checksum mismatch')
  let value: LeaseState
  try {
    value = JSON.parse(body.toString('utf8')) as LeaseState
  } catch (err) {
    throw new CheckpointCorruptError(what, 'body is not JSON', { cause: err })
  }
  const lease = value?.lease
  const leaseOk =
    lease === null ||
    (typeof lease === 'object' &&
      typeof lease.owner === 'string' &&
      Number.isSafeInteger(lease.fencingToken) &&
      typeof lease.expiresAt === 'number')
  const controlOk = value?.control === null || value?.control === 'pause' || value?.control === 'cancel'
  if (!leaseOk || !controlOk) throw new CheckpointCorruptError(what, 'does not match the lease file shape')
  return {
    lease: lease === null ? null : { owner: lease.owner, fencingToken: lease.fencingToken, expiresAt: lease.expiresAt },
    control: value.control,
  }
}
