import { mkdirSync, readFileSync } from 'node:fs'
import { CheckpointCorruptError, ClaimLostError, TrialClaimedError } from '@cairn/core'
import {
  checkClaimTrialRequest,
  checkReadTrialSlots,
  checkRenewTrialClaim,
  checkReportAndClaim,
  checkTrialResultReport,
} from '@cairn/core/store-kit'
import type { ClaimNextRequest, ClaimTrialRequest, ReportedTrialResult, TrialClaim, TrialResultReport, TrialSlot } from '@cairn/core'
import { errorCode, isMissing, replaceFilesUnflushed } from './io.js'
import { PKG, type Layout } from './layout.js'
import { withLock, type LockContext, type LockOptions } from './lock.js'
import { decodeSlotFile, encodeSlotFile } from './slot-file.js'

/** How long a slot write waiting for its slot's lock sleeps at most before it looks again. */
const SLOT_LOCK_MAX_RETRY_DELAY_MS = 4

/** What the trial slots need from the store they belong to. */
export interface FsTrialSlotsOptions {
  layout: Layout
  lock: Pick<LockOptions, 'staleMs' | 'timeoutMs'>
  assertOpen(): void
  /** Throws `NotFoundError` before any lock is taken when the store holds no sessions at all. */
  assertStoreExists(id: string): void
  /** Throws `NotFoundError` unless the session exists. */
  mustExist(id: string): void
  /** The error for a session that does not exist. */
  missing(id: string): Error
  /** A test hook to await just before a slot file is written (see testing.ts), if one is set. */
  beforeWrite(): Promise<void> | undefined
  /** How many trials the session's head accounts for (read without its lock); `NotFoundError` when it does not exist. */
  committedTrials(id: string): Promise<number>
}

/**
 * The trial slots of shared sessions ("many workers, one session"): one small file per slot,
 * `sessions/<id>/slots/<trialIdx>` (see slot-file.ts), replaced atomically under that slot's own
 * lock (`locks/u-<trialIdx>-<id>.lock`: workers writing different slots never wait for one
 * another, nor for the coordinator's commits, which take the session's lock, nor it for them).
 * Every claim, renewal and report is a read, a check and an atomic replace inside the slot's
 * lock, so it is a conditional write across every process on the machine; a process killed in
 * it leaves the old file or the new one, and one stalled in it (stopped, say) is fenced off by
 * the lock: once broken, its rename fails.
 * Reads take no lock. A slot of a trial the head accounts for is refused to claims and reports
 * (the commit that accounts for it drops its file).
 *
 * Slot files are never flushed (no fsync): a write holds the lock for microseconds, so the
 * workers reporting at once hardly queue. A SIGKILL loses nothing (the page cache outlives the
 * process). A power cut or kernel crash may lose the slot writes of its last seconds, or leave a
 * slot file empty or damaged, which reads as a slot never claimed: every process of the machine
 * died with it, so no claim of it is live, and a result it loses belongs to a trial the head does
 * not account for yet (the commit of a trial is flushed, and carries its result), which runs
 * again, as when its worker dies. Nothing committed is lost, nothing is committed twice.
 */
export class FsTrialSlots {
  constructor(private readonly o: FsTrialSlotsOptions) {}

  async claim(id: string, request: ClaimTrialRequest): Promise<TrialClaim> {
    this.o.assertOpen()
    checkClaimTrialRequest(id, request)
    const { trialIdx, owner, ttlMs } = request
    this.o.assertStoreExists(id)
    return this.slotLocked(id, trialIdx, async (ctx) => {
      // The slot first, then the head: a commit drops the file of a trial only after it accounts
      // for it, so a file found missing here is seen committed below if it was dropped.
      const slot = this.read(id, trialIdx)
      if (slot.result || trialIdx < (await this.o.committedTrials(id))) throw new TrialClaimedError(id, trialIdx, { reported: true })
      const now = Date.now()
      if (slot.claim && slot.claim.expiresAt > now) throw new TrialClaimedError(id, trialIdx, { owner: slot.claim.owner })
      const claim: TrialClaim = { trialIdx, owner, token: (slot.claim?.token ?? 0) + 1, expiresAt: now + ttlMs }
      await this.write(id, [{ trialIdx, claim, result: null }], ctx)
      return { ...claim }
    })
  }

