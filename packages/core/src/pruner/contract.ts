import type { Direction } from '../checkpoint/schema.js'
import type { Json } from '../json.js'

/** One intermediate value an objective reported with `ctx.report(step, value)`. */
export interface IntermediateValue {
  /** A non-negative integer; each report of a trial has a larger step than the one before. */
  step: number
  /** A finite number, in the session's direction (lower is better unless it maximizes). */
  value: number
}

/** A finished trial as pruners see it. */
export interface PrunerTrialView {
  trialIdx: number
  status: 'ok' | 'error' | 'pruned'
  /** The final score (`ok`), or the last intermediate value (`pruned`). */
  score?: number
  /** The trial's intermediate values, steps increasing; empty when it reported none. */
  intermediate: readonly IntermediateValue[]
}

/** What `Pruner.shouldPrune` judges. */
export interface PruneContext {
  trialIdx: number
  /** The session's seed: a pruner that randomizes (Hyperband's brackets) derives from it and `trialIdx`. */
  seed: number
  direction: Direction
  /** The trial's intermediate values so far; the last one is the step being judged. Never empty. */
  intermediate: readonly IntermediateValue[]
  /**
   * The trials committed before this trial was asked, oldest first. It is the same after a crash
   * and resume, and whatever the timing of parallel trials, so a decision is reproducible.
   */
  history: readonly PrunerTrialView[]
}

/**
 * Decides whether a running trial should stop early (`ctx.shouldPrune()`). A pruner is a pure
 * function of its `PruneContext`: its whole state is its id, `stateVersion` and `options`, which
 * the session's head records and a resume verifies (`ResumeMismatchError` reason `pruner`); the
 * rest is the committed trial log. `@cairn/testkit`'s `describePruner` checks a pruner.
 */
export interface Pruner {
  /** The version of this contract the pruner implements (`'v1'`). */
  readonly specificationVersion: 'v1'
  /** e.g. `@cairn/optimizers/median-pruner`; checked on resume. */
  readonly id: string
  /** Bump when the decision rule or the meaning of `options` changes; checked on resume. */
  readonly stateVersion: number
  /** JSON options, stored with the session and checked on resume. */
  readonly options?: Json
  /** True when the trial should stop now. Must not depend on anything but `ctx`. */
  shouldPrune(ctx: PruneContext): boolean
}

/** What the head records about a session's pruner. */
export interface PrunerInfo {
  id: string
  stateVersion: number
  options?: Json
}
