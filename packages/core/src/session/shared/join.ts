import { isTerminal, type CheckpointHead } from '../../checkpoint/types.js'
import { InvalidInputError, isCairnError, NotJoinableError } from '../../errors.js'
import { checkPruner, verifyPruner } from '../../pruner/checks.js'
import { missingMethods } from '../../input/option-kinds.js'
import { describeValue } from '../../input/options-schema.js'
import type { CheckpointStore } from '../../store/contract.js'
import { assertSessionId } from '../../store/session-id.js'
import { JoinOptionsSchema, ResumeOptionsSchema, STORE_METHODS } from '../option-schemas.js'
import { checkResumeOptions, defaultOwner } from '../options.js'
import { resumeWith } from '../resume.js'
import { checkSpecificationVersion } from '../specification.js'
import type { JoinOptions, ResumeOptions, SessionHandle, WorkerHandle, WorkerResult } from '../types.js'
import { systemEnv, type SharedEnv } from './env.js'
import { DEFAULT_TRIAL_LEASE_TTL_MS, DEFAULT_WORKER_POLL_MS } from './shared-drive.js'
import { SHARED_STORES_HINT, sharedStoreProblem, type SharedStore } from './store-support.js'
import { TrialWorker } from './trial-worker.js'

/**
 * Attaches a worker to a running session started with `evaluation: 'shared'`: it claims the
 * session's pending trials one at a time, evaluates them with `objective` and reports the
 * results for the session's coordinator to commit, until the session stops (after the trial in
 * flight), `stop()` is called or `signal` aborts. Throws `NotFoundError` for an unknown
 * session, `NotJoinableError` (`reason`: `finished`, `paused`, `not-shared`,
 * `store-unsupported`) when it cannot join, `ResumeMismatchError` (reason `pruner`) when its
 * `pruner` is not the session's (or it has none and the session does), and `InvalidInputError`
 * for malformed options.
 */
export async function joinSession(store: CheckpointStore, sessionId: string, options: JoinOptions): Promise<WorkerHandle> {
  return joinWith(store, sessionId, options, systemEnv)
}

/** `joinSession` with the clock and sleep given (`@cairn/core/testing`'s `joinSessionWith`). */
export async function joinWith(store: CheckpointStore, sessionId: string, options: JoinOptions, env: SharedEnv): Promise<WorkerHandle> {
  const missing = missingMethods(store, STORE_METHODS)
  if (missing.length > 0)
    throw new InvalidInputError(`must be a CheckpointStore (it has no ${missing.join(', ')}), got ${describeValue(store)}`, 'store')
  checkSpecificationVersion(store, 'store')
  assertSessionId(sessionId)
  JoinOptionsSchema.check(options)
  if (options.takeOver !== undefined) {
    ResumeOptionsSchema.check(options.takeOver, 'takeOver', 'joinSession')
    checkResumeOptions(options.takeOver as ResumeOptions)
  }
  const problem = sharedStoreProblem(store)
  if (problem) throw new NotJoinableError(sessionId, 'store-unsupported', `${problem}; ${SHARED_STORES_HINT}`)
  if (options.pruner !== undefined) checkPruner(options.pruner)
  const head = await store.load(sessionId)
  refuseUnjoinable(head)
  verifyPruner(head, options.pruner, 'join')
  return new JoinedWorker(store as SharedStore, sessionId, options, env)
}

function refuseUnjoinable(head: CheckpointHead): void {
  const { sessionId, status } = head
  if (isTerminal(status)) throw new NotJoinableError(sessionId, 'finished', `it is ${status}`)
  if (status === 'paused') throw new NotJoinableError(sessionId, 'paused', 'it is paused; resume it first (resumeSession, cairn resume)')
  if (head.evaluation !== 'shared')
    throw new NotJoinableError(
      sessionId,
      'not-shared',
      "it evaluates its trials in its own process; start it (or resume it) with evaluation: 'shared' for workers to join",
    )
}

