import type { CheckpointHead, PendingTrial, SessionStatus } from '../../checkpoint/types.js'
import { isCairnError } from '../../errors.js'
import type { Evaluation } from '../../optimizer/contract.js'
import type { ReportedTrialResult, TrialClaim, TrialResultReport } from '../../store/contract.js'
import { channels, publish } from '../../telemetry/channels.js'
import { runEvaluation, type EvaluateArgs, type EvaluationTarget } from '../evaluate.js'
import { objectiveCount } from '../../objectives/directions.js'
import { withRetries } from '../../objectives/retry.js'
import type { Pruner } from '../../pruner/contract.js'
import { progressToken } from '../progress-token.js'
import { StoredPrunerLog } from '../pruner-history.js'
import type { TrialProgress, TrialPruning } from '../trial-progress.js'
import { prepareTrial } from '../trial-setup.js'
import type { SharedEnv } from './env.js'
import { PollWait } from './poll-wait.js'
import { watchChanges, type SharedStore } from './store-support.js'

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
/**
 * After a trial, the worker looks for the next one every `RECHECK_MS` (the coordinator is about
 * to publish it: it commits the result and asks the next candidate), `RECHECKS` times, before it
 * falls back to `pollIntervalMs`. A look that finds the head unchanged reads no slot.
 */
const RECHECK_MS = 10
const RECHECKS = 25

