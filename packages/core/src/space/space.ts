import Type from 'typebox'
import { Compile } from 'typebox/compile'
import { InvalidInputError } from '../errors.js'
import type { Json } from '../json.js'
import { ParamSchema, type CategoricalParam, type FloatParam, type IntParam, type Param } from './params.js'

export const SearchSpaceSchema = Type.Object({
  version: Type.Literal(1),
  params: Type.Record(Type.String({ minLength: 1 }), ParamSchema),
})
const checkSpace = Compile(SearchSpaceSchema)

/** The value type of one dimension. */
export type ParamValue<P> = P extends CategoricalParam<infer T> ? T : P extends FloatParam | IntParam ? number : never

/** A search space: named dimensions. `space({...})` builds one; it is plain JSON and is stored with the session. */
export interface SearchSpace<Shape extends Record<string, Param> = Record<string, Param>> {
  readonly version: 1
  readonly params: Shape
}

/** A candidate drawn from a space: one value per dimension. */
export type Candidate<S extends SearchSpace = SearchSpace> = { [K in keyof S['params']]: ParamValue<S['params'][K]> }

/**
 * Builds a search space: `space({ x: float(-5, 10), n: int(1, 64), kernel: categorical(['rbf', 'linear']) })`.
 * Validates every dimension; throws `InvalidInputError` naming the bad one.
 */
export function space<const Shape extends Record<string, Param>>(params: Shape): SearchSpace<Shape> {
  const s = { version: 1 as const, params }
  return parseSpace(s) as SearchSpace<Shape>
}

/** Validates an unknown value (for example one read back from storage) as a search space. */
export function parseSpace(value: unknown): SearchSpace {
  if (!checkSpace.Check(value)) {
    const first = checkSpace.Errors(value)[0]
    throw new InvalidInputError(`not a search space: ${first?.instancePath || '/'} ${first?.message ?? ''}`.trim(), 'space')
  }
  const names = Object.keys(value.params)
  if (names.length === 0) throw new InvalidInputError('a search space needs at least one dimension', 'space')
  for (const name of names) {
    const p = value.params[name] as Param
    if (p.kind === 'categorical') {
      if (p.choices.length === 0) throw new InvalidInputError('empty categorical', `space.${name}`)
      continue
    }
    if (!(p.low < p.high)) throw new InvalidInputError(`empty or inverted range [${p.low}, ${p.high}]`, `space.${name}`)
    if (p.log && p.low <= 0) throw new InvalidInputError('a log range must be strictly positive', `space.${name}`)
    if (p.log && p.step !== undefined) throw new InvalidInputError('step and log cannot be combined', `space.${name}`)
  }
  return value as SearchSpace
}

/** Throws `InvalidInputError` unless `candidate` has a valid value for every dimension of `s`. */
export function assertCandidate(s: SearchSpace, candidate: unknown): asserts candidate is Record<string, Json> {
  if (candidate === null || typeof candidate !== 'object' || Array.isArray(candidate))
    throw new InvalidInputError('a candidate must be an object', 'candidate')
  const c = candidate as Record<string, unknown>
  for (const [name, p] of Object.entries(s.params)) {
    const v = c[name]
    if (p.kind === 'categorical') {
      const key = JSON.stringify(v)
      if (!p.choices.some((choice) => JSON.stringify(choice) === key))
        throw new InvalidInputError(`${key} is not one of the choices`, `candidate.${name}`)
      continue
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || v < p.low || v > p.high)
      throw new InvalidInputError(`${String(v)} is outside [${p.low}, ${p.high}]`, `candidate.${name}`)
    if (p.kind === 'int' && !Number.isInteger(v)) throw new InvalidInputError(`${v} is not an integer`, `candidate.${name}`)
  }
}
