import type { TrialRecord } from '@cairn/core'
import type { SessionModel } from './session-model.js'

/** A trial with a learning curve: at least one intermediate value (`ctx.report`). */
export type CurveTrial = TrialRecord & { intermediate: NonNullable<TrialRecord['intermediate']> }

/**
 * The trials that reported intermediate values, in index order (shared by the views until the
 * model changes); their curves are read with `model.curveOf` (a report's stay packed until then).
 */
export function curveTrials(model: SessionModel): TrialRecord[] {
  return model.memo('curves', () => model.trials.filter((t) => model.hasCurve(t)))
}

/** `t` with its curve read (`model.curveOf`). */
function withCurve(model: SessionModel, t: TrialRecord): CurveTrial {
  model.curveOf(t)
  return t as CurveTrial
}

/** Which curves a chart draws: `lines` (in index order), and how they were chosen. */
export interface CurveSelection {
  lines: CurveTrial[]
  /** Trials with a curve in all. */
  total: number
  /** How many of `lines` are the best trials (the rest are evenly spaced over the others); `total` when all are drawn. */
  best: number
}

/** A trial's rank key: its score when it has one, else its last intermediate value. */
function finalValue(model: SessionModel, t: TrialRecord): number {
  if (typeof t.score === 'number' && Number.isFinite(t.score)) return t.score
  const curve = withCurve(model, t).intermediate
  return (curve[curve.length - 1] as { value: number }).value
}

/**
 * At most `max` curves: all of them when they fit, else the `bestCount` best finished trials
 * (status `ok`, by score in the session's direction; the best trial first among them) and an
 * evenly spaced sample of the others (pruned and failed trials included), in index order.
 */
export function selectCurves(model: SessionModel, max: number, bestCount: number): CurveSelection {
  const all = curveTrials(model)
  if (all.length <= max) return { lines: all.map((t) => withCurve(model, t)), total: all.length, best: all.length }
  const sign = model.session.direction === 'maximize' ? -1 : 1
  const finished = all.filter((t) => t.status === 'ok')
  // Rank keys in a typed array, worse-is-larger, NaN last: one numeric comparison per step of the sort, not two `better` calls and two lookups.
  const key = new Float64Array(finished.length)
  for (let i = 0; i < finished.length; i++) {
    const v = sign * finalValue(model, finished[i] as TrialRecord)
    key[i] = Number.isNaN(v) ? Number.POSITIVE_INFINITY : v
  }
  const order = Array.from({ length: finished.length }, (_, i) => i)
  // Ties by trial index (`finished` is in index order).
  order.sort((a, b) => (key[a] as number) - (key[b] as number) || a - b)
  const ranked = order.map((i) => finished[i] as TrialRecord)
  const chosen = new Set<TrialRecord>(ranked.slice(0, bestCount))
  const rest = all.filter((t) => !chosen.has(t))
  const room = max - chosen.size
  const step = rest.length / room
  for (let i = 0; i < room && i * step < rest.length; i++) chosen.add(rest[Math.floor(i * step)] as TrialRecord)
  return {
    lines: all.filter((t) => chosen.has(t)).map((t) => withCurve(model, t)),
    total: all.length,
    best: Math.min(bestCount, ranked.length),
  }
}
