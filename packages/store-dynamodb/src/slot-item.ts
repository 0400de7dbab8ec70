import { crc32 } from 'node:zlib'
import {
  CheckpointCorruptError,
  canonicalJson,
  type Json,
  type ReportedTrialResult,
  type TrialClaim,
  type TrialResultReport,
  type TrialSlot,
} from '@cairn/core'
import { num, str, type Item } from './db.js'
import { A } from './table-design.js'

/**
 * One item per trial slot (`sk = slot#<inc>#<idx>`), written only by `claimTrial` (the claim
 * attributes) and `reportTrialResult` (the result attributes, once). The result is canonical
 * JSON of `{ candidate, evaluation }` with a CRC-32 beside it (the listing's scheme), in `body`
 * or, past the item size limit, in chunk items (`chunkId` + `chunks`, see `chunks.ts`).
 */

/** The bytes stored for a report. */
export function encodeResult(report: TrialResultReport): Uint8Array {
  return Buffer.from(canonicalJson({ candidate: report.candidate, evaluation: report.evaluation }), 'utf8')
}

/** The claim a slot item records, or null when the trial was never claimed. Throws `CheckpointCorruptError`. */
export function claimOf(item: Item, trialIdx: number, what: string): TrialClaim | null {
  const token = num(item, A.claimToken)
  if (token === undefined) return null
  const owner = str(item, A.claimOwner)
  const expiresAt = num(item, A.claimExpiresAt)
  if (owner === undefined || expiresAt === undefined) throw new CheckpointCorruptError(what, 'the claim attributes are incomplete')
  return { trialIdx, owner, token, expiresAt }
}

/** Whether a slot item holds a reported result. */
export function hasResult(item: Item | undefined): boolean {
  return num(item, A.resultToken) !== undefined
}

/**
 * The reported result a slot item records, given its value's bytes (`readValue`), or null
 * when none was reported. Throws `CheckpointCorruptError` when the bytes or attributes are damaged.
 */
export function resultOf(item: Item, bytes: Uint8Array, what: string): ReportedTrialResult | null {
  const claimToken = num(item, A.resultToken)
  if (claimToken === undefined) return null
  const owner = str(item, A.resultOwner)
  const reportedAt = num(item, A.reportedAt)
  const sum = num(item, A.resultSum)
  if (owner === undefined || reportedAt === undefined || sum === undefined)
    throw new CheckpointCorruptError(what, 'the result attributes are incomplete')
  if (crc32(bytes) !== sum) throw new CheckpointCorruptError(what, 'checksum mismatch')
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'))
  } catch (err) {
    throw new CheckpointCorruptError(what, 'not valid JSON', { cause: err })
  }
  if (!isReport(value)) throw new CheckpointCorruptError(what, 'does not have the shape of { candidate, evaluation }')
  return { candidate: value.candidate, evaluation: value.evaluation, owner, claimToken, reportedAt }
}

/** The slot `readTrialSlots` returns for a trial whose item is absent. */
export function emptySlot(trialIdx: number): TrialSlot {
  return { trialIdx, claim: null, result: null }
}

function isReport(v: unknown): v is TrialResultReport {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false
  const r = v as { candidate?: Json; evaluation?: { status?: unknown; durationMs?: unknown } }
  return (
    r.candidate !== undefined &&
    r.evaluation !== null &&
    typeof r.evaluation === 'object' &&
    (r.evaluation.status === 'ok' || r.evaluation.status === 'error' || r.evaluation.status === 'pruned') &&
    typeof r.evaluation.durationMs === 'number'
  )
}
