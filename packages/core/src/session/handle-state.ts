import type { CheckpointHead } from '../checkpoint/types.js'
import { TimeoutError } from '../errors.js'
import { paretoTrials } from './pareto-result.js'
import type { SessionResult, SessionSnapshot, WaitOptions } from './types.js'
import type { TrialView } from '../optimizer/contract.js'

/** `SessionHandle.poll()`'s answer for a head and a count of trials in flight. */
export function snapshotOf(head: CheckpointHead, inFlight: number): SessionSnapshot {
  const snap: SessionSnapshot = {
    sessionId: head.sessionId,
    status: head.status,
    progress: { ...head.progress },
    revision: head.revision,
    inFlight,
  }
  if (head.terminalReason !== undefined) snap.terminalReason = head.terminalReason
  if (head.bestArtifact !== undefined) snap.bestArtifact = head.bestArtifact
  return snap
}

/** `SessionHandle.wait()`'s answer for a head; the Pareto front (several objectives) from `history`. */
export function resultOf(head: CheckpointHead, history: readonly TrialView[]): SessionResult {
  const r: SessionResult = {
    sessionId: head.sessionId,
    status: head.status,
    bestScore: head.progress.bestScore,
    bestTrialIdx: head.progress.bestTrialIdx,
    progress: { ...head.progress },
    revision: head.revision,
  }
  if (head.terminalReason !== undefined) r.terminalReason = head.terminalReason
  if (head.bestArtifact !== undefined) r.bestArtifact = head.bestArtifact
  if (head.directions) r.paretoFront = paretoTrials(history, head.directions)
  return r
}

interface Waiter {
  resolve(r: SessionResult): void
  reject(e: unknown): void
}

/**
 * The callers of a handle's `wait()`: each is settled once (by `resolveAll`/`rejectAll`, its
 * timeout or its signal) and then forgotten, so an abandoned wait leaves nothing behind.
 */
export class Waiters {
  private readonly set = new Set<Waiter>()

  constructor(private readonly sessionId: string) {}

  /** Waiters currently registered. */
  get size(): number {
    return this.set.size
  }

  /** A promise settled by the next `resolveAll`/`rejectAll`, or by `options`' timeout or signal. Options are checked by the caller. */
  wait(options: WaitOptions): Promise<SessionResult> {
    return new Promise<SessionResult>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined
      const waiter: Waiter = {
        resolve: (r) => (cleanup(), resolve(r)),
        reject: (e) => (cleanup(), reject(e)),
      }
      const onAbort = (): void => waiter.reject(options.signal?.reason ?? new Error('wait aborted'))
      const cleanup = (): void => {
        this.set.delete(waiter)
        if (timer) clearTimeout(timer)
        options.signal?.removeEventListener('abort', onAbort)
      }
      if (options.signal?.aborted) return onAbort()
      this.set.add(waiter)
      options.signal?.addEventListener('abort', onAbort, { once: true })
      const ms = options.timeoutMs
      if (ms !== undefined) timer = setTimeout(() => waiter.reject(new TimeoutError(`waiting for session "${this.sessionId}"`, ms)), ms)
    })
  }

  resolveAll(result: SessionResult): void {
    for (const w of [...this.set]) w.resolve(result)
  }

  rejectAll(err: unknown): void {
    for (const w of [...this.set]) w.reject(err)
  }
}
