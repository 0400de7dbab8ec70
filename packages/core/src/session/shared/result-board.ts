import type { PendingTrial } from '../../checkpoint/types.js'
import { isCairnError } from '../../errors.js'
import type { ReportedTrialResult } from '../../store/contract.js'
import { channels, publish } from '../../telemetry/channels.js'
import type { SharedEnv } from './env.js'
import type { SharedStore } from './store-support.js'

/** Store failures the coordinator does not wait out. */
const FINAL = ['NOT_FOUND', 'CHECKPOINT_CORRUPT', 'INVALID_INPUT'] as const
/** The poll while a result is due (see `ResultBoard`). */
const DUE_POLL_MS = 5
/** The quick polls start at most this long before a result is due … */
const DUE_EARLY_MS = 50
/** … and end at most this long after. */
const DUE_LATE_MS = 100
/** How many of the latest trial durations the board remembers. */
const DURATIONS_KEPT = 16

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
 * committed. A result reported in this process (`accept`) is seen at once, without a poll, and
 * one reported elsewhere soon after the store tells of a slot written (`wake`, from the store's
 * `watchSession` when it has one).
 *
 * The poll adapts to when results are due: the board notes when it first saw each claim and,
 * from the results, how long trials take (from first seen claimed to first seen reported); from
 * one poll interval (at most `DUE_EARLY_MS`) before a trial in flight is due (its claim seen +
 * the shortest of the latest durations) to two after (at most `DUE_LATE_MS`), it polls every
 * `DUE_POLL_MS`, otherwise every `pollIntervalMs`. So a result usually waits a few ms for the
 * coordinator, however long the trials, and the quick polls add at most 30 reads per trial.
 */
export class ResultBoard {
  /** Pending trials with a live claim and no result, at the last read. */
  inFlight = 0
  private readonly results = new Map<number, ReportedTrialResult>()
  /** When a claim (trial index → token) was first seen live, env clock. */
  private readonly claimSeen = new Map<number, { token: number; at: number }>()
  /** The latest trial durations seen, ms. */
  private readonly durations: number[] = []
  private woken = false
  private wakeUp: (() => void) | null = null

  constructor(private readonly options: ResultBoardOptions) {}

  /** A result reported in this process. */
  accept(trialIdx: number, result: ReportedTrialResult): void {
    this.results.set(trialIdx, result)
    this.wake()
  }

  /** Ends a wait between polls now (a result arrived, a slot was written, a pause or cancel, a lost lease). */
  wake(): void {
    this.woken = true
    this.wakeUp?.()
  }

  /** True when the result of `trialIdx` is known. */
  has(trialIdx: number): boolean {
    return this.results.has(trialIdx)
  }

  /** The result of `trialIdx` when it is known (then forgotten here), without waiting or reading. */
  take(trialIdx: number): ReportedTrialResult | undefined {
    const found = this.results.get(trialIdx)
    this.results.delete(trialIdx)
    return found
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
      const seen = this.claimSeen.get(slot.trialIdx)
      if (slot.result) {
        this.results.set(slot.trialIdx, slot.result)
        if (seen && seen.token === slot.result.claimToken) this.noteDuration(now - seen.at)
        this.claimSeen.delete(slot.trialIdx)
      } else if (slot.claim && slot.claim.expiresAt > now) {
        inFlight++
        if (seen?.token !== slot.claim.token) this.claimSeen.set(slot.trialIdx, { token: slot.claim.token, at: now })
      }
    }
    for (const trialIdx of this.claimSeen.keys()) if (!wanted.includes(trialIdx)) this.claimSeen.delete(trialIdx)
    this.inFlight = inFlight
  }

  private noteDuration(ms: number): void {
    this.durations.push(ms)
    if (this.durations.length > DURATIONS_KEPT) this.durations.shift()
  }

  /** How long to wait before the next read: `DUE_POLL_MS` while a result is due, else up to `pollIntervalMs`. */
  private nextPollMs(): number {
    const { pollIntervalMs, env } = this.options
    if (this.durations.length === 0 || this.claimSeen.size === 0) return pollIntervalMs
    const shortest = Math.min(...this.durations)
    const now = env.now()
    let wait = pollIntervalMs
    for (const { at } of this.claimSeen.values()) {
      const from = at + shortest - Math.min(pollIntervalMs, DUE_EARLY_MS)
      if (now > at + shortest + Math.min(2 * pollIntervalMs, DUE_LATE_MS)) continue // overdue: a long trial, polled as usual
      wait = Math.min(wait, Math.max(from - now, DUE_POLL_MS))
    }
    return Math.min(wait, pollIntervalMs)
  }

  private async sleep(): Promise<void> {
    if (this.woken) {
      this.woken = false
      return
    }
    const woken = new AbortController()
    this.wakeUp = () => woken.abort()
    await this.options.env.sleep(this.nextPollMs(), woken.signal)
    this.wakeUp = null
    this.woken = false
  }
}
