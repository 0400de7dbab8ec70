/** Trial claims per session lease a progress token can tell apart (2^21). */
const CLAIMS_PER_LEASE = 2 ** 21

/**
 * The token a trial's progress is saved with (`saveTrialProgress`): `leaseToken · 2^21 +
 * claimToken`, where `leaseToken` is the session lease's fencing token (the driver's own, or the
 * one a shared worker read in the head it claimed the trial from) and `claimToken` the trial
 * claim's token, 0 when the driver evaluates the trial itself. Lease tokens only grow, and claim
 * tokens grow within a lease, so a trial saved in one mode and resumed in the other (a local
 * session resumed shared, a worker's trial taken back by a replacement coordinator) never sees
 * its token go backwards, while a writer that lost its lease or its claim saves with a lower
 * token than its successor and is refused.
 */
export function progressToken(leaseToken: number, claimToken = 0): number {
  return leaseToken * CLAIMS_PER_LEASE + Math.min(claimToken, CLAIMS_PER_LEASE - 1)
}