/**
 * One worker loop of a shared session: read the head, claim the lowest pending trial that has
 * no result and no live claim (one lost to another worker makes it try another at once, from a
 * place among the rest chosen by its owner, so that workers racing spread out),
 * evaluate it while renewing the claim every ttl / 4 (a lost claim aborts the trial), report the
 * result, repeat; look again every `RECHECK_MS` right after a trial, then every
 * `pollIntervalMs` — or at once when the store tells of a new head (`watchSession`, when it has
 * it: a hint, the polls go on). With a store that has `reportAndClaimTrial`, the report also claims the
 * worker's next trial (an open one, else the one the commit of this result publishes: see
 * `nextTrials`), which it starts as soon as a head lists it, without reading slots or claiming
 * then; a reserved claim is let go (lapsed at once) when the loop ends. It stops when the
 * session is no longer running, or after its trial in flight once `stop()` is called.
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
  /** The head revision at the last slot read that found nothing to claim, and when it was read (env clock). */
  private emptyAt: { revision: number; at: number } | null = null
  /** Where this worker goes on among the open trials after losing a race (from its owner). */
  private readonly spread: number
  /**
   * The claim this worker made with its last report (`reportAndClaimTrial`) on a trial that is
   * pending, or will be once the reported one is committed: evaluated as soon as a head lists it.
   */
  private reserved: TrialClaim | null = null
  /** When `reserved` was claimed (env clock). */
  private reservedAt = 0
  /** The wait between polls, ended early by a change of the head the store tells of (`watchSession`). */
  private readonly pollWait: PollWait

  constructor(private readonly options: TrialWorkerOptions) {
    this.prunerLog = new StoredPrunerLog(options.store, options.sessionId)
    this.spread = ownerHash(options.owner)
    this.pollWait = new PollWait(options.env)
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
    const { store, sessionId } = this.options
    // A new head may publish this worker's next trial: look at once rather than at the next poll.
    const unwatch = watchChanges(store, sessionId, 'head', () => this.pollWait.poke())
    try {
      return await this.loop()
    } finally {
      unwatch()
      await this.release()
    }
  }

  private async loop(): Promise<TrialWorkerEnd> {
    const { store, sessionId, pollIntervalMs } = this.options
    let rechecks = 0
    while (!this.stopped) {
      let worked = false
      try {
        const head = await store.load(sessionId)
        this.sessionStatus = head.status
        if (head.status !== 'running') return 'session-stopped'
        if (head.evaluation !== 'shared') return 'not-shared'
        if (this.options.beforeWork && (await this.options.beforeWork(head))) return 'took-over'
        worked = (await this.workReserved(head)) || (!this.waitingForReserved() && (await this.workOnce(head)))
      } catch (err) {
        if (FINAL.some((code) => isCairnError(err, code))) throw err
        publish(channels.sessionException, { sessionId, error: err })
      }
      if (worked) rechecks = RECHECKS
      else if (rechecks > 0) {
        rechecks--
        await this.pollWait.wait(Math.min(RECHECK_MS, pollIntervalMs), this.stopping.signal)
      } else await this.pollWait.wait(pollIntervalMs, this.stopping.signal)
    }
    return 'stopped'
  }

  /**
   * Evaluates the reserved trial once `head` lists it (renewing its claim first when half its
   * ttl is gone, as while it waits); false while it is not listed yet, or when its claim was lost.
   */
  private async workReserved(head: CheckpointHead): Promise<boolean> {
    const reserved = this.reserved
    if (!reserved) return false
    if (reserved.trialIdx < head.progress.attempts) {
      this.reserved = null
      return false
    }
    const claim = await this.kept(reserved)
    this.reserved = claim
    const trial = head.pending.find((p) => p.trialIdx === reserved.trialIdx)
    if (!claim || !trial) return false
    this.reserved = null
    this.emptyAt = null
    await this.evaluate(trial, claim, head)
    return true
  }

  /**
   * True while the reserved trial is due to be published soon (within a poll interval of its
   * claim): the worker reads no slot meanwhile. Past that (a long wait for an earlier trial's
   * result, or a session resumed with a smaller parallelism) it looks for open trials as well.
   */
  private waitingForReserved(): boolean {
    return this.reserved !== null && this.options.env.now() - this.reservedAt < this.options.pollIntervalMs
  }

  /** `claim`, renewed when less than half its ttl is left; null when it was lost. */
  private async kept(claim: TrialClaim): Promise<TrialClaim | null> {
    const { store, sessionId, trialLeaseTtlMs, env } = this.options
    if (claim.expiresAt - env.now() > trialLeaseTtlMs / 2) return claim
    try {
      return await store.renewTrialClaim(sessionId, claim, trialLeaseTtlMs)
    } catch (err) {
      if (isCairnError(err, 'CLAIM_LOST')) return null
      throw err
    }
  }

  /** Lets the reserved trial's claim lapse at once (a 1 ms renewal), so another worker need not wait out its ttl. */
  private async release(): Promise<void> {
    const reserved = this.reserved
    this.reserved = null
    if (!reserved) return
    await this.options.store.renewTrialClaim(this.options.sessionId, reserved, 1).catch(() => undefined)
  }

  /** Claims and evaluates one trial; false when there was none to claim. */
  private async workOnce(head: CheckpointHead): Promise<boolean> {
    const { store, sessionId, owner, trialLeaseTtlMs, pollIntervalMs, env } = this.options
    const open = head.pending.filter((p) => p.trialIdx >= head.progress.attempts && p.trialIdx !== this.reserved?.trialIdx)
    if (open.length === 0) return false
    // Nothing was claimable at this revision: only a lapsing claim can change that, which a
    // read every poll interval sees soon enough.
    const empty = this.emptyAt
    if (empty && empty.revision === head.revision && env.now() - empty.at < pollIntervalMs) return false
    const slots = await store.readTrialSlots(
      sessionId,
      open.map((p) => p.trialIdx),
    )
    const now = env.now()
    const claimable = open.filter((_, i) => {
      const slot = slots[i]
      return slot && !slot.result && !(slot.claim && slot.claim.expiresAt > now)
    })
    // The lowest first; once another worker won one, the others looking now are likely racing
    // for the same lowest ones: go on from a place of this worker's own among the rest.
    let at = 0
    while (claimable.length > 0) {
      const [trial] = claimable.splice(at, 1) as [PendingTrial]
      if (this.stopped) return true
      let claim: TrialClaim
      try {
        claim = await store.claimTrial(sessionId, { trialIdx: trial.trialIdx, owner, ttlMs: trialLeaseTtlMs })
      } catch (err) {
        if (!isCairnError(err, 'TRIAL_CLAIMED')) throw err
        at = claimable.length > 0 ? this.spread % claimable.length : 0
        continue
      }
      this.emptyAt = null
      await this.evaluate(trial, claim, head)
      return true
    }
    this.emptyAt = { revision: head.revision, at: now }
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
    let savedProgress = false
    try {
      // A failed run is retried afresh (the session's `retryFailed`): only the first restores stored progress.
      evaluation = await withRetries(head.limits.retryFailed ?? 0, async (retries) => {
        const prepared = await this.prepare(trial, held, head, lost, retries === 0)
        if (prepared !== null && !('curve' in prepared)) return prepared
        const args: EvaluateArgs = {
          target: options.target,
          candidate: trial.candidate,
          trialIdx: trial.trialIdx,
          timeoutMs: options.trialTimeoutMs ?? head.limits.trialTimeoutMs,
          sessionSignal: options.abortSignal ? AbortSignal.any([options.abortSignal, lost.signal]) : lost.signal,
          concurrency: options.concurrency,
          objectives: objectiveCount(head),
        }
        if (prepared) args.progress = prepared
        const result = await runEvaluation(args)
        if (prepared?.hasStoredProgress) savedProgress = true
        return result
      })
      // The coordinator deletes the trial's progress after the commit only when told there is some.
      if (savedProgress) evaluation = { ...evaluation, savedProgress: true }
    } finally {
      finished.abort()
      await renewal
    }
    try {
      if (lost.signal.aborted) this.claimsLost++
      else if (!options.abortSignal?.aborted) await this.report(held.claim, trial, evaluation, head)
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
    restore = true,
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
      restore,
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
   * Reports a result, and with it claims this worker's next trial when the store can
   * (`reportAndClaimTrial`). A failure that may be transient is retried; a refusal after it is
   * checked against the slot, since the first write may have landed and only its answer was lost.
   */
  private async report(claim: TrialClaim, trial: PendingTrial, evaluation: Evaluation, head: CheckpointHead): Promise<void> {
    const { sessionId } = this.options
    const report = { candidate: trial.candidate, evaluation }
    for (let attempt = 1; ; attempt++) {
      try {
        await this.store(claim, report, head)
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

  /** One report call: `reportAndClaimTrial` when the store has it, this worker holds no reserved claim and goes on; else `reportTrialResult`. */
  private async store(claim: TrialClaim, report: TrialResultReport, head: CheckpointHead): Promise<void> {
    const { store, sessionId, owner, trialLeaseTtlMs } = this.options
    const trialIdxs = this.reserved || this.stopped ? [] : nextTrials(head, claim.trialIdx)
    if (trialIdxs.length === 0 || store.capabilities.reportAndClaim !== true || typeof store.reportAndClaimTrial !== 'function')
      return store.reportTrialResult(sessionId, claim, report)
    this.reserved = await store.reportAndClaimTrial(sessionId, claim, report, { trialIdxs, owner, ttlMs: trialLeaseTtlMs })
    this.reservedAt = this.options.env.now()
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

/**
 * The trials a worker that reports `trialIdx` may claim next, in its order of preference: those
 * `head` listed as pending (published: the worker starts one still open at once), lowest first,
 * then the one the commit of `trialIdx` publishes (`trialIdx` + parallelism), if within
 * `maxTrials`. Not the trials between: each is the one another worker's result publishes, and
 * that worker, reporting a little later, would find it taken.
 */
export function nextTrials(head: CheckpointHead, trialIdx: number): number[] {
  const { parallelism, maxTrials } = head.limits
  const out = head.pending.map((p) => p.trialIdx).filter((idx) => idx >= head.progress.attempts && idx !== trialIdx)
  const published = trialIdx + parallelism
  if ((maxTrials === null || published < maxTrials) && !out.includes(published)) out.push(published)
  return out.slice(0, 1024)
}

/** A number from `owner` (FNV-1a), the same in every process. */
function ownerHash(owner: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < owner.length; i++) h = Math.imul(h ^ owner.charCodeAt(i), 0x01000193)
  return h >>> 0
}
