import type { Direction, TrialView } from '@cairn/core'

/**
 * The directions of a session: `directions` when it has several objectives, else the one
 * `direction`. Every multi-objective helper of this package works on these.
 */
export function directionsOf(ctx: { direction: Direction; directions?: readonly Direction[] | undefined }): readonly Direction[] {
  return ctx.directions && ctx.directions.length >= 2 ? ctx.directions : [ctx.direction]
}

/**
 * A finished trial's objective values as losses (negated for `maximize`, so lower is better
 * in every component), or undefined when it has none usable: not `ok`, a missing value, a
 * value of the wrong arity or a non-finite one. With one direction the trial's `score` is the
 * value (or its single `values` entry).
 */
export function lossesOf(t: TrialView, directions: readonly Direction[]): Float64Array | undefined {
  if (t.status !== 'ok') return undefined
  const raw = directions.length >= 2 || t.score === undefined ? t.values : [t.score]
  if (!raw || raw.length !== directions.length) return undefined
  const out = new Float64Array(raw.length)
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i]
    if (typeof v !== 'number' || !Number.isFinite(v)) return undefined
    out[i] = directions[i] === 'maximize' ? -v : v
  }
  return out
}

/**
 * The total constraint violation of a trial: Σ max(0, c) over its constraints (0 = feasible,
 * also for a trial that has none). A NaN constraint counts as an infinite violation.
 */
export function violationOf(t: { constraints?: readonly number[] | undefined }): number {
  const cs = t.constraints
  if (!cs) return 0
  let v = 0
  for (const c of cs) {
    if (Number.isNaN(c)) return Infinity
    if (c > 0) v += c
  }
  return v
}
