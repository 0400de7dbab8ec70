/**
 * Quality against cost in bench/pruning.ts, from each study's trials in the order they ran
 * ([epochs trained, final value or null when pruned], the same on both sides): the anytime
 * curve (the best final value so far against the epochs spent so far), the epochs a study
 * needed to reach a given quality, the quality it had at a given epoch budget, and how many
 * trials trained past each rung. Values are minimized.
 */
import { median } from './stats.js'

/** One trial of a study: epochs it trained, final value (null: pruned). */
export type TrialOutcome = [number, number | null]

/** The epochs, best final value, completed and pruned trials of a study's first `n` trials. */
export function prefixSummary(
  trials: readonly TrialOutcome[],
  n: number,
): { epochs: number; best: number | null; completed: number; pruned: number } {
  let epochs = 0
  let best: number | null = null
  let completed = 0
  let pruned = 0
  for (const [e, v] of trials.slice(0, n)) {
    epochs += e
    if (v === null) pruned++
    else {
      completed++
      if (best === null || v < best) best = v
    }
  }
  return { epochs, best, completed, pruned }
}

/** The anytime curve: [epochs spent when a trial completed, best final value so far], at each improvement. */
export function anytimeCurve(trials: readonly TrialOutcome[]): [number, number][] {
  const out: [number, number][] = []
  let spent = 0
  for (const [e, v] of trials) {
    spent += e
    if (v !== null && (out.length === 0 || v < (out.at(-1) as [number, number])[1])) out.push([spent, v])
  }
  return out
}

/** The epochs spent when the study first had a final value ≤ `quality`; null when it never did. */
export function epochsToReach(curve: readonly [number, number][], quality: number): number | null {
  for (const [spent, best] of curve) if (best <= quality) return spent
  return null
}

/** The best final value of the trials completed within `budget` epochs; null when none was. */
export function bestWithin(curve: readonly [number, number][], budget: number): number | null {
  let best: number | null = null
  for (const [spent, v] of curve) {
    if (spent > budget) break
    best = v
  }
  return best
}

/** Medians over seeds of the epochs to reach one quality. */
export interface Reach {
  /** The quality (a final value). */
  quality: number
  /** Median over seeds of the epochs to reach it, a seed that never did counting as infinitely many; null when half or more never did. */
  epochs: number | null
  /** Seeds that never reached it. */
  notReached: number
}

/** `epochsToReach` over seeds. */
export function reachOverSeeds(curves: readonly [number, number][][], quality: number): Reach {
  const times = curves.map((c) => epochsToReach(c, quality))
  const m = median(times.map((t) => t ?? Number.POSITIVE_INFINITY))
  return { quality, epochs: Number.isFinite(m) ? m : null, notReached: times.filter((t) => t === null).length }
}

/** Median over seeds of `bestWithin`, a seed with no completed trial counting as the worst; null when half or more had none. */
export function qualityWithin(curves: readonly [number, number][][], budget: number): number | null {
  const m = median(curves.map((c) => bestWithin(c, budget) ?? Number.POSITIVE_INFINITY))
  return Number.isFinite(m) ? m : null
}

/** Median over seeds of the trials that trained at least `steps[i]` epochs, for each i (how many passed each rung). */
export function reachedSteps(studies: readonly (readonly TrialOutcome[])[], steps: readonly number[]): number[] {
  return steps.map((s) => median(studies.map((t) => t.filter(([e]) => e >= s).length)))
}
