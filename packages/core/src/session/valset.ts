import type { CheckpointHead } from '../checkpoint/types.js'
import { InvalidInputError } from '../errors.js'
import { resumeMismatch } from '../util/resume-mismatch.js'
import { DEFAULT_TRAINSET_HASH_PREFIX, defaultTrainsetHash } from './trainset-hash.js'

/** What identifies a session's valset: the examples, or a caller-supplied hash of them. */
export interface ValsetInput {
  valset?: readonly unknown[]
  valsetHash?: string
}

/** The valset hash a session records: the caller's `valsetHash`, else the default hash of `valset` (the trainset's scheme). */
export function valsetHashOf(opts: ValsetInput): string | undefined {
  return opts.valsetHash ?? (opts.valset ? defaultTrainsetHash(opts.valset) : undefined)
}

/**
 * The valset half of the resume gate: a session started with a valset resumes only with the
 * same one (`ResumeMismatchError`, reason `valset-hash`), and one started without a valset
 * resumes only without one, since the optimizer would otherwise score candidates on other
 * examples than the trials already recorded. A caller-supplied hash cannot be recomputed from
 * the examples, so it must be given again (`InvalidInputError` naming `valsetHash`).
 */
export function verifyValset(head: CheckpointHead, opts: ValsetInput): void {
  const stored = head.valsetHash
  if (opts.valsetHash === undefined && opts.valset && stored !== undefined && !stored.startsWith(DEFAULT_TRAINSET_HASH_PREFIX))
    throw new InvalidInputError(
      `session "${head.sessionId}" was started with a caller-supplied valsetHash (${stored}); pass the same valsetHash when resuming so the valset can be verified`,
      'valsetHash',
    )
  const given = valsetHashOf(opts)
  if (stored === given) return
  if (stored === undefined)
    throw resumeMismatch('valset-hash', null, given, 'the session was started without a valset; resume it without one')
  if (given === undefined)
    throw resumeMismatch('valset-hash', stored, null, 'the session was started with a valset; resume it with the same valset')
  throw resumeMismatch('valset-hash', stored, given, 'resume with the valset the session was started with')
}
