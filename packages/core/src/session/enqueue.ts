import { InvalidInputError } from '../errors.js'
import type { Json } from '../json.js'
import { assertCandidate, type SearchSpace } from '../space/space.js'
import { canonicalJson } from '../util/canonical-json.js'

/**
 * A candidate given to `enqueue`, checked: valid in the session's space (`assertCandidate`), or
 * JSON when the session has no space. Returns a copy, so later changes by the caller do not
 * reach the session. Throws `InvalidInputError` (field `candidate…`).
 */
export function checkEnqueued(candidate: unknown, space: SearchSpace | undefined): Json {
  let text: string
  try {
    text = canonicalJson(candidate)
  } catch (err) {
    throw new InvalidInputError(`must be JSON (${(err as Error).message})`, 'candidate')
  }
  if (space) assertCandidate(space, candidate)
  return JSON.parse(text) as Json
}