  async renew(id: string, claim: TrialClaim, ttlMs: number): Promise<TrialClaim> {
    this.o.assertOpen()
    checkRenewTrialClaim(id, claim, ttlMs)
    this.o.assertStoreExists(id)
    return this.slotLocked(id, claim.trialIdx, async (ctx) => {
      const slot = this.read(id, claim.trialIdx)
      this.o.mustExist(id)
      const held = this.current(id, slot, claim)
      const renewed = { ...held, expiresAt: Date.now() + ttlMs }
      await this.write(id, [{ ...slot, claim: renewed }], ctx)
      return { ...renewed }
    })
  }

  async report(id: string, claim: TrialClaim, report: TrialResultReport): Promise<void> {
    this.o.assertOpen()
    checkTrialResultReport(id, claim, report)
    this.o.assertStoreExists(id)
    await this.slotLocked(id, claim.trialIdx, async (ctx) => {
      const { reported } = await this.reported(id, claim, report)
      await this.write(id, [reported], ctx)
    })
  }

  /**
   * The report, under the lock of its slot; then the claim of the first claimable trial of
   * `next`, each under the lock of its own slot. Not one atomic step (the contract does not ask
   * it to be): a crash in between leaves the report without the claim.
   */
  async reportAndClaim(id: string, claim: TrialClaim, report: TrialResultReport, next: ClaimNextRequest): Promise<TrialClaim | null> {
    this.o.assertOpen()
    checkReportAndClaim(id, claim, report, next)
    this.o.assertStoreExists(id)
    const committed = await this.slotLocked(id, claim.trialIdx, async (ctx) => {
      const { reported, committed } = await this.reported(id, claim, report)
      await this.write(id, [reported], ctx)
      return committed
    })
    for (const trialIdx of next.trialIdxs) {
      // The head read under the report's lock: a trial committed since then has no slot file any
      // more (its commit dropped it), so it reads unclaimed and may be claimed here, as it may by
      // `claimTrial` racing a commit; the worker drops such a claim once the head says so.
      if (trialIdx < committed || trialIdx === claim.trialIdx) continue
      // Looked at without its lock first: the candidates list every pending trial, most of them
      // claimed by other workers, whose own reports look at the same slots at the same moments.
      // A slot read claimed or reported is passed over as it would be under the lock (slot
      // files are replaced whole); only one that looks claimable is locked and looked at again.
      if (!claimable(this.read(id, trialIdx), Date.now())) continue
      let taken: TrialClaim | null
      try {
        taken = await this.slotLocked(id, trialIdx, async (ctx) => {
          const slot = this.read(id, trialIdx)
          const now = Date.now()
          if (!claimable(slot, now)) return null
          const mine: TrialClaim = { trialIdx, owner: next.owner, token: (slot.claim?.token ?? 0) + 1, expiresAt: now + next.ttlMs }
          await this.write(id, [{ trialIdx, claim: mine, result: null }], ctx)
          return mine
        })
      } catch (err) {
        // The report is stored: a claim that fails (this process stalled inside it and was fenced
        // off) claims nothing the worker knows of. Should its write have landed, it lapses.
        if (err instanceof ClaimLostError) return null
        throw err
      }
      if (taken) return { ...taken }
    }
    return null
  }

  /**
   * The slot of `claim`'s trial with `report` stored, checked as a report (under its slot's lock),
   * and how many trials the head accounts for; `ClaimLostError` when refused.
   */
  private async reported(id: string, claim: TrialClaim, report: TrialResultReport): Promise<{ reported: TrialSlot; committed: number }> {
    const slot = this.read(id, claim.trialIdx)
    const committed = await this.o.committedTrials(id)
    const held = this.current(id, slot, claim)
    if (claim.trialIdx < committed) throw new ClaimLostError(id, claim.trialIdx, 'the session has already committed that trial')
    const result: ReportedTrialResult = {
      candidate: report.candidate,
      evaluation: report.evaluation,
      owner: held.owner,
      claimToken: held.token,
      reportedAt: Date.now(),
    }
    return { reported: { trialIdx: claim.trialIdx, claim: held, result }, committed }
  }

