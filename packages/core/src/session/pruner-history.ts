import type { TrialRecord } from '../checkpoint/types.js'
import type { TrialView } from '../optimizer/contract.js'
import type { PrunerTrialView } from '../pruner/contract.js'
import type { CheckpointStore } from '../store/contract.js'

const NO_CURVE: readonly never[] = Object.freeze([])

/** How a pruner sees a committed trial. */
export function toPrunerView(trial: TrialView | TrialRecord): PrunerTrialView {
  const view: PrunerTrialView = { trialIdx: trial.trialIdx, status: trial.status, intermediate: trial.intermediate ?? NO_CURVE }
  if (trial.score !== undefined) view.score = trial.score
  return view
}

/**
 * The committed trial log as pruners see it, kept by the driver as it commits (append-only):
 * `firstTrials(n)` is the history of a trial asked after `n` commits. Each call copies the first
 * `n` views once; a trial asks once (its context caches the answer), so a pruner's judgements
 * cost O(1) each besides the pruner's own work.
 */
export class PrunerLog {
  private readonly views: PrunerTrialView[] = []

  /** This session's trials (warm-start seeds are not part of the log), oldest first. */
  constructor(trials: readonly TrialView[] = []) {
    for (const t of trials) if (!t.seeded) this.views.push(toPrunerView(t))
  }

  append(trial: TrialView | TrialRecord): void {
    this.views.push(toPrunerView(trial))
  }

  get length(): number {
    return this.views.length
  }

  firstTrials(n: number): readonly PrunerTrialView[] {
    return Object.freeze(this.views.slice(0, Math.min(n, this.views.length)))
  }
}

/**
 * A worker's copy of the committed trial log, read from the store as far as its trials need
 * (committed records never change, so what was read once is kept).
 */
export class StoredPrunerLog {
  private readonly log = new PrunerLog()

  constructor(
    private readonly store: CheckpointStore,
    private readonly sessionId: string,
  ) {}

  /** The first `n` trials of the log, reading those not read yet. */
  async firstTrials(n: number): Promise<readonly PrunerTrialView[]> {
    if (this.log.length < n) {
      const more = await this.store.readTrials(this.sessionId, { from: this.log.length, limit: n - this.log.length })
      for (const t of more) this.log.append(t)
    }
    return this.log.firstTrials(n)
  }
}