/** Refusals of a takeover after which the worker goes on working (someone else drives, the session ended, the store may recover). */
const WORKING_ON = ['ALREADY_RUNNING', 'ALREADY_TERMINAL', 'STORE_IO'] as const

/** A worker attached by `joinSession`, which may take the session over (`takeOver`). */
class JoinedWorker implements WorkerHandle {
  readonly owner: string
  private readonly loop: TrialWorker
  private readonly done: Promise<WorkerResult>
  /** The driver this worker started when it took the session over. */
  private driver: SessionHandle | null = null
  /** Why taking the session over failed for good (a resume mismatch, a damaged session …). */
  private takeOverError: unknown = null

  constructor(
    private readonly store: SharedStore,
    readonly sessionId: string,
    options: JoinOptions,
    private readonly env: SharedEnv,
  ) {
    this.owner = options.owner ?? defaultOwner()
    const takeOver = options.takeOver
    this.loop = new TrialWorker({
      store,
      sessionId,
      owner: this.owner,
      target: { kind: 'objective', objective: options.objective },
      trialLeaseTtlMs: options.trialLeaseTtlMs ?? DEFAULT_TRIAL_LEASE_TTL_MS,
      pollIntervalMs: options.pollIntervalMs ?? DEFAULT_WORKER_POLL_MS,
      ...(options.trialTimeoutMs !== undefined ? { trialTimeoutMs: options.trialTimeoutMs } : {}),
      concurrency: 1,
      env,
      ...(options.pruner ? { pruner: options.pruner } : {}),
      ...(takeOver ? { beforeWork: (head) => this.tryTakeOver(head, takeOver) } : {}),
    })
    const signal = options.signal
    const onAbort = (): void => void this.halt()
    signal?.addEventListener('abort', onAbort, { once: true })
    if (signal?.aborted) this.loop.stop()
    this.done = this.run().finally(() => signal?.removeEventListener('abort', onAbort))
    // A caller that never waits must not see an unhandled rejection; `wait()` still rejects.
    this.done.catch(() => undefined)
  }

  running(): number[] {
    return this.loop.current === null ? [] : [this.loop.current]
  }

  wait(): Promise<WorkerResult> {
    return this.done
  }

  /** Stops after the trial in flight; a worker that took the session over pauses it. */
  async stop(): Promise<WorkerResult> {
    await this.halt()
    return this.done
  }

  private async halt(): Promise<void> {
    this.loop.stop()
    if (this.driver) await this.driver.pause()
  }

  private async run(): Promise<WorkerResult> {
    const end = await this.loop.run()
    const result: WorkerResult = {
      sessionId: this.sessionId,
      sessionStatus: this.loop.sessionStatus,
      trialsEvaluated: this.loop.trialsEvaluated,
      claimsLost: this.loop.claimsLost,
      tookOver: false,
    }
    if (end !== 'took-over') return result
    if (!this.driver) throw this.takeOverError
    if (this.loop.stopped) await this.driver.pause()
    const stopped = await this.driver.wait()
    return { ...result, sessionStatus: stopped.status, tookOver: true }
  }

  /**
   * When the coordinator's lease lapsed (it died), resumes the session here; true once this
   * process drives it. Another process that took it first (`AlreadyRunningError`), a session
   * that ended meanwhile, or a store failure that may pass leaves this worker working; any
   * other refusal (the session cannot be resumed with `takeOver`) ends it, and `wait()` rejects.
   */
  private async tryTakeOver(head: CheckpointHead, takeOver: ResumeOptions): Promise<boolean> {
    if (head.lease && head.lease.expiresAt > this.env.now()) return false
    try {
      this.driver = await resumeWith(this.store, this.sessionId, takeOver, this.env)
      return true
    } catch (err) {
      if (!isCairnError(err) || WORKING_ON.some((code) => isCairnError(err, code))) return false
      this.takeOverError = err
      return true
    }
  }
}
