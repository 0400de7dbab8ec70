import { InvalidInputError } from '../errors.js'
import { describeValue } from '../input/options-schema.js'
import { paramNameProblem } from './param-checks.js'
import type { CategoricalParam, FloatParam, IntParam, Param } from './params.js'

/**
 * A conditional dimension: the candidate's value is one branch name, and only that branch's
 * parameters are active (present in the candidate). Built by `choice()`; stored as plain JSON
 * `{ kind: 'choice', branches: { <branch>: { <param>: … } } }`.
 */
export interface ChoiceParam<B extends ChoiceBranches = ChoiceBranches> {
  readonly kind: 'choice'
  /** Branch name → the parameters active when the choice takes that branch (possibly none). */
  readonly branches: B
}

/** The branches of a `ChoiceParam`: branch name → its parameters (which may hold further choices). */
export interface ChoiceBranches {
  readonly [branch: string]: { readonly [name: string]: SpaceParam }
}

/** Anything a space's `params` may hold: a flat dimension (`Param`) or a `choice`. */
export type SpaceParam = Param | ChoiceParam

/** A branch as `choice()` accepts it: a `space({...})` or a plain record of parameters. */
export type BranchInput = { readonly version: 1; readonly params: Record<string, SpaceParam> } | Record<string, SpaceParam>

/** The parameters of a branch given to `choice()`. */
export type BranchParams<B> = B extends { version: 1; params: infer P } ? P : B

/** True when `p` is a `choice` dimension. */
export function isChoice(p: SpaceParam): p is ChoiceParam {
  return p.kind === 'choice'
}

/** True when `p` is a flat dimension (`float`, `int` or `categorical`). */
export function isFlatParam(p: SpaceParam): p is FloatParam | IntParam | CategoricalParam {
  return p.kind !== 'choice'
}

/**
 * A conditional dimension: `choice({ svm: space({ c: float(1e-3, 1e3, { log: true }) }), rf: { trees: int(10, 500) } })`.
 * Each branch is a `space({...})` or a plain record of parameters (possibly empty, possibly
 * holding further choices). A candidate carries the branch name under the choice's own name
 * and only that branch's parameters: `{ model: 'svm', c: 0.3 }`. Parameter names must be
 * unique across the whole space (checked by `space()`). Throws `InvalidInputError` for no
 * branches or a bad branch name.
 */
export function choice<const B extends Record<string, BranchInput>>(branches: B): ChoiceParam<{ [K in keyof B]: BranchParams<B[K]> }> {
  if (branches === null || typeof branches !== 'object' || Array.isArray(branches))
    throw new InvalidInputError(`choice(): branches must be an object { branch: space({...}) }, got ${describeValue(branches)}`)
  const out: Record<string, Record<string, SpaceParam>> = {}
  for (const [name, b] of Object.entries(branches)) {
    const problem = paramNameProblem(name)
    if (problem)
      throw new InvalidInputError(`choice(): ${problem.replace('a dimension', 'a branch').replace('name a dimension', 'name a branch')}`)
    if (b === null || typeof b !== 'object' || Array.isArray(b))
      throw new InvalidInputError(`choice(): branch "${name}" must be a space({...}) or an object of parameters, got ${describeValue(b)}`)
    out[name] = isSpaceLike(b) ? b.params : (b as Record<string, SpaceParam>)
  }
  if (Object.keys(out).length === 0) throw new InvalidInputError('choice(): needs at least one branch')
  return { kind: 'choice', branches: out } as unknown as ChoiceParam<{ [K in keyof B]: BranchParams<B[K]> }>
}

function isSpaceLike(b: object): b is { version: 1; params: Record<string, SpaceParam> } {
  const s = b as { version?: unknown; params?: unknown }
  return s.version === 1 && s.params !== null && typeof s.params === 'object' && !Array.isArray(s.params)
}
