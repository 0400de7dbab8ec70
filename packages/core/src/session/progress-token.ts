/** Trial claims per session lease a progress token can tell apart (2^21). */
const CLAIMS_PER_LEASE = 2 ** 21

/** The claim part of the token of a trial the driver evaluates itself: above every claim of its lease. */
const DRIVER_CLAIM = CLAIMS_PER_LEASE - 1

/**
 * The token a trial's progress is saved with (`saveTrialProgress`): `leaseToken · 2^21 +
 * claimToken`, where `leaseToken` is the session lease's fencing token (the driver's own, or the
 * one a shared worker read in the head it claimed the trial from) and `claimToken` the trial
 * claim's token — for a trial the driver evaluates itself, 2^21 − 1, above every claim made under
 * its lease (a coordinator that evaluates a trial a worker already ran does not lose to that
 * worker's saves). Lease tokens only grow, and claim tokens grow within a lease, so a trial saved
 * in one mode and resumed in the other (a local session resumed shared, a worker's trial taken
 * back by a replacement coordinator) never sees its token go backwards, while a writer that lost
 * its lease or its claim saves with a lower token than its successor and is refused.
 */
export function progressToken(leaseToken: number, claimToken: number = DRIVER_CLAIM): number {
  return leaseToken * CLAIMS_PER_LEASE + Math.min(claimToken, DRIVER_CLAIM)
}
