import type { Direction } from '../checkpoint/types.js'
import type { TrialView } from '../optimizer/contract.js'
import { isFeasible } from '../objectives/feasibility.js'

/** Best first in `direction`: the better score, then the lower `trialIdx`. */
export function bestFirstOrder(direction: Direction): (a: TrialView, b: TrialView) => number {
  const sign = direction === 'maximize' ? -1 : 1
  return (a, b) => sign * ((a.score as number) - (b.score as number)) || a.trialIdx - b.trialIdx
}

/**
 * True for the trials a warm-start entry may keep: this session's, successful, scored (one
 * objective) and feasible (an infeasible trial's good score would mislead the runs it seeds).
 */
export function isSavable(trial: TrialView): boolean {
  return trial.status === 'ok' && trial.score !== undefined && !trial.seeded && isFeasible(trial.constraints)
}

/**
 * The best `capacity` savable trials of a growing history, best first. It is the same as a
 * stable sort of the savable trials by `bestFirstOrder` cut to `capacity`, but it is kept up to
 * date as trials are appended: a new trial costs O(log k) to compare, plus O(k) to insert
 * when it makes the cut, and reading the list costs O(k).
 */
export class BestTrials {
  private readonly best: TrialView[] = []
  private readonly order: (a: TrialView, b: TrialView) => number
  private source: readonly TrialView[] | null = null
  private seen = 0

  /** `capacity`: a non-negative integer, or `Infinity` to keep every savable trial. */
  constructor(
    readonly capacity: number,
    readonly direction: Direction,
  ) {
    this.order = bestFirstOrder(direction)
  }

  /**
   * Takes in the trials appended to `history` since the last call. `history` is expected to be
   * append-only (the driver's history is); given another array, or a shorter one, it starts over.
   */
  update(history: readonly TrialView[]): void {
    if (history !== this.source || history.length < this.seen) {
      this.best.length = 0
      this.source = history
      this.seen = 0
    }
    for (; this.seen < history.length; this.seen++) this.offer(history[this.seen] as TrialView)
  }

  /** The kept trials, best first (a new array). */
  list(): TrialView[] {
    return this.best.slice()
  }

  private offer(trial: TrialView): void {
    if (!isSavable(trial)) return
    const best = this.best
    const worst = best[best.length - 1]
    // A trial that ties the last kept one ranks after it, as in a stable sort, so it is cut too.
    if (best.length >= this.capacity && (worst === undefined || this.order(trial, worst) >= 0)) return
    // Insert after every kept trial that does not rank after it (stable order for equal keys).
    let lo = 0
    let hi = best.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.order(best[mid] as TrialView, trial) <= 0) lo = mid + 1
      else hi = mid
    }
    best.splice(lo, 0, trial)
    if (best.length > this.capacity) best.pop()
  }
}
