import type { Direction } from '../checkpoint/types.js'
import type { TrialView } from '../optimizer/contract.js'
import { isFeasible } from '../objectives/feasibility.js'
import { crowdingDistances, dominates } from '../objectives/pareto.js'

/**
 * True for the trials a multi-objective warm-start entry may keep: this session's, successful,
 * with one finite value per objective, and feasible.
 */
export function isSavableMulti(trial: TrialView, objectives: number): boolean {
  const values = trial.values
  return (
    trial.status === 'ok' &&
    !trial.seeded &&
    values !== undefined &&
    values.length === objectives &&
    values.every(Number.isFinite) &&
    isFeasible(trial.constraints)
  )
}

/**
 * The non-dominated savable trials of a growing multi-objective history, at most `capacity` of
 * them: what a multi-objective session saves as warm-start seeds. Kept up to date as trials are
 * appended (a new trial is compared with the kept ones: O(k) for k kept). When the front
 * outgrows `capacity`, the most crowded kept trial is dropped (NSGA-II's crowding distance; ties
 * drop the later trial), so the seeds stay spread along the front.
 */
export class ParetoSeeds {
  private kept: TrialView[] = []
  private source: readonly TrialView[] | null = null
  private seen = 0

  /** `capacity`: a non-negative integer. */
  constructor(
    readonly capacity: number,
    readonly directions: readonly Direction[],
  ) {}

  /** Takes in the trials appended to `history` since the last call (see `BestTrials.update`). */
  update(history: readonly TrialView[]): void {
    if (history !== this.source || history.length < this.seen) {
      this.kept = []
      this.source = history
      this.seen = 0
    }
    for (; this.seen < history.length; this.seen++) this.offer(history[this.seen] as TrialView)
  }

  /** The kept trials in trial order (a new array). */
  list(): TrialView[] {
    return this.kept.slice().sort((a, b) => a.trialIdx - b.trialIdx)
  }

  private offer(trial: TrialView): void {
    if (this.capacity === 0 || !isSavableMulti(trial, this.directions.length)) return
    const values = trial.values as readonly number[]
    if (this.kept.some((k) => dominates(k.values as readonly number[], values, this.directions))) return
    this.kept = this.kept.filter((k) => !dominates(values, k.values as readonly number[], this.directions))
    this.kept.push(trial)
    if (this.kept.length > this.capacity) this.kept.splice(this.mostCrowded(), 1)
  }

  /** The index in `kept` of the trial with the smallest crowding distance (the later trial on ties). */
  private mostCrowded(): number {
    const distance = crowdingDistances(this.kept.map((t) => t.values as readonly number[]))
    let worst = 0
    for (let i = 1; i < this.kept.length; i++) {
      const d = distance[i] as number
      const w = distance[worst] as number
      if (d < w || (d === w && (this.kept[i] as TrialView).trialIdx > (this.kept[worst] as TrialView).trialIdx)) worst = i
    }
    return worst
  }
}
