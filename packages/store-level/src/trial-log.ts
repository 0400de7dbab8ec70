import { CheckpointCorruptError } from '@cairn/core'
import { decodeTrial } from '@cairn/core/store-kit'
import type { TrialRecord } from '@cairn/core'
import type { Sublevel } from './database.js'
import { trialKey, trialRange } from './keys.js'

/** How many bytes `readTrialLog` asks LevelDB for per round trip (classic-level's `highWaterMarkBytes`). */
const READ_CHUNK_BYTES = 4 << 20

/**
 * Trials `from … end - 1` of a session whose head counts `attempts` trials, checked: each one
 * is there, intact, and the trial its key says; and, when the read reaches the end of the log,
 * no record lies beyond `attempts` (that would mean the head is older than its trial log).
 * Anything else is `CheckpointCorruptError` naming the trials, never a short list.
 */
export async function readTrialLog(
  trials: Sublevel<Uint8Array>,
  sessionId: string,
  from: number,
  end: number,
  attempts: number,
  what: string,
): Promise<TrialRecord[]> {
  const toEnd = end === attempts
  const expected = end - from
  // Values only (no key decoding), in large chunks: 10,000 trials in a few round trips. To the
  // end of the log, one more is asked for: there must be none.
  const range = toEnd
    ? { gte: trialKey(sessionId, from), lt: trialRange(sessionId).lt, limit: expected + 1 }
    : trialRange(sessionId, from, end)
  const values = await trials.values({ ...range, highWaterMarkBytes: READ_CHUNK_BYTES }).all()
  if (values.length !== expected) throw await misplaced(trials, sessionId, from, end, attempts, what)
  const out: TrialRecord[] = new Array(expected)
  for (let i = 0; i < expected; i++) {
    const idx = from + i
    const trial = decodeTrial(values[i] as Uint8Array, `trial ${idx} of session "${sessionId}"`)
    if (trial.trialIdx !== idx) throw await misplaced(trials, sessionId, from, end, attempts, what)
    out[i] = trial
  }
  return out
}

/** The index of the first trial record at or after `idx`, or null when there is none. */
export async function firstTrialFrom(trials: Sublevel<Uint8Array>, sessionId: string, idx: number): Promise<number | null> {
  const [key] = await trials.keys({ gte: trialKey(sessionId, idx), lt: trialRange(sessionId).lt, limit: 1 }).all()
  return key === undefined ? null : indexOf(key)
}

/** Describes which records of `from … end - 1` are missing or out of place, and what lies beyond `attempts`. */
async function misplaced(
  trials: Sublevel<Uint8Array>,
  sessionId: string,
  from: number,
  end: number,
  attempts: number,
  what: string,
): Promise<CheckpointCorruptError> {
  const keys = await trials.keys({ gte: trialKey(sessionId, from), lt: trialRange(sessionId).lt }).all()
  const present = new Set(keys.map(indexOf))
  const missing: number[] = []
  for (let i = from; i < end; i++) if (!present.has(i)) missing.push(i)
  const beyond = keys.map(indexOf).filter((i) => i >= attempts)
  const parts: string[] = []
  if (missing.length > 0)
    parts.push(`${missing.length === 1 ? 'trial' : 'trials'} ${list(missing)} ${missing.length === 1 ? 'is' : 'are'} missing`)
  if (beyond.length > 0)
    parts.push(
      `${beyond.length === 1 ? 'trial' : 'trials'} ${list(beyond)} ${beyond.length === 1 ? 'is' : 'are'} stored beyond them (the head is older than its trial log)`,
    )
  if (parts.length === 0) parts.push('a record is stored under the key of another trial')
  return new CheckpointCorruptError(what, `${parts.join('; ')}; the head counts ${attempts} trials`)
}

function indexOf(key: string): number {
  return Number(key.slice(key.lastIndexOf(':') + 1))
}

function list(indexes: number[]): string {
  const shown = indexes.slice(0, 10).join(', ')
  return indexes.length > 10 ? `${shown} and ${indexes.length - 10} more` : shown
}
