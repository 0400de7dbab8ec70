import type { Pruner } from '../../pruner/contract.js'
import { channels, publish } from '../../telemetry/channels.js'
import type { EvaluationTarget } from '../evaluate.js'
import type { ResultBoard } from './result-board.js'
import type { SharedDrive } from './shared-drive.js'
import type { SharedStore } from './store-support.js'
import { TrialWorker } from './trial-worker.js'

/** What the coordinator's own worker loop needs. */
export interface CoordinatorWorkerArgs {
  store: SharedStore
  sessionId: string
  owner: string
  target: EvaluationTarget
  concurrency: number
  shared: SharedDrive
  /** Aborts the trial in flight (the session stopped on an error, or failed). */
  abortSignal: AbortSignal
  /** Where its accepted results go at once, so the coordinator need not poll for them. */
  board: ResultBoard
  /** The session's pruner. */
  pruner?: Pruner
}

/** The worker loop a coordinator runs in its own process (`evaluateLocally`), in the background. */
export class CoordinatorWorker {
  private readonly worker: TrialWorker
  private readonly done: Promise<void>

  constructor(args: CoordinatorWorkerArgs) {
    const { shared, board, sessionId } = args
    this.worker = new TrialWorker({
      store: args.store,
      sessionId,
      owner: args.owner,
      target: args.target,
      trialLeaseTtlMs: shared.trialLeaseTtlMs,
      pollIntervalMs: shared.pollIntervalMs,
      concurrency: args.concurrency,
      env: shared.env,
      abortSignal: args.abortSignal,
      onReported: (trialIdx, result) => board.accept(trialIdx, result),
      ...(args.pruner ? { pruner: args.pruner } : {}),
    })
    this.done = this.worker.run().then(
      () => undefined,
      (error: unknown) => publish(channels.sessionException, { sessionId, error }),
    )
  }

  /** Stops after the trial in flight (reported unless `abortSignal` aborted it). */
  async stop(): Promise<void> {
    this.worker.stop()
    await this.done
  }
}
