import { LeaseLostError } from '@cairn/core'
import type {
  CheckpointHead,
  CheckpointStore,
  ClaimTrialRequest,
  ClaimNextRequest,
  CommitRequest,
  CommitResult,
  ControlRequest,
  Lease,
  ListFilter,
  ListPage,
  ReadTrialsOptions,
  StoreCapabilities,
  StoredTrialProgress,
  TrialClaim,
  TrialRecord,
  TrialResultReport,
  TrialSlot,
  SessionChange,
} from '@cairn/core'
import { PKG } from './errors.js'

/**
 * The view of the store one recovery attempt's driver writes through. `revoke()` fences the
 * driver off: from then on every call through this view fails with `LeaseLostError` (so the
 * driver stops at its next commit or heartbeat and writes nothing more), and the attempt's
 * lease is released in the real store so the session can be recovered again at once.
 *
 * This is how the monitor abandons a hung attempt or hands its sessions back on `stop()`
 * without changing the session's status: it stays `running`, with no live lease.
 * `close()` never closes the shared store.
 *
 * The trial-slot methods of shared evaluation (`claimTrial`, `renewTrialClaim`,
 * `reportTrialResult`, `readTrialSlots`, and `reportAndClaimTrial` when declared; `watchSession`, a wake-up hint, too) are offered exactly when the store offers them, with
 * its capabilities, and are fenced off like the rest: a resumed shared session stays shared.
 * So are the trial-progress methods (`saveTrialProgress`, `loadTrialProgress`,
 * `deleteTrialProgress`): a recovered session's trial continues from its last checkpoint.
 */
export class FencedStore implements CheckpointStore {
  private revokedBecause: string | null = null
  /** The latest lease taken or renewed through this view. */
  private lease: Lease | null = null

  readonly claimTrial?: (sessionId: string, request: ClaimTrialRequest) => Promise<TrialClaim>
  readonly renewTrialClaim?: (sessionId: string, claim: TrialClaim, ttlMs: number) => Promise<TrialClaim>
  readonly reportTrialResult?: (sessionId: string, claim: TrialClaim, report: TrialResultReport) => Promise<void>
  readonly readTrialSlots?: (sessionId: string, trialIdxs: readonly number[]) => Promise<TrialSlot[]>
  readonly reportAndClaimTrial?: (
    sessionId: string,
    claim: TrialClaim,
    report: TrialResultReport,
    next: ClaimNextRequest,
  ) => Promise<TrialClaim | null>
  readonly watchSession?: (sessionId: string, change: SessionChange, onChange: () => void) => () => void
  readonly saveTrialProgress?: (sessionId: string, trialIdx: number, token: number, bytes: Uint8Array) => Promise<void>
  readonly loadTrialProgress?: (sessionId: string, trialIdx: number) => Promise<StoredTrialProgress | null>
  readonly deleteTrialProgress?: (sessionId: string, trialIdx: number) => Promise<void>

  constructor(
    private readonly inner: CheckpointStore,
    private readonly sessionId: string,
  ) {
    // Only what the store has: the driver tells a store that shares evaluation by these methods.
    const { claimTrial, renewTrialClaim, reportTrialResult, readTrialSlots, reportAndClaimTrial } = inner
    if (claimTrial)
      this.claimTrial = async (id, request) => {
        this.check(id)
        return claimTrial.call(inner, id, request)
      }
    if (renewTrialClaim)
      this.renewTrialClaim = async (id, claim, ttlMs) => {
        this.check(id)
        return renewTrialClaim.call(inner, id, claim, ttlMs)
      }
    if (reportTrialResult)
      this.reportTrialResult = async (id, claim, report) => {
        this.check(id)
        return reportTrialResult.call(inner, id, claim, report)
      }
    if (readTrialSlots)
      this.readTrialSlots = async (id, idxs) => {
        this.check(id)
        return readTrialSlots.call(inner, id, idxs)
      }
    if (reportAndClaimTrial)
      this.reportAndClaimTrial = async (id, claim, report, next) => {
        this.check(id)
        return reportAndClaimTrial.call(inner, id, claim, report, next)
      }
    // A hint, not a write: offered as it is.
    const { watchSession } = inner
    if (watchSession) this.watchSession = (id, change, onChange) => watchSession.call(inner, id, change, onChange)
    const { saveTrialProgress, loadTrialProgress, deleteTrialProgress } = inner
    if (saveTrialProgress)
      this.saveTrialProgress = async (id, trialIdx, token, bytes) => {
        this.check(id)
        return saveTrialProgress.call(inner, id, trialIdx, token, bytes)
      }
    if (loadTrialProgress)
      this.loadTrialProgress = async (id, trialIdx) => {
        this.check(id)
        return loadTrialProgress.call(inner, id, trialIdx)
      }
    if (deleteTrialProgress)
      this.deleteTrialProgress = async (id, trialIdx) => {
        this.check(id)
        return deleteTrialProgress.call(inner, id, trialIdx)
      }
  }

