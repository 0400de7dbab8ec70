import { InvalidInputError } from '../errors.js'
import { describeValue } from '../input/options-schema.js'
import { MAX_TRIAL_PROGRESS_BYTES } from './contract.js'
import { checkFencingToken } from './input-checks.js'
import { assertSessionId } from './session-id.js'
import { checkTrialIdx } from './slot-input-checks.js'

/**
 * `saveTrialProgress`' arguments: a valid session id, a trial index, a token (a positive
 * integer) and a `Uint8Array` of at most `MAX_TRIAL_PROGRESS_BYTES`.
 */
export function checkSaveTrialProgress(sessionId: unknown, trialIdx: unknown, token: unknown, bytes: unknown): asserts bytes is Uint8Array {
  checkTrialProgressArgs(sessionId, trialIdx)
  checkFencingToken(token, 'token')
  if (!(bytes instanceof Uint8Array)) throw new InvalidInputError(`must be a Uint8Array, got ${describeValue(bytes)}`, 'bytes')
  if (bytes.length > MAX_TRIAL_PROGRESS_BYTES)
    throw new InvalidInputError(
      `is ${bytes.length} bytes, more than the ${MAX_TRIAL_PROGRESS_BYTES} (MAX_TRIAL_PROGRESS_BYTES) a store accepts`,
      'bytes',
    )
}

/** `loadTrialProgress` and `deleteTrialProgress`' arguments: a valid session id and a trial index. */
export function checkTrialProgressArgs(sessionId: unknown, trialIdx: unknown): asserts trialIdx is number {
  assertSessionId(sessionId)
  checkTrialIdx(trialIdx)
}
