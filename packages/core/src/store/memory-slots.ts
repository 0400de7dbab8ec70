import { ClaimLostError, TrialClaimedError } from '../errors.js'
import type { ClaimNextRequest, ClaimTrialRequest, ReportedTrialResult, TrialClaim, TrialResultReport, TrialSlot } from './contract.js'

interface Slot {
  claim: TrialClaim | null
  result: ReportedTrialResult | null
}

/**
 * The trial slots of one session in the memory store: the claim and result of each pending
 * trial, by index. Values are copied in and out, so no caller holds the stored objects. Trials
 * the head accounts for are refused and their slots dropped (`dropBelow`), so the slots of a
 * session never outnumber its pending trials by much.
 */
export class TrialSlots {
  private readonly slots = new Map<number, Slot>()
  /** Trials below this index are committed (the head's `progress.attempts` when last seen). */
  private committed = 0

  constructor(private readonly sessionId: string) {}

  /** Forgets the slots of trials the head accounts for. */
  dropBelow(attempts: number): void {
    if (attempts <= this.committed) return
    this.committed = attempts
    for (const idx of this.slots.keys()) if (idx < attempts) this.slots.delete(idx)
  }

  claim(request: ClaimTrialRequest, now: number): TrialClaim {
    const { trialIdx } = request
    if (trialIdx < this.committed) throw new TrialClaimedError(this.sessionId, trialIdx, { reported: true })
    const slot = this.slots.get(trialIdx)
    if (slot?.result) throw new TrialClaimedError(this.sessionId, trialIdx, { reported: true })
    if (slot?.claim && slot.claim.expiresAt > now) throw new TrialClaimedError(this.sessionId, trialIdx, { owner: slot.claim.owner })
    const claim: TrialClaim = { trialIdx, owner: request.owner, token: (slot?.claim?.token ?? 0) + 1, expiresAt: now + request.ttlMs }
    this.slots.set(trialIdx, { claim, result: null })
    return { ...claim }
  }

  /** Claims the first of `next.trialIdxs` that can be claimed; null when none can. */
  claimFirst(next: ClaimNextRequest, now: number): TrialClaim | null {
    for (const trialIdx of next.trialIdxs) {
      const slot = this.slots.get(trialIdx)
      if (trialIdx < this.committed || slot?.result || (slot?.claim && slot.claim.expiresAt > now)) continue
      return this.claim({ trialIdx, owner: next.owner, ttlMs: next.ttlMs }, now)
    }
    return null
  }

  renew(claim: TrialClaim, ttlMs: number, now: number): TrialClaim {
    const slot = this.holding(claim, now)
    slot.claim = { ...(slot.claim as TrialClaim), expiresAt: now + ttlMs }
    return { ...slot.claim }
  }

  report(claim: TrialClaim, report: TrialResultReport, now: number): void {
    const slot = this.holding(claim, now)
    slot.result = {
      candidate: structuredClone(report.candidate),
      evaluation: structuredClone(report.evaluation),
      owner: claim.owner,
      claimToken: claim.token,
      reportedAt: now,
    }
  }

  read(trialIdx: number): TrialSlot {
    const slot = trialIdx < this.committed ? undefined : this.slots.get(trialIdx)
    return {
      trialIdx,
      claim: slot?.claim ? { ...slot.claim } : null,
      result: slot?.result ? structuredClone(slot.result) : null,
    }
  }

  /** The slot `claim` still holds: its current, live claim with no result yet; else `ClaimLostError`. */
  private holding(claim: TrialClaim, now: number): Slot {
    const { trialIdx } = claim
    const lost = (why: string): ClaimLostError => new ClaimLostError(this.sessionId, trialIdx, why)
    if (trialIdx < this.committed) throw lost('the trial is already committed')
    const slot = this.slots.get(trialIdx)
    const held = slot?.claim
    if (!slot || !held) throw lost('the trial was never claimed')
    if (held.token !== claim.token || held.owner !== claim.owner)
      throw lost(`it was claimed again by ${held.owner} (token ${held.token}, this claim's is ${claim.token})`)
    if (slot.result) throw lost('a result is already reported')
    if (held.expiresAt <= now) throw lost(`it lapsed at ${held.expiresAt} (now ${now})`)
    return slot
  }
}
