import type { CheckpointHead } from '../checkpoint/types.js'
import { InvalidInputError } from '../errors.js'
import type { Json } from '../json.js'
import { checkSpecificationVersion } from '../session/specification.js'
import { canonicalJson } from '../util/canonical-json.js'
import { resumeMismatch } from '../util/resume-mismatch.js'
import type { Pruner, PrunerInfo } from './contract.js'

/** Throws `InvalidInputError` naming the first malformed field of a pruner (`undefined` passes: no pruner). */
export function checkPruner(pruner: Pruner | undefined): void {
  if (pruner === undefined) return
  checkSpecificationVersion(pruner, 'pruner')
  if (typeof pruner.id !== 'string' || pruner.id.length === 0) throw new InvalidInputError('must have a non-empty string id', 'pruner.id')
  if (!Number.isSafeInteger(pruner.stateVersion) || pruner.stateVersion < 0)
    throw new InvalidInputError('must be a non-negative integer', 'pruner.stateVersion')
  if (typeof pruner.shouldPrune !== 'function') throw new InvalidInputError('must be a function (ctx) => boolean', 'pruner.shouldPrune')
  if (pruner.options !== undefined) {
    try {
      canonicalJson(pruner.options)
    } catch (err) {
      throw new InvalidInputError(`must be JSON (${(err as Error).message})`, 'pruner.options')
    }
  }
}

/** What the head records about `pruner`. */
export function prunerInfo(pruner: Pruner): PrunerInfo {
  const info: PrunerInfo = { id: pruner.id, stateVersion: pruner.stateVersion }
  if (pruner.options !== undefined) info.options = JSON.parse(canonicalJson(pruner.options)) as Json
  return info
}

/**
 * Throws `ResumeMismatchError` (reason `pruner`, naming the differences) unless `pruner` is the
 * one `head` records, or both are absent. `who` names the caller in the hint.
 */
export function verifyPruner(head: CheckpointHead, pruner: Pruner | undefined, who = 'resume'): void {
  const stored = head.pruner ?? null
  const given = pruner === undefined ? null : prunerInfo(pruner)
  if (canonicalJson(stored) === canonicalJson(given)) return
  const hint =
    stored === null
      ? `session "${head.sessionId}" was started without a pruner: ${who} without one`
      : `${who} with the pruner session "${head.sessionId}" was started with (${stored.id}, stateVersion ${stored.stateVersion}, the same options)`
  throw resumeMismatch('pruner', stored, given, hint)
}
