import type { PendingTrial } from '../../checkpoint/types.js'
import { isCairnError } from '../../errors.js'
import type { ReportedTrialResult } from '../../store/contract.js'
import { channels, publish } from '../../telemetry/channels.js'
import type { SharedEnv } from './env.js'
import type { SharedStore } from './store-support.js'

/** Store failures the coordinator does not wait out. */
const FINAL = ['NOT_FOUND', 'CHECKPOINT_CORRUPT', 'INVALID_INPUT'] as const

/** What the board waits with. */
export interface ResultBoardOptions {
  store: SharedStore
  sessionId: string
  pollIntervalMs: number
  /**
   * After this long without a result, `next` calls `idle` (the driver commits its head unchanged,
   * which is how it learns of a pause or cancel requested by another process).
   */
  idleMs: number
  env: SharedEnv
}

/**
 * The coordinator's view of the results workers reported for its pending trials: one
 * `readTrialSlots` call for every pending trial each poll, results kept until their trial is
 * committed. A result reported in this process (`accept`) is seen at once, without a poll.
 */
export class ResultBoard {
  /** Pending trials with a live claim and no result, at the last read. */
  inFlight = 0
  private readonly results = new Map<number, ReportedTrialResult>()
  private woken = false
  private wakeUp: (() => void) | null = null

  constructor(private readonly options: ResultBoardOptions) {}

  /** A result reported in this process. */
  accept(trialIdx: number, result: ReportedTrialResult): void {
    this.results.set(trialIdx, result)
    this.wake()
  }

  /** Ends a wait between polls now (a result arrived, a pause or cancel, a lost lease). */
  wake(): void {
    this.woken = true
    this.wakeUp?.()
  }

  /** True when the result of `trialIdx` is known. */
  has(trialIdx: number): boolean {
    return this.results.has(trialIdx)
  }

  /**
   * The result reported for `pending[0]`, waiting for it. Once `interrupted()` is true it reads
   * the slots one last time (so every result already reported is committed) and returns null
   * when that trial still has none.
   */
  async next(pending: readonly PendingTrial[], interrupted: () => boolean, idle: () => Promise<void>): Promise<ReportedTrialResult | null> {
    const trialIdx = (pending[0] as PendingTrial).trialIdx
    let lastRead = false
    let waitingSince = performance.now()
    for (;;) {
      const found = this.results.get(trialIdx)
      if (found) {
        this.results.delete(trialIdx)
        return found
      }
      if (lastRead) return null
      lastRead = interrupted()
      await this.read(pending)
      if (this.results.has(trialIdx) || lastRead || interrupted()) continue
      if (performance.now() - waitingSince >= this.options.idleMs) {
        await idle()
        waitingSince = performance.now()
        continue
      }
      await this.sleep()
    }
  }

  /** Reads the slots of the pending trials whose results are not known yet. */
  private async read(pending: readonly PendingTrial[]): Promise<void> {
    const { store, sessionId, env } = this.options
    const wanted: number[] = []
    for (const p of pending) if (!this.results.has(p.trialIdx)) wanted.push(p.trialIdx)
    if (wanted.length === 0) return
    let slots
    try {
      slots = await store.readTrialSlots(sessionId, wanted)
    } catch (err) {
      if (FINAL.some((code) => isCairnError(err, code))) throw err
      publish(channels.sessionException, { sessionId, error: err })
      return
    }
    const now = env.now()
    let inFlight = 0
    for (const slot of slots) {
      if (slot.result) this.results.set(slot.trialIdx, slot.result)
      else if (slot.claim && slot.claim.expiresAt > now) inFlight++
    }
    this.inFlight = inFlight
  }

  private sleep(): Promise<void> {
    if (this.woken) {
      this.woken = false
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        this.wakeUp = null
        this.woken = false
        resolve()
      }
      const timer = setTimeout(done, this.options.pollIntervalMs)
      this.wakeUp = done
    })
  }
}
