/**
 * What only store authors need from core. The shared input checks: every store calls them
 * first thing in each method, so all stores refuse the same malformed input the same way
 * (`@cairn/testkit`'s suites hold them to it).
 */
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
  checkWarmStartId,
  checkLookup,
  checkEvictOptions,
  MAX_OWNER_LENGTH,
  MAX_WARM_START_ID_LENGTH,
} from './store/input-checks.js'
export { assertSessionId } from './store/session-id.js'