  get specificationVersion(): 'v1' {
    return this.inner.specificationVersion
  }

  get capabilities(): StoreCapabilities {
    return this.inner.capabilities
  }

  get revoked(): boolean {
    return this.revokedBecause !== null
  }

  /**
   * Fences the driver off and releases its lease (if one was taken). Resolves once the
   * release answered; a failing release is ignored (the lease then simply expires).
   */
  async revoke(reason: string): Promise<void> {
    if (this.revokedBecause === null) this.revokedBecause = reason
    await this.releaseHeld()
  }

  async create(head: CheckpointHead): Promise<void> {
    this.check(head.sessionId)
    return this.inner.create(head)
  }

  async commit(sessionId: string, request: CommitRequest): Promise<CommitResult> {
    this.check(sessionId)
    return this.inner.commit(sessionId, request)
  }

  async load(sessionId: string): Promise<CheckpointHead> {
    this.check(sessionId)
    return this.inner.load(sessionId)
  }

  async readTrials(sessionId: string, options?: ReadTrialsOptions): Promise<TrialRecord[]> {
    this.check(sessionId)
    return this.inner.readTrials(sessionId, options)
  }

  async list(filter?: ListFilter): Promise<ListPage> {
    this.check(this.sessionId)
    return this.inner.list(filter)
  }

  async delete(sessionId: string): Promise<void> {
    this.check(sessionId)
    return this.inner.delete(sessionId)
  }

  async acquireLease(sessionId: string, owner: string, ttlMs: number): Promise<Lease> {
    this.check(sessionId)
    const lease = await this.inner.acquireLease(sessionId, owner, ttlMs)
    this.lease = lease
    if (this.revokedBecause !== null) {
      // Revoked while the acquisition was in flight: give the lease straight back.
      await this.releaseHeld()
      this.check(sessionId)
    }
    return lease
  }

  async renewLease(sessionId: string, lease: Lease, ttlMs: number): Promise<Lease> {
    this.check(sessionId)
    const renewed = await this.inner.renewLease(sessionId, lease, ttlMs)
    this.lease = renewed
    return renewed
  }

  async releaseLease(sessionId: string, lease: Lease): Promise<void> {
    // Releasing is always safe: it only ever gives up this driver's own lease.
    await this.inner.releaseLease(sessionId, lease)
    if (this.lease && this.lease.fencingToken === lease.fencingToken) this.lease = null
  }

  async requestControl(sessionId: string, request: ControlRequest): Promise<void> {
    this.check(sessionId)
    return this.inner.requestControl(sessionId, request)
  }

  async close(): Promise<void> {}

  private async releaseHeld(): Promise<void> {
    const lease = this.lease
    if (!lease) return
    this.lease = null
    await this.inner.releaseLease(this.sessionId, lease).catch(() => undefined)
  }

  private check(sessionId: string): void {
    if (this.revokedBecause !== null)
      throw new LeaseLostError(
        sessionId,
        `${PKG} this recovery attempt was abandoned (${this.revokedBecause}); another may resume the session`,
      )
  }
}
