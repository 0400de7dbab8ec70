import { categorical, choice, float, int, space } from '@cairn/core'
import type { Json, ObjectiveResult, SearchSpace } from '@cairn/core'

/** The search space `describeOptimizer` uses unless given one: a float, an int and a categorical. */
export const defaultSpace: SearchSpace = space({
  x: float(-5, 5),
  n: int(1, 20),
  kind: categorical(['a', 'b', 'c']),
})

/**
 * The conditional space `describeOptimizer` uses for optimizers declaring
 * `capabilities.conditionalSpace`: a top-level float and a choice of three branches, one
 * empty and one holding a nested choice.
 */
export const defaultConditionalSpace: SearchSpace = space({
  x: float(-5, 5),
  model: choice({
    a: { n: int(1, 20), kind: categorical(['p', 'q']) },
    b: { y: float(0, 2), opt: choice({ s: { m: float(0, 1) }, t: {} }) },
    none: {},
  }),
})

/**
 * A deterministic objective over any JSON candidate (lower is better): the squared
 * distance of every number from 1, plus a small term per string. Same candidate, same score.
 */
export function defaultObjective(candidate: Json): ObjectiveResult {
  return score(candidate)
}

function score(value: Json): number {
  if (typeof value === 'number') return (value - 1) ** 2
  if (typeof value === 'string') {
    let h = 0
    for (let i = 0; i < value.length; i++) h = (h * 31 + value.charCodeAt(i)) % 97
    return h / 97
  }
  if (typeof value === 'boolean') return value ? 0.5 : 0
  if (value === null) return 0
  if (Array.isArray(value)) return value.reduce<number>((n, v) => n + score(v), 0)
  return Object.keys(value)
    .sort()
    .reduce((n, k) => n + score((value as Record<string, Json>)[k] as Json), 0)
}
