import type { CheckpointHead } from '../checkpoint/types.js'
import type { Optimizer } from '../optimizer/contract.js'
import { canonicalJson } from '../util/canonical-json.js'
import { resumeMismatch } from '../util/resume-mismatch.js'

/**
 * Refuses an optimizer other than the session's (`ResumeMismatchError`: id, state version or
 * options differ); a resume and every ask/tell call check it.
 */
export function verifyOptimizer(head: CheckpointHead, optimizer: Optimizer<unknown>): void {
  if (head.optimizer.id !== optimizer.id) throw resumeMismatch('optimizer-id', head.optimizer.id, optimizer.id)
  if (head.optimizer.stateVersion !== optimizer.stateVersion)
    throw resumeMismatch('state-version', head.optimizer.stateVersion, optimizer.stateVersion)
  if (canonicalJson(head.optimizerOptions ?? null) !== canonicalJson(optimizer.options ?? null))
    throw resumeMismatch(
      'optimizer-options',
      head.optimizerOptions,
      optimizer.options ?? null,
      'resume with the options the session was started with',
    )
}
