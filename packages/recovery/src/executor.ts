import { isTerminal, resumeSession } from '@cairn/core'
import type { CheckpointStore, SessionListing, SessionResult } from '@cairn/core'
import type { SkipReason } from './errors.js'
import { FencedStore } from './fenced-store.js'
import { resolveJob, type JobRegistry } from './jobs.js'

/** One recovery attempt, as the monitor hands it to an executor. */
export interface RecoveryTask {
  sessionId: string
  /** The listing that made the monitor pick the session. */
  listing: SessionListing
  /** 1 for the first attempt. */
  attempt: number
  /** The lease owner to drive the session as. */
  owner: string
  /**
   * Aborted when the monitor abandons the attempt (it timed out, or the monitor is stopping):
   * the executor must then stop driving without committing anything more, hand the lease
   * back, and settle promptly.
   */
  signal: AbortSignal
  /** Call once the lease is taken and the driver runs (emits `started`). */
  started(info?: { job?: string }): void
  /** Call on every committed trial; it restarts the attempt's timeout. */
  progress(): void
}

/** What an attempt that did not throw found. */
export type RecoveryOutcome = { kind: 'recovered'; result: SessionResult } | { kind: 'skipped'; reason: SkipReason }

/**
 * Takes over one session and drives it until its driver stops. Resolve with the outcome; throw
 * to fail the attempt (the monitor sorts the error with `classifyFailure`: core's
 * `AlreadyRunningError` is a skip, `ResumeMismatchError` is permanent, and so on).
 *
 * When `recover` is called the monitor has claimed the attempt (counted it in the store): it
 * holds the session's lease as `task.owner`, so drive the session as that owner (a store's
 * `acquireLease` admits the holder). The monitor hands that lease back when the attempt
 * settles — a no-op once a driver took the lease over with a newer token.
 */
export interface RecoveryExecutor {
  recover(task: RecoveryTask): Promise<RecoveryOutcome>
}

/** Options of `ResumeExecutor`. */
export interface ResumeExecutorOptions {
  store: CheckpointStore
  jobs: JobRegistry
  /** Lease time-to-live of resumed drivers, unless the job sets `leaseTtlMs`. Default: core's (30,000 ms). */
  leaseTtlMs?: number
}

/**
 * The default executor: loads the head, resolves its `job` through the registry and calls
 * core's `resumeSession(store, id, { ...job, owner })`, which takes the lease (fencing token
 * + 1; `AlreadyRunningError` while another owner's lease is live), reads the session again and
 * drives it. The driver writes through a `FencedStore`, so an abandoned attempt is fenced off
 * and its lease released.
 */
export class ResumeExecutor implements RecoveryExecutor {
  constructor(private readonly options: ResumeExecutorOptions) {}

  async recover(task: RecoveryTask): Promise<RecoveryOutcome> {
    const { store, jobs } = this.options
    const { sessionId, signal } = task
    const fence = new FencedStore(store, sessionId)
    const abandoned = new Promise<never>((_, reject) => {
      const onAbort = (): void => {
        const reason = signal.reason instanceof Error ? signal.reason.message : 'abandoned'
        void fence.revoke(reason).then(() => reject(signal.reason))
      }
      if (signal.aborted) onAbort()
      else signal.addEventListener('abort', onAbort, { once: true })
    })
    abandoned.catch(() => undefined)
    const race = <T>(p: Promise<T>): Promise<T> => Promise.race([p, abandoned])

    const head = await race(fence.load(sessionId))
    if (head.status !== 'running') return { kind: 'skipped', reason: isTerminal(head.status) ? 'already-terminal' : 'not-running' }
    // Checked again, atomically, when `resumeSession` takes the lease; this saves resolving the job.
    if (head.lease && head.lease.owner !== task.owner && head.lease.expiresAt > Date.now())
      return { kind: 'skipped', reason: 'already-running' }
    const { rebuild: _hints, ...options } = await race(resolveJob(jobs, sessionId, head.job, { sessionId, attempt: task.attempt, head }))
    const leaseTtlMs = options.leaseTtlMs ?? this.options.leaseTtlMs
    // Takes the lease (fencing token + 1), then reads the session again and drives it.
    const handle = await race(
      resumeSession(fence, sessionId, { ...options, owner: task.owner, ...(leaseTtlMs !== undefined ? { leaseTtlMs } : {}) }),
    )
    task.started(head.job !== undefined ? { job: head.job } : {})
    void (async () => {
      for await (const event of handle.events()) if (event.type === 'checkpoint') task.progress()
    })().catch(() => undefined)
    const result = await race(handle.wait())
    return { kind: 'recovered', result }
  }
}
