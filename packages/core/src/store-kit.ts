/**
 * `@cairn/core/store-kit`: what a store author needs beyond the contracts — the checkpoint
 * codec and record envelope, listing helpers, the warm-start entry codec and ranking, and the
 * shared input checks (every store calls them first thing in each method, so all stores refuse
 * the same malformed input the same way; `@cairn/testkit`'s suites hold them to it).
 * Applications and optimizer authors never need this door.
 *
 * @packageDocumentation
 */
export { encodeHead, decodeHead, encodeTrial, decodeTrial, headToListing } from './checkpoint/codec.js'
export { seal, open as openEnvelope, MAGIC } from './checkpoint/envelope.js'
export type { RecordKind } from './checkpoint/envelope.js'
export { matchesFilter, pageListings, checkPaging } from './store/list-filter.js'
export { corruptListing } from './store/corrupt-listing.js'
export { assertSessionId, newSessionId } from './store/session-id.js'
export { rankWarmStartEntries, latestWarmStartEntry, selectEvictions } from './store/warm-start-contract.js'
export { encodeWarmStartEntry, decodeWarmStartEntry } from './store/warm-start-codec.js'
export { newWarmStartEntry } from './store/warm-start-input.js'
export {
  checkOwner,
  checkLeaseTtl,
  checkFencingToken,
  checkRevision,
  checkLease,
  checkControlRequest,
  checkNewHead,
  checkCommitRequest,
  checkListFilter,
  checkReadTrialsOptions,
  checkReplaceDamagedHeadRequest,
  checkWarmStartId,
  checkLookup,
  checkEvictOptions,
  MAX_OWNER_LENGTH,
  MAX_WARM_START_ID_LENGTH,
} from './store/input-checks.js'
export {
  checkTrialIdx,
  checkClaimTrialRequest,
  checkTrialClaim,
  checkRenewTrialClaim,
  checkTrialResultReport,
  checkReportAndClaim,
  checkReadTrialSlots,
  checkEvaluation,
  MAX_TRIAL_SLOTS_READ,
} from './store/slot-input-checks.js'
export { checkSaveTrialProgress, checkTrialProgressArgs } from './store/progress-input-checks.js'
