import { invalidInput } from './errors.js'

/**
 * Names of the sublevels. In the raw database a key reads `!<sublevel>!<key>`
 * (abstract-level's sublevel prefix).
 */
export const SUBLEVEL = {
  /** sessionId → encoded head (core's `encodeHead`, lease stored in `listing`). */
  head: 'head',
  /** `<sessionId>:<trialIdx, 12 digits>` → encoded trial (core's `encodeTrial`). */
  trial: 'trial',
  /** sessionId → listing record (JSON): what `list` serves, plus revision, lease and control flag. */
  listing: 'listing',
  /** `<key>\0<runId>` (escaped) → encoded warm-start entry (core's `encodeWarmStartEntry`). */
  warm: 'warm',
  /** `<sessionId>:<revision, 12 digits>` → a damaged head `replaceDamagedHead` set aside (its bytes as found). */
  damaged: 'damaged',
  /**
   * Trial progress (see progress-record.ts): `<sessionId>:<trialIdx, 12 digits>` → the manifest
   * of the trial's save; `<sessionId>:<trialIdx, 12 digits>:<token, 16 digits>:<chunk, 6 digits>`
   * → one chunk of its bytes.
   */
  progress: 'progress',
} as const

/** Digits of a trial index in a trial key; indexes up to 10^12 - 1. */
export const TRIAL_INDEX_DIGITS = 12
/** The largest trial index a key can hold. */
const MAX_TRIAL_INDEX = 10 ** TRIAL_INDEX_DIGITS - 1

// Session ids are [A-Za-z0-9._-]: neither ':' nor ';' can occur in one, so `<id>:` is a
// prefix no other session shares and `<id>;` is the first key after all of it.
const TRIAL_SEPARATOR = ':'
const AFTER_TRIALS = ';'

/** The key of one trial: zero-padded so key order is index order. */
export function trialKey(sessionId: string, trialIdx: number): string {
  if (!Number.isSafeInteger(trialIdx) || trialIdx < 0 || trialIdx > MAX_TRIAL_INDEX)
    throw invalidInput(`must be an integer in 0..${MAX_TRIAL_INDEX}, got ${trialIdx}`, 'trialIdx')
  return sessionId + TRIAL_SEPARATOR + String(trialIdx).padStart(TRIAL_INDEX_DIGITS, '0')
}

/** The key range of a session's trials with `from <= index < end` (all of them by default). */
export function trialRange(sessionId: string, from = 0, end = Infinity): { gte: string; lt: string } {
  return {
    gte: from <= 0 ? sessionId + TRIAL_SEPARATOR : trialKey(sessionId, from),
    lt: end > MAX_TRIAL_INDEX ? sessionId + AFTER_TRIALS : trialKey(sessionId, end),
  }
}

/** The key a damaged head of `revision` is kept under. */
export function damagedKey(sessionId: string, revision: number): string {
  return sessionId + TRIAL_SEPARATOR + String(revision).padStart(TRIAL_INDEX_DIGITS, '0')
}

/** The key range of every damaged head kept for a session. */
export function damagedRange(sessionId: string): { gte: string; lt: string } {
  return { gte: sessionId + TRIAL_SEPARATOR, lt: sessionId + AFTER_TRIALS }
}

// Warm-start keys and run ids are arbitrary strings. Escaping \0 and \1 makes `<key>\0` a
// prefix that only the entries of `key` share.
function escapePart(s: string): string {
  return s.replace(/[\u0000\u0001]/g, (c) => (c === '\u0000' ? '\u0001\u0001' : '\u0001\u0002'))
}

/** The key of one warm-start entry. */
export function warmKey(key: string, runId: string): string {
  return `${escapePart(key)}\u0000${escapePart(runId)}`
}

/** The key range of every entry of one warm-start key. */
export function warmKeyRange(key: string): { gte: string; lt: string } {
  const prefix = escapePart(key)
  return { gte: `${prefix}\u0000`, lt: `${prefix}\u0001` }
}

/** Digits of a token in a progress chunk key. */
const TOKEN_DIGITS = 16
/** Digits of a chunk number in a progress chunk key. */
const CHUNK_DIGITS = 6

/** The key of the manifest of a trial's progress. */
export function progressKey(sessionId: string, trialIdx: number): string {
  return trialKey(sessionId, trialIdx)
}

/** The key of chunk `n` of the progress of trial `trialIdx` saved with `token`. */
export function progressChunkKey(sessionId: string, trialIdx: number, token: number, n: number): string {
  return `${progressKey(sessionId, trialIdx)}${TRIAL_SEPARATOR}${String(token).padStart(TOKEN_DIGITS, '0')}${TRIAL_SEPARATOR}${String(n).padStart(CHUNK_DIGITS, '0')}`
}

/** The key range of the chunks of the progress of trial `trialIdx` saved with `token`. */
export function progressChunkRange(sessionId: string, trialIdx: number, token: number): { gte: string; lt: string } {
  const prefix = `${progressKey(sessionId, trialIdx)}${TRIAL_SEPARATOR}${String(token).padStart(TOKEN_DIGITS, '0')}`
  return { gte: prefix + TRIAL_SEPARATOR, lt: prefix + AFTER_TRIALS }
}

/** The key range of everything stored for the progress of one trial (its manifest and every chunk). */
export function progressTrialRange(sessionId: string, trialIdx: number): { gte: string; lt: string } {
  const key = progressKey(sessionId, trialIdx)
  return { gte: key, lt: key + AFTER_TRIALS }
}

/** The key range of the progress of every trial of a session. */
export function progressSessionRange(sessionId: string): { gte: string; lt: string } {
  return { gte: sessionId + TRIAL_SEPARATOR, lt: sessionId + AFTER_TRIALS }
}
