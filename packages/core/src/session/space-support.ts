import { InvalidInputError } from '../errors.js'
import type { Optimizer } from '../optimizer/contract.js'
import { isChoice } from '../space/choice.js'
import type { SearchSpace } from '../space/space.js'

/**
 * Throws `InvalidInputError` (field `space`) when `space` is conditional (has a `choice`) and
 * the optimizer does not declare `capabilities.conditionalSpace`: it would propose candidates
 * for a flat space.
 */
export function checkSpaceSupport(optimizer: Optimizer, space: SearchSpace | undefined): void {
  if (space === undefined || optimizer.capabilities?.conditionalSpace === true) return
  const first = Object.entries(space.params).find(([, p]) => isChoice(p))
  if (first === undefined) return
  throw new InvalidInputError(
    `optimizer ${optimizer.id} needs a flat space (it does not declare capabilities.conditionalSpace), and this space has a choice (${first[0]}); ` +
      'use an optimizer that handles conditional spaces (randomSearch, gridSearch, tpe) or flatten the space',
    'space',
  )
}
