import type { Direction } from '../checkpoint/types.js'
import { InvalidInputError, isCairnError } from '../errors.js'
import type { Json } from '../json.js'
import type { IntermediateValue, Pruner, PrunerTrialView } from '../pruner/contract.js'
import type { CheckpointStore } from '../store/contract.js'
import { ProgressEncoder, candidateHash, type DecodedProgress } from './progress-codec.js'
import { prunedTrial, type PrunedTrial } from './pruned-trial.js'

/** Which stores keep trial progress, for error messages. */
export const TRIAL_PROGRESS_STORES_HINT =
  'use a store with capabilities.trialProgress (createMemoryStore(), @cairn/store-fs, @cairn/store-level or @cairn/store-dynamodb)'

/** How a trial's pruner judges it. */
export interface TrialPruning {
  pruner: Pruner
  seed: number
  direction: Direction
  /** The first `askedAfter` trials of the log; called at most once per trial, on the first judgement. */
  history(): readonly PrunerTrialView[]
}

/** Where a trial's checkpoints go. */
export interface TrialProgressSink {
  store: CheckpointStore
  sessionId: string
  /** The token of the save (see `progressToken`). */
  token(): number
  /** Told when the store refuses a save because the lease or claim was lost (the trial must not be committed by this writer). */
  onLost(err: Error): void
}

/** What a trial's context needs besides its index. */
export interface TrialProgressSetup {
  trialIdx: number
  /** The candidate the trial evaluates (its hash is saved with each checkpoint). */
  candidate: Json
  /** Absent when the session has no pruner: `shouldPrune()` is then always false. */
  pruning?: TrialPruning
  /** Absent outside a session's trials: `checkpoint` then rejects. */
  sink?: TrialProgressSink
  /** The trial's last checkpoint, when it is re-run after an interruption. */
  restored?: DecodedProgress
  /** True when progress of this trial is stored (restored or not): it is deleted once the trial is committed. */
  stored?: boolean
}

/**
 * The state behind one trial's `report`, `shouldPrune`, `prune` and `checkpoint`: its curve
 * (restored first, then reported), the first misuse (which makes the trial an `error` even when
 * the objective caught the throw), and its pruned marker.
 */
export class TrialProgress {
  readonly curve: IntermediateValue[]
  /** The first misuse of the context (bad report, prune twice …), if any. */
  misuse: InvalidInputError | null = null
  /** The marker `prune()` returned, if it was called. */
  marker: PrunedTrial | null = null
  /** True once a checkpoint was saved (or the trial was restored from one): its progress is deleted after the commit. */
  hasStoredProgress: boolean
  private lastStep: number
  private history: readonly PrunerTrialView[] | null = null
  private saving: Promise<void> = Promise.resolve()
  /** Encodes the trial's checkpoints (made at the first one): each encodes only the points reported since the last. */
  private encoder: ProgressEncoder | null = null

  constructor(private readonly setup: TrialProgressSetup) {
    this.curve = setup.restored ? setup.restored.curve.slice() : []
    this.lastStep = this.curve.length > 0 ? (this.curve[this.curve.length - 1] as IntermediateValue).step : -1
    this.hasStoredProgress = setup.stored === true || setup.restored !== undefined
  }

  /** The state of the last checkpoint, when the trial was restored. */
  get restored(): Json | Uint8Array | undefined {
    return this.setup.restored?.state
  }

  report(step: number, value: number): void {
    if (!Number.isSafeInteger(step) || step < 0) this.fail(`ctx.report: step must be a non-negative integer, got ${String(step)}`, 'step')
    if (step <= this.lastStep)
      this.fail(`ctx.report: steps must increase; step ${step} comes after step ${this.lastStep} of trial ${this.setup.trialIdx}`, 'step')
    if (typeof value !== 'number' || !Number.isFinite(value))
      this.fail(`ctx.report: value must be a finite number, got ${String(value)} at step ${step}`, 'value')
    this.lastStep = step
    this.curve.push({ step, value: Object.is(value, -0) ? 0 : value })
  }

  shouldPrune(): boolean {
    const pruning = this.setup.pruning
    if (!pruning || this.curve.length === 0) return false
    this.history ??= pruning.history()
    return (
      pruning.pruner.shouldPrune({
        trialIdx: this.setup.trialIdx,
        seed: pruning.seed,
        direction: pruning.direction,
        intermediate: this.curve,
        history: this.history,
      }) === true
    )
  }

  /**
   * For a restored trial: true (and the trial is pruned) when the pruner prunes it at the last
   * step of its restored curve. That is the decision the interrupted run made, or was about to
   * make, right after that checkpoint (an objective asks after each report), so the resumed
   * trial ends as the uninterrupted one did, without running the objective again.
   */
  prunesOnRestore(): boolean {
    if (!this.setup.restored || !this.shouldPrune()) return false
    this.marker = prunedTrial(this.setup.trialIdx)
    return true
  }

  prune(): PrunedTrial {
    if (this.marker) this.fail(`ctx.prune: trial ${this.setup.trialIdx} is already pruned (prune() was called twice)`)
    if (this.curve.length === 0)
      this.fail(`ctx.prune: trial ${this.setup.trialIdx} reported no intermediate value; call ctx.report(step, value) first`)
    this.marker = prunedTrial(this.setup.trialIdx)
    return this.marker
  }

  /** Saves `{ curve so far, state }` durably; saves of one trial are made one after the other, in call order. */
  checkpoint(state: unknown): Promise<void> {
    const sink = this.setup.sink
    if (!sink) return this.rejectMisuse('ctx.checkpoint: this evaluation is not a trial of a session, there is nowhere to save')
    const { store, sessionId } = sink
    if (store.capabilities?.trialProgress !== true || typeof store.saveTrialProgress !== 'function')
      return this.rejectMisuse(`ctx.checkpoint: this store cannot keep trial progress; ${TRIAL_PROGRESS_STORES_HINT}`, 'store')
    let bytes: Uint8Array
    try {
      this.encoder ??= new ProgressEncoder(candidateHash(this.setup.candidate))
      bytes = this.encoder.encode(this.curve, state)
    } catch (err) {
      if (err instanceof InvalidInputError) {
        this.misuse ??= err
        return Promise.reject(err)
      }
      throw err
    }
    const save = this.saving.then(async () => {
      try {
        await store.saveTrialProgress?.(sessionId, this.setup.trialIdx, sink.token(), bytes)
        this.hasStoredProgress = true
      } catch (err) {
        if (isCairnError(err, 'LEASE_LOST')) sink.onLost(err as Error)
        throw err
      }
    })
    this.saving = save.catch(() => undefined)
    return save
  }

  private rejectMisuse(message: string, field?: string): Promise<never> {
    const err = new InvalidInputError(message, field)
    this.misuse ??= err
    return Promise.reject(err)
  }

  private fail(message: string, field?: string): never {
    const err = new InvalidInputError(message, field)
    this.misuse ??= err
    throw err
  }
}
