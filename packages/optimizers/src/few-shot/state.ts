import type { Json } from '@cairn/core'

/** A bootstrapped demonstration: a training example on which the teacher's output passed the metric. */
export interface FewShotPoolEntry {
  /** Index into the trainset. */
  demo: number
  /** The teacher's output on it (null when that output was not JSON: the demonstration is then shown with its label). */
  output: Json
}

/** The incumbent: the best configuration so far, by its score on the scoring set. */
export interface FewShotIncumbent {
  /** Trainset indices: the bootstrapped demonstrations first, then the labelled ones. */
  demos: number[]
  /** How many of `demos` (the first ones) are bootstrapped. */
  bootstrapped: number
  instruction: string | null
  /** Mean of its scores on the scoring set. */
  score: number
  /** How many scores the mean holds. */
  count: number
}

/**
 * The state of `fewShotSearch()`: bounded (the bootstrapped pool, the incumbent and counters;
 * history stays in the session).
 */
export interface FewShotState {
  v: 2
  /** Rounds done (= trials proposed). */
  round: number
  /** Size of the trainset the indices refer to (0 until the first round when `init` had no trainset). */
  trainsetSize: number
  /** Size of the session's valset (0: none). */
  valsetSize: number
  /** The bootstrapped demonstrations to choose from, in the order they were found; null until round 1 bootstrapped them. */
  pool: FewShotPoolEntry[] | null
  incumbent: FewShotIncumbent | null
}

export const STATE_VERSION = 2

const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function isIncumbent(v: unknown): v is FewShotIncumbent {
  if (!isRecord(v)) return false
  return (
    Array.isArray(v['demos']) &&
    v['demos'].every(isIndex) &&
    isIndex(v['bootstrapped']) &&
    v['bootstrapped'] <= v['demos'].length &&
    (v['instruction'] === null || typeof v['instruction'] === 'string') &&
    typeof v['score'] === 'number' &&
    isIndex(v['count'])
  )
}

/** Whether a decoded JSON value is a `FewShotState`. */
export function isState(v: unknown): v is FewShotState & Json {
  if (!isRecord(v)) return false
  if (v['v'] !== 2 || !isIndex(v['round']) || !isIndex(v['trainsetSize']) || !isIndex(v['valsetSize'])) return false
  const pool = v['pool']
  if (pool !== null && !(Array.isArray(pool) && pool.every((e) => isRecord(e) && isIndex(e['demo']) && 'output' in e))) return false
  return v['incumbent'] === null || isIncumbent(v['incumbent'])
}
