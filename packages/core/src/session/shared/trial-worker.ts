import type { CheckpointHead, PendingTrial, SessionStatus } from '../../checkpoint/types.js'
import { isCairnError } from '../../errors.js'
import type { Evaluation } from '../../optimizer/contract.js'
import type { ReportedTrialResult, TrialClaim } from '../../store/contract.js'
import { channels, publish } from '../../telemetry/channels.js'
import { runEvaluation, type EvaluateArgs, type EvaluationTarget } from '../evaluate.js'
import type { Pruner } from '../../pruner/contract.js'
import { progressToken } from '../progress-token.js'
import { StoredPrunerLog } from '../pruner-history.js'
import type { TrialProgress, TrialPruning } from '../trial-progress.js'
import { prepareTrial } from '../trial-setup.js'
import type { SharedEnv } from './env.js'
import type { SharedStore } from './store-support.js'

/** What a trial worker needs. */
export interface TrialWorkerOptions {
  store: SharedStore
  sessionId: string
  /** Recorded on the worker's claims. */
  owner: string
  target: EvaluationTarget
  trialLeaseTtlMs: number
  pollIntervalMs: number
  /** Per-trial timeout; undefined: the session's stored limit. */
  trialTimeoutMs?: number
  /** Concurrency of a program target's examples. */
  concurrency: number
  env: SharedEnv
  /** Aborts the trial in flight, whose result is then not reported (the coordinator stopped hard). */
  abortSignal?: AbortSignal
  /** Told of every result the store accepted (the coordinator of this process reads them without polling). */
  onReported?(trialIdx: number, result: ReportedTrialResult): void
  /** Called with each running head before the worker looks for work; true ends the loop (`took-over`). */
  beforeWork?(head: CheckpointHead): Promise<boolean>
  /** The session's pruner (checked against the head by the caller). */
  pruner?: Pruner
}

/** Why a worker loop ended. */
export type TrialWorkerEnd =
  /** The session is no longer running. */
  | 'session-stopped'
  /** The session no longer publishes its trials (resumed with `evaluation: 'local'`). */
  | 'not-shared'
  /** `stop()` was called. */
  | 'stopped'
  /** `beforeWork` took the session over. */
  | 'took-over'

/** Failures a worker waits out and retries (a flaky network, a store busy): anything but these. */
const FINAL = ['NOT_FOUND', 'CHECKPOINT_CORRUPT', 'INVALID_INPUT'] as const
const REPORT_ATTEMPTS = 3
/** The first look for work after a trial, doubling up to `pollIntervalMs` while there is none. */
const FIRST_RECHECK_MS = 10

/**
 * One worker loop of a shared session: read the head, claim the lowest pending trial that has
 * no result and no live claim, evaluate it while renewing the claim every ttl / 4 (a lost
 * claim aborts the trial), report the result, repeat; sleep `pollIntervalMs` when idle. It
 * stops when the session is no longer running, or after its trial in flight once `stop()` is
 * called.
 */
export class TrialWorker {
  trialsEvaluated = 0
  claimsLost = 0
  /** The status of the session at the last head read. */
  sessionStatus: SessionStatus = 'running'
  /** The trial being evaluated, if any. */
  current: number | null = null
  private readonly stopping = new AbortController()
  /** The committed trials its pruner has needed so far, read once. */
  private readonly prunerLog: StoredPrunerLog

  constructor(private readonly options: TrialWorkerOptions) {
    this.prunerLog = new StoredPrunerLog(options.store, options.sessionId)
  }

  /** Ends the loop after the trial in flight (whose result is still reported). */
  stop(): void {
    this.stopping.abort()
  }

  get stopped(): boolean {
    return this.stopping.signal.aborted
  }

  /** Runs until the session stops or `stop()`; rejects on a final store error (unknown session, corrupt head). */
  async run(): Promise<TrialWorkerEnd> {
    const { store, sessionId, env, pollIntervalMs } = this.options
    // Right after a report the next trial is usually about to be published (the coordinator
    // commits the result and asks the next candidate): look again soon, then back off to the poll.
    let idleDelay = pollIntervalMs
    while (!this.stopped) {
      let worked = false
      try {
        const head = await store.load(sessionId)
        this.sessionStatus = head.status
        if (head.status !== 'running') return 'session-stopped'
        if (head.evaluation !== 'shared') return 'not-shared'
        if (this.options.beforeWork && (await this.options.beforeWork(head))) return 'took-over'
        worked = await this.workOnce(head)
      } catch (err) {
        if (FINAL.some((code) => isCairnError(err, code))) throw err
        publish(channels.sessionException, { sessionId, error: err })
      }
      if (worked) idleDelay = Math.min(FIRST_RECHECK_MS, pollIntervalMs)
      else {
        await env.sleep(idleDelay, this.stopping.signal)
        idleDelay = Math.min(idleDelay * 2, pollIntervalMs)
      }
    }
    return 'stopped'
  }

