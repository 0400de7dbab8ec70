import { createHash } from 'node:crypto'
import { CheckpointCorruptError, type SalvagedSession, type TrialRecord } from '@cairn/core'
import { decodeHead, decodeTrial } from '@cairn/core/store-kit'
import type { OpenDatabase } from './database.js'
import { trialRange } from './keys.js'
import { listingOf, type ListingRecord } from './listing-record.js'

/**
 * Why a stored head is damaged (its bytes fail the envelope, checksum or JSON: core's
 * `CheckpointCorruptError`), or null when it decodes. Other failures are thrown: a head of a
 * newer format is not damaged, and is never rebuilt over.
 */
export function headProblem(bytes: Uint8Array, sessionId: string): string | null {
  try {
    const head = decodeHead(bytes, `head of session "${sessionId}"`)
    return head.sessionId === sessionId ? null : `it holds session "${head.sessionId}"`
  } catch (err) {
    if (err instanceof CheckpointCorruptError) return err.message
    throw err
  }
}

/** Names damaged head bytes (`SalvagedSession.damage`). */
export function damageOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/**
 * Every trial record of a session, when they are exactly the `attempts` its listing record
 * counts (written in the same batches as the heads) and each decodes; else why not.
 */
export async function vouchedTrials(d: OpenDatabase, sessionId: string, attempts: number): Promise<TrialRecord[] | string> {
  const values = await d.trials.values(trialRange(sessionId)).all()
  if (values.length !== attempts) return `${values.length} trial records are stored for a head that counted ${attempts}`
  const out: TrialRecord[] = []
  for (let i = 0; i < values.length; i++) {
    try {
      const trial = decodeTrial(values[i] as Uint8Array, `trial ${i} of session "${sessionId}"`)
      if (trial.trialIdx !== i) return `the record stored as trial ${i} holds trial ${trial.trialIdx}`
      out.push(trial)
    } catch (err) {
      return err instanceof Error ? err.message : String(err)
    }
  }
  return out
}

/** What `salvage` returns for a damaged head, given its listing record (null when unreadable). */
export async function salvaged(
  d: OpenDatabase,
  sessionId: string,
  headBytes: Uint8Array,
  problem: string,
  record: ListingRecord | null,
): Promise<SalvagedSession> {
  const out: SalvagedSession = {
    sessionId,
    problem,
    damage: damageOf(headBytes),
    revision: record?.revision ?? null,
    listing: null,
    trials: null,
    lease: record?.lease ? { ...record.lease } : null,
  }
  if (!record) {
    out.trialsProblem = 'the listing record, which counts the trials, is unreadable too'
    return out
  }
  const { problem: _flag, ...intact } = record
  out.listing = listingOf(sessionId, intact)
  const trials = await vouchedTrials(d, sessionId, record.attempts)
  if (typeof trials === 'string') out.trialsProblem = trials
  else out.trials = trials
  return out
}
