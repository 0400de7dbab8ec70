import Type, { type TObject } from 'typebox'
import { InvalidInputError } from '../errors.js'
import { defineOptions, describeValue, type OptionProperties, type OptionsSchema } from '../input/options-schema.js'
import type { Json } from '../json.js'
import { paramNameProblem, paramProblem } from './param-checks.js'
import {
  CategoricalParamSchema,
  FloatParamSchema,
  IntParamSchema,
  ParamSchema,
  type CategoricalParam,
  type FloatParam,
  type IntParam,
  type Param,
} from './params.js'

/** The shape of a search space (unknown keys refused at every level). */
export const SearchSpaceSchema = Type.Object(
  {
    version: Type.Literal(1),
    params: Type.Record(Type.String({ minLength: 1 }), ParamSchema),
  },
  { additionalProperties: false },
)

const SpaceShape: OptionsSchema<SearchSpace> = defineOptions<SearchSpace>(
  'space',
  {
    version: Type.Literal(1, { hint: 'must be 1' }),
    params: Type.Record(Type.String(), Type.Unknown(), {
      hint: 'must be an object of dimensions { name: float(…) | int(…) | categorical(…) }',
    }),
  },
  { error: (message, field) => new InvalidInputError(message, field === undefined ? 'space' : `space.${field}`) },
)

const PARAM_SHAPES = {
  float: paramShape<FloatParam>('float', FloatParamSchema),
  int: paramShape<IntParam>('int', IntParamSchema),
  categorical: paramShape<CategoricalParam>('categorical', CategoricalParamSchema),
} as const

function paramShape<P>(kind: string, schema: TObject): OptionsSchema<P> {
  return defineOptions<P>(`space (a ${kind} dimension)`, schema.properties as OptionProperties<P>)
}

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

/**
 * Validates an unknown value (a space given as a plain object, or one read back from storage)
 * as a search space, with the checks of `float()`, `int()` and `categorical()`. Throws
 * `InvalidInputError` naming the bad dimension (`UnknownOptionError` for an unknown key).
 */
export function parseSpace(value: unknown): SearchSpace {
  SpaceShape.check(value, undefined, 'space')
  const params = (value as { params: Record<string, unknown> }).params
  const names = Object.keys(params)
  if (names.length === 0) throw new InvalidInputError('a search space needs at least one dimension', 'space')
  for (const name of names) {
    const field = `space.${name}`
    const nameProblem = paramNameProblem(name)
    if (nameProblem) throw new InvalidInputError(nameProblem, field)
    const p = params[name] as { kind?: unknown } | null
    if (p === null || typeof p !== 'object' || Array.isArray(p))
      throw new InvalidInputError(`must be a dimension (float(…), int(…) or categorical(…)), got ${describeValue(p)}`, field)
    const kind = p.kind
    if (kind !== 'float' && kind !== 'int' && kind !== 'categorical')
      throw new InvalidInputError(`must be "float", "int" or "categorical", got ${describeValue(kind)}`, `${field}.kind`)
    PARAM_SHAPES[kind].check(p, field, 'space')
    const problem = paramProblem(p as Param)
    if (problem) throw new InvalidInputError(problem, field)
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