  /** Claims and evaluates one trial; false when there was none to claim. */
  private async workOnce(head: CheckpointHead): Promise<boolean> {
    const { store, sessionId, owner, trialLeaseTtlMs, env } = this.options
    const open = head.pending.filter((p) => p.trialIdx >= head.progress.attempts)
    if (open.length === 0) return false
    const slots = await store.readTrialSlots(
      sessionId,
      open.map((p) => p.trialIdx),
    )
    const now = env.now()
    for (let i = 0; i < open.length; i++) {
      const slot = slots[i]
      const trial = open[i] as PendingTrial
      if (!slot || slot.result || (slot.claim && slot.claim.expiresAt > now)) continue
      if (this.stopped) return true
      let claim: TrialClaim
      try {
        claim = await store.claimTrial(sessionId, { trialIdx: trial.trialIdx, owner, ttlMs: trialLeaseTtlMs })
      } catch (err) {
        if (isCairnError(err, 'TRIAL_CLAIMED')) continue
        throw err
      }
      await this.evaluate(trial, claim, head)
      return true
    }
    return false
  }

  private async evaluate(trial: PendingTrial, claim: TrialClaim, head: CheckpointHead): Promise<void> {
    const { options } = this
    this.current = trial.trialIdx
    const lost = new AbortController()
    const finished = new AbortController()
    const held = { claim }
    const renewal = this.keepClaim(held, lost, finished.signal)
    let evaluation: Evaluation
    try {
      const prepared = await this.prepare(trial, held, head, lost)
      if (prepared === null || 'curve' in prepared) {
        const args: EvaluateArgs = {
          target: options.target,
          candidate: trial.candidate,
          trialIdx: trial.trialIdx,
          timeoutMs: options.trialTimeoutMs ?? head.limits.trialTimeoutMs,
          sessionSignal: options.abortSignal ? AbortSignal.any([options.abortSignal, lost.signal]) : lost.signal,
          concurrency: options.concurrency,
        }
        if (prepared) args.progress = prepared
        evaluation = await runEvaluation(args)
      } else evaluation = prepared
    } finally {
      finished.abort()
      await renewal
    }
    try {
      if (lost.signal.aborted) this.claimsLost++
      else if (!options.abortSignal?.aborted) await this.report(held.claim, trial, evaluation)
    } finally {
      this.current = null
    }
  }

  /**
   * The trial's context state (null for a program target): its stored progress restored, its
   * pruner's history read (the first `askedAfter` committed trials, cached across trials), its
   * checkpoints saved under the claim (a refused save loses the claim: `lost` aborts).
   */
  private async prepare(
    trial: PendingTrial,
    held: { claim: TrialClaim },
    head: CheckpointHead,
    lost: AbortController,
  ): Promise<TrialProgress | Evaluation | null> {
    const { store, sessionId, target, pruner } = this.options
    if (target.kind !== 'objective') return null
    let pruning: TrialPruning | undefined
    if (pruner && head.pruner) {
      const history = await this.prunerLog.firstTrials(trial.askedAfter ?? trial.trialIdx)
      pruning = { pruner, seed: head.seed, direction: head.direction, history: () => history }
    }
    const leaseToken = head.lease?.fencingToken ?? 0
    return prepareTrial({
      store,
      sessionId,
      trialIdx: trial.trialIdx,
      candidate: trial.candidate,
      restore: true,
      ...(pruning ? { pruning } : {}),
      token: () => progressToken(leaseToken, held.claim.token),
      onLost: (err) => lost.abort(err),
    })
  }

  /** Renews `held.claim` every ttl / 4 until `finished`; a lost claim aborts `lost`. Other failures are retried. */
  private async keepClaim(held: { claim: TrialClaim }, lost: AbortController, finished: AbortSignal): Promise<void> {
    const { store, sessionId, trialLeaseTtlMs, env } = this.options
    for (;;) {
      await env.sleep(Math.max(1, Math.floor(trialLeaseTtlMs / 4)), finished)
      if (finished.aborted) return
      try {
        held.claim = await store.renewTrialClaim(sessionId, held.claim, trialLeaseTtlMs)
      } catch (err) {
        if (isCairnError(err, 'CLAIM_LOST') || FINAL.some((code) => isCairnError(err, code))) {
          lost.abort(err)
          return
        }
      }
    }
  }

  /**
   * Reports a result. A failure that may be transient is retried; a refusal after it is checked
   * against the slot, since the first write may have landed and only its answer was lost.
   */
  private async report(claim: TrialClaim, trial: PendingTrial, evaluation: Evaluation): Promise<void> {
    const { store, sessionId } = this.options
    const report = { candidate: trial.candidate, evaluation }
    for (let attempt = 1; ; attempt++) {
      try {
        await store.reportTrialResult(sessionId, claim, report)
        return this.accepted(trial.trialIdx, claim, report)
      } catch (err) {
        if (isCairnError(err, 'CLAIM_LOST')) {
          if (attempt > 1 && (await this.landed(claim))) return this.accepted(trial.trialIdx, claim, report)
          this.claimsLost++
          return
        }
        if (FINAL.some((code) => isCairnError(err, code)) || attempt >= REPORT_ATTEMPTS) throw err
        publish(channels.sessionException, { sessionId, error: err })
      }
    }
  }

  private async landed(claim: TrialClaim): Promise<boolean> {
    const [slot] = await this.options.store.readTrialSlots(this.options.sessionId, [claim.trialIdx])
    return slot?.result?.claimToken === claim.token && slot.result.owner === claim.owner
  }

  private accepted(
    trialIdx: number,
    claim: TrialClaim,
    report: { candidate: ReportedTrialResult['candidate']; evaluation: Evaluation },
  ): void {
    this.trialsEvaluated++
    this.options.onReported?.(trialIdx, { ...report, owner: claim.owner, claimToken: claim.token, reportedAt: this.options.env.now() })
  }
}
