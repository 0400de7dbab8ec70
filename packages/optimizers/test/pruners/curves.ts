import type { Direction, IntermediateValue, PruneContext, PrunerTrialView } from '@cairn/core'

/** A curve reported at steps 0, 1, 2… */
export function curve(values: readonly number[]): IntermediateValue[] {
  return values.map((value, step) => ({ step, value }))
}

/** A curve at the given steps: `at([0, 1], [3, 0.5])`. */
export function at(steps: readonly number[], values: readonly number[]): IntermediateValue[] {
  return steps.map((step, i) => ({ step, value: values[i]! }))
}

/** A completed trial with this curve (score = its last value). */
export function ok(trialIdx: number, c: IntermediateValue[]): PrunerTrialView {
  return { trialIdx, status: 'ok', score: c[c.length - 1]?.value, intermediate: c }
}

/** A pruned trial with this curve. */
export function pruned(trialIdx: number, c: IntermediateValue[]): PrunerTrialView {
  return { trialIdx, status: 'pruned', score: c[c.length - 1]?.value, intermediate: c }
}

/** Completed trials 0, 1, 2… with these curves. */
export function oks(curves: readonly (readonly number[])[]): PrunerTrialView[] {
  return curves.map((c, i) => ok(i, curve(c)))
}

/** The context judging a trial with curve `intermediate` over `history`. */
export function ctx(
  intermediate: IntermediateValue[],
  history: readonly PrunerTrialView[],
  direction: Direction = 'minimize',
  extra: Partial<PruneContext> = {},
): PruneContext {
  return { trialIdx: history.length, seed: 0, direction, intermediate, history, ...extra }
}