  async readSlots(id: string, trialIdxs: readonly number[]): Promise<TrialSlot[]> {
    this.o.assertOpen()
    checkReadTrialSlots(id, trialIdxs)
    this.o.assertStoreExists(id)
    this.o.mustExist(id)
    return trialIdxs.map((i) => this.read(id, i))
  }

  /** The claim `claim` names, when it is the slot's current, live claim and no result is stored; else `ClaimLostError`. */
  private current(id: string, slot: TrialSlot, claim: TrialClaim): TrialClaim {
    const held = slot.claim
    const lost = (why: string) => new ClaimLostError(id, claim.trialIdx, why)
    if (!held) throw lost(`the trial has no claim (token ${claim.token} is not current)`)
    if (held.token !== claim.token || held.owner !== claim.owner)
      throw lost(`token ${claim.token} of ${claim.owner} was superseded by token ${held.token} of ${held.owner}`)
    if (slot.result) throw lost('its result is already reported')
    if (held.expiresAt <= Date.now()) throw lost(`it lapsed at ${new Date(held.expiresAt).toISOString()}`)
    return held
  }

  private read(id: string, trialIdx: number): TrialSlot {
    const path = this.o.layout.slot(id, trialIdx)
    let bytes: Uint8Array
    try {
      bytes = readFileSync(path)
    } catch (err) {
      if (isMissing(err)) return { trialIdx, claim: null, result: null }
      throw err
    }
    try {
      return decodeSlotFile(bytes, trialIdx, `${PKG} trial slot ${trialIdx} of session "${id}" (${path})`)
    } catch (err) {
      // Left empty or damaged by a power cut (slot files are not flushed: see the class's comment),
      // or damaged from below: a slot never claimed, whose trial runs again. A claim it held fails
      // its next renewal or report (its token and owner are no longer the slot's).
      if (err instanceof CheckpointCorruptError) return { trialIdx, claim: null, result: null }
      throw err
    }
  }

  /** Replaces the files of `slots`, in order (no flush: see the class's comment). */
  private async write(id: string, slots: readonly TrialSlot[], ctx: LockContext): Promise<void> {
    await this.o.beforeWrite()
    const l = this.o.layout
    // Never its parents: a session deleted meanwhile must not get its directory back.
    try {
      mkdirSync(l.slotsDir(id))
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') throw isMissing(err) ? this.o.missing(id) : err
    }
    const files = slots.map((slot) => ({ path: l.slot(id, slot.trialIdx), bytes: encodeSlotFile(slot) }))
    await replaceFilesUnflushed(files, ctx.staging)
  }

  /**
   * Runs `fn` under the lock of the slot of trial `trialIdx` (one lock per slot: the workers
   * reporting different trials never wait for one another). A process stalled inside it for over
   * `staleMs` is fenced off, and `fn` then fails with `ClaimLostError`.
   */
  private slotLocked<T>(id: string, trialIdx: number, fn: (ctx: LockContext) => Promise<T>): Promise<T> {
    return withLock(
      this.o.layout.slotLock(id, trialIdx),
      {
        ...this.o.lock,
        what: `trial slot ${trialIdx} of session "${id}"`,
        // A worker stopped inside a slot write is never worth waiting for: once its lock is
        // stale it is broken, and its rename (out of its revoked directory) can no longer land.
        mayBreakLive: () => true,
        // Slot writes hold the lock for microseconds; racing claims of one slot wait for it.
        maxRetryDelayMs: SLOT_LOCK_MAX_RETRY_DELAY_MS,
        lost: this.slotLost(id, trialIdx),
      },
      fn,
    )
  }

  /** The error of a slot write to trial `trialIdx` whose lock was broken while it ran. */
  private slotLost(id: string, trialIdx: number): (cause: unknown) => Error {
    const { staleMs } = this.o.lock
    return (cause: unknown) =>
      new ClaimLostError(
        id,
        trialIdx,
        `this process stalled (stopped, or its event loop blocked) for over ${staleMs} ms inside a slot write and another process ` +
          `took the slot's lock over; the write may or may not have been applied${cause instanceof Error ? ` (${cause.message})` : ''}`,
      )
  }
}

/** Whether `slot` has no result and no claim live at `now`. */
function claimable(slot: TrialSlot, now: number): boolean {
  return !slot.result && !(slot.claim && slot.claim.expiresAt > now)
}
