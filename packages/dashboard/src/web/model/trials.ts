import type { Direction, TrialRecord } from '@cairn/core'

/** A trial that counts for the best score: status `ok` with a finite score. */
export function isScored(t: TrialRecord): t is TrialRecord & { score: number } {
  return t.status === 'ok' && typeof t.score === 'number' && Number.isFinite(t.score)
}

/** True when `a` is a better score than `b` for `direction`. */
export function better(direction: Direction, a: number, b: number): boolean {
  return direction === 'maximize' ? a > b : a < b
}

/**
 * Statuses a trial can have, in the order the charts stack them. `ok` and `error` exist today,
 * `pruned` once pruning lands; any other status is shown as it is named, after these.
 */
export const KNOWN_STATUSES = ['ok', 'error', 'pruned'] as const

/** The statuses other than `ok` present among `trials`, known ones first. */
export function otherStatuses(trials: readonly TrialRecord[]): string[] {
  const seen = new Set<string>()
  for (const t of trials) if (t.status !== 'ok' || !isScored(t)) seen.add(t.status === 'ok' ? 'no score' : t.status)
  const known = KNOWN_STATUSES.filter((s) => s !== 'ok' && seen.has(s)) as string[]
  return [...known, ...[...seen].filter((s) => !known.includes(s)).sort()]
}

/** The status a trial is grouped by in charts: `ok` only with a finite score. */
export function statusOf(t: TrialRecord): string {
  return isScored(t) ? 'ok' : t.status === 'ok' ? 'no score' : t.status
}
