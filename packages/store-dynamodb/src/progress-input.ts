import { InvalidInputError, MAX_TRIAL_PROGRESS_BYTES, describeValue } from '@cairn/core'
import { assertSessionId, checkFencingToken, checkTrialIdx } from '@cairn/core/store-kit'

/**
 * The input checks of the trial-progress methods: each throws `InvalidInputError` naming the
 * field before the store reads or writes anything. (`@cairn/core/store-kit` has no shared check
 * for them yet; every store of this repository applies the same rules.)
 */

/** `saveTrialProgress`' arguments: a session id, a trial index, a token ≥ 1 and at most `MAX_TRIAL_PROGRESS_BYTES` bytes. */
export function checkSaveTrialProgress(sessionId: unknown, trialIdx: unknown, token: unknown, bytes: unknown): asserts bytes is Uint8Array {
  assertSessionId(sessionId)
  checkTrialIdx(trialIdx)
  checkFencingToken(token, 'token')
  if (!(bytes instanceof Uint8Array)) throw new InvalidInputError(`must be a Uint8Array, got ${describeValue(bytes)}`, 'bytes')
  if (bytes.byteLength > MAX_TRIAL_PROGRESS_BYTES)
    throw new InvalidInputError(
      `must be at most ${MAX_TRIAL_PROGRESS_BYTES} bytes (MAX_TRIAL_PROGRESS_BYTES), got ${bytes.byteLength}`,
      'bytes',
    )
}

/** `loadTrialProgress` / `deleteTrialProgress` arguments: a session id and a trial index. */
export function checkTrialProgressTarget(sessionId: unknown, trialIdx: unknown): asserts trialIdx is number {
  assertSessionId(sessionId)
  checkTrialIdx(trialIdx)
}
