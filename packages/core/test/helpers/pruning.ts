import type { Json, ObjectiveContext, Pruner, PruneContext, TrialRecord } from '../../src/index.js'

/** Epochs of the test trainer. */
export const EPOCHS = 8

/**
 * The test trainer's validation loss of candidate `x` after `epoch`: best near x = 0 in the end,
 * with a shape that depends on x (curves cross, so trials are pruned at various steps).
 */
export function lossAt(x: number, epoch: number): number {
  return (x * x + 1) * (1 + (3 + x) / (epoch + 1))
}

/**
 * A tiny deterministic pruner: at step s, prune when at least `minTrials` trials of the history
 * reported step s and this trial's value is worse than their median. It records the history
 * length it saw per trial (`seen`), to check the history is the same whatever the timing.
 */
export function medianAtStep(minTrials = 2): Pruner & { seen: Map<number, number> } {
  const seen = new Map<number, number>()
  return {
    specificationVersion: 'v1',
    id: 'test/median-at-step',
    stateVersion: 1,
    options: { minTrials },
    seen,
    shouldPrune(ctx: PruneContext): boolean {
      seen.set(ctx.trialIdx, ctx.history.length)
      const last = ctx.intermediate[ctx.intermediate.length - 1]
      if (!last) throw new Error('shouldPrune with no intermediate value')
      const values = ctx.history.flatMap((t) => t.intermediate.filter((p) => p.step === last.step).map((p) => p.value))
      if (values.length < minTrials) return false
      values.sort((a, b) => a - b)
      const median = values[Math.floor(values.length / 2)] as number
      return ctx.direction === 'minimize' ? last.value > median : last.value < median
    },
  }
}

/** What the test trainer's checkpoints hold. */
export interface Model {
  epoch: number
}

/** Options of `trainer`. */
export interface TrainerOptions {
  epochs?: number
  /** Counts every epoch trained, across runs. */
  counter?: { epochs: number }
  /** Called after each checkpoint: may never settle (a crash mid-trial). */
  afterCheckpoint?(trialIdx: number, epoch: number, ctx: ObjectiveContext): Promise<void> | void
}

/** The objective of the example: trains epoch by epoch, reports, checkpoints, asks the pruner. */
export function trainer(options: TrainerOptions = {}) {
  const epochs = options.epochs ?? EPOCHS
  return async (c: { x: number }, ctx: ObjectiveContext) => {
    let model = (ctx.restored as Model | undefined) ?? { epoch: 0 }
    for (let epoch = model.epoch; epoch < epochs; epoch++) {
      if (options.counter) options.counter.epochs++
      model = { epoch: epoch + 1 }
      ctx.report(epoch, lossAt(c.x, epoch))
      await ctx.checkpoint(model as unknown as Json)
      await options.afterCheckpoint?.(ctx.trialIdx, epoch, ctx)
      if (ctx.shouldPrune()) return ctx.prune()
    }
    return lossAt(c.x, epochs - 1)
  }
}

/** What the pruning tests compare of each trial: index, candidate, outcome and curve. */
export function outcomes(trials: readonly TrialRecord[]) {
  return trials.map((t) => ({
    trialIdx: t.trialIdx,
    candidate: t.candidate,
    status: t.status,
    score: t.score,
    intermediate: t.intermediate,
  }))
}

/** A promise that never settles: an objective awaiting it stands still until its process "dies". */
export const never = new Promise<void>(() => {})
