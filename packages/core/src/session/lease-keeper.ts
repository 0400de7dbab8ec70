import type { Lease } from '../checkpoint/types.js'
import { isCairnError } from '../errors.js'
import type { CheckpointStore } from '../store/contract.js'

/**
 * Renews a lease every ttl / 4. A `LeaseLostError` from the store is final and reported
 * through `onLost`; other failures (a flaky network) are retried on the next tick.
 */
export class LeaseKeeper {
  private timer: NodeJS.Timeout | undefined
  private renewing: Promise<void> | undefined

  constructor(
    private readonly store: CheckpointStore,
    private readonly sessionId: string,
    public lease: Lease,
    private readonly ttlMs: number,
    private readonly onLost: (err: Error) => void,
  ) {}

  start(): void {
    this.stop()
    this.timer = setInterval(() => void this.tick(), Math.max(25, Math.floor(this.ttlMs / 4)))
    this.timer.unref()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
  }

  /** Waits for a renewal in progress, so a release never races it. */
  async settle(): Promise<void> {
    await this.renewing
  }

  private async tick(): Promise<void> {
    if (this.renewing) return
    this.renewing = (async () => {
      try {
        this.lease = await this.store.renewLease(this.sessionId, this.lease, this.ttlMs)
      } catch (err) {
        if (isCairnError(err, 'LEASE_LOST') || isCairnError(err, 'NOT_FOUND')) {
          this.stop()
          this.onLost(err as Error)
        }
      } finally {
        this.renewing = undefined
      }
    })()
    await this.renewing
  }
}
