const PRUNED: unique symbol = Symbol('cairn.prunedTrial')

/**
 * What `ctx.prune()` returns and the objective returns in turn: the trial ends as `pruned`, its
 * score the last intermediate value it reported. Only the marker of the trial's own context counts.
 */
export interface PrunedTrial {
  readonly [PRUNED]: true
  /** The trial it ends. */
  readonly trialIdx: number
}

/** A new marker for `trialIdx`. */
export function prunedTrial(trialIdx: number): PrunedTrial {
  return Object.freeze({ [PRUNED]: true as const, trialIdx })
}

/** True for a value `ctx.prune()` made (of any trial). */
export function isPrunedTrial(value: unknown): value is PrunedTrial {
  return typeof value === 'object' && value !== null && (value as { [PRUNED]?: unknown })[PRUNED] === true
}
