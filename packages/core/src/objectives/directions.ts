import type { CheckpointHead, Direction } from '../checkpoint/types.js'
import { InvalidInputError } from '../errors.js'
import type { Optimizer } from '../optimizer/contract.js'

/** The direction of the first objective and, on multi-objective sessions (≥ 2), every direction. */
export interface SessionDirections {
  direction: Direction
  /** Set only when there are two objectives or more. */
  directions?: Direction[]
}

/**
 * The directions a new session starts with. `directions` with one entry is a single-objective
 * session; with `direction` too, both must agree on the first objective. Several objectives
 * need an objective function (a program session scores one metric). Throws `InvalidInputError`.
 */
export function resolveDirections(
  opts: { direction?: Direction; directions?: readonly Direction[]; program?: unknown },
  fallback: Direction,
): SessionDirections {
  const given = opts.directions
  if (given === undefined) return { direction: opts.direction ?? fallback }
  if (given.length === 0) throw new InvalidInputError("must name at least one direction, e.g. ['minimize', 'maximize']", 'directions')
  const first = given[0] as Direction
  if (opts.direction !== undefined && opts.direction !== first)
    throw new InvalidInputError(
      `starts with "${first}" but direction is "${opts.direction}": give directions alone, or a direction equal to its first entry`,
      'directions',
    )
  if (given.length === 1) return { direction: first }
  if (opts.program !== undefined)
    throw new InvalidInputError(
      'several objectives need an objective function returning one value per direction; a program session scores one metric',
      'directions',
    )
  return { direction: first, directions: [...given] }
}

/** Every direction of a session: `head.directions`, or the one `direction`. */
export function directionsOf(head: Pick<CheckpointHead, 'direction' | 'directions'>): Direction[] {
  return head.directions ? [...head.directions] : [head.direction]
}

/** How many values an objective of this session returns. */
export function objectiveCount(head: Pick<CheckpointHead, 'direction' | 'directions'>): number {
  return head.directions?.length ?? 1
}

/**
 * Refuses an optimizer that does not declare `capabilities.multiObjective` for a session of two
 * objectives or more (`InvalidInputError`, field `optimizer`).
 */
export function checkMultiObjective(optimizer: Optimizer<unknown>, directions: readonly Direction[] | undefined): void {
  if (directions === undefined || directions.length < 2) return
  if (optimizer.capabilities?.multiObjective === true) return
  throw new InvalidInputError(
    `optimizer "${optimizer.id}" does not declare capabilities.multiObjective, so it cannot optimize ${directions.length} objectives; ` +
      'use one that does (nsga2(), or tpe() with several directions, from @cairn/optimizers), or give one direction',
    'optimizer',
  )
}
