import Type, { type TObject } from 'typebox'
import { InvalidInputError } from '../errors.js'
import { defineOptions, describeValue, type OptionProperties, type OptionsSchema } from '../input/options-schema.js'
import type { Json } from '../json.js'
import { type ChoiceParam, type SpaceParam, isChoice } from './choice.js'
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

/** The shape of a `choice` dimension (branches are checked one by one by `parseSpace`). */
export const ChoiceParamSchema = Type.Object(
  { kind: Type.Literal('choice'), branches: Type.Record(Type.String({ minLength: 1 }), Type.Record(Type.String(), Type.Unknown())) },
  { additionalProperties: false },
)

/** The shape of a search space (unknown keys refused at every level). */
export const SearchSpaceSchema = Type.Object(
  {
    version: Type.Literal(1),
    params: Type.Record(Type.String({ minLength: 1 }), Type.Union([ParamSchema, ChoiceParamSchema])),
  },
  { additionalProperties: false },
)

const SpaceShape: OptionsSchema<SearchSpace> = defineOptions<SearchSpace>(
  'space',
  {
    version: Type.Literal(1, { hint: 'must be 1' }),
    params: Type.Record(Type.String(), Type.Unknown(), {
      hint: 'must be an object of dimensions { name: float(…) | int(…) | categorical(…) | choice(…) }',
    }),
  },
  { error: (message, field) => new InvalidInputError(message, field === undefined ? 'space' : `space.${field}`) },
)

const PARAM_SHAPES = {
  float: paramShape<FloatParam>('float', FloatParamSchema),
  int: paramShape<IntParam>('int', IntParamSchema),
  categorical: paramShape<CategoricalParam>('categorical', CategoricalParamSchema),
  choice: defineOptions<ChoiceParam>('space (a choice dimension)', {
    kind: Type.Literal('choice'),
    branches: Type.Record(Type.String(), Type.Unknown(), { hint: 'must be an object { branch: { name: dimension } }' }),
  }),
} as const

function paramShape<P>(kind: string, schema: TObject): OptionsSchema<P> {
  return defineOptions<P>(`space (a ${kind} dimension)`, schema.properties as OptionProperties<P>)
}

/** The value type of one dimension (a `choice` takes one of its branch names). */
export type ParamValue<P> =
  P extends CategoricalParam<infer T>
    ? T
    : P extends FloatParam | IntParam
      ? number
      : P extends ChoiceParam<infer B>
        ? keyof B & string
        : never

/**
 * A search space: named dimensions, possibly conditional (`choice`). `space({...})` builds one;
 * it is plain JSON and is stored with the session.
 */
export interface SearchSpace<Shape extends Record<string, SpaceParam> = Record<string, SpaceParam>> {
  readonly version: 1
  readonly params: Shape
}

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never
type PlainPart<Shape> = { [K in keyof Shape as Shape[K] extends ChoiceParam ? never : K]: ParamValue<Shape[K]> }
type ChoiceKeys<Shape> = { [K in keyof Shape]: Shape[K] extends ChoiceParam ? K : never }[keyof Shape]
type BranchesPart<K extends PropertyKey, B> = { [N in keyof B & string]: { [P in K]: N } & FlatCandidate<B[N]> }[keyof B & string]
type ChoicePart<Shape> = [ChoiceKeys<Shape>] extends [never]
  ? unknown
  : UnionToIntersection<
        { [K in ChoiceKeys<Shape>]: { box: Shape[K] extends ChoiceParam<infer B> ? BranchesPart<K, B> : never } }[ChoiceKeys<Shape>]
      > extends { box: infer C }
    ? C
    : never
type FlatCandidate<Shape> = PlainPart<Shape> & ChoicePart<Shape>

/**
 * A candidate drawn from a space: one value per active dimension, flat. A `choice` holds its
 * branch name and the candidate holds only that branch's parameters (a union over branches).
 */
export type Candidate<S extends SearchSpace = SearchSpace> = FlatCandidate<S['params']>

/**
 * Builds a search space: `space({ x: float(-5, 10), n: int(1, 64), kernel: categorical(['rbf', 'linear']) })`.
 * Conditional dimensions: `space({ model: choice({ svm: space({ c: float(1e-3, 1e3, { log: true }) }), rf: space({ trees: int(10, 500) }) }), lr: float(1e-4, 1e-1) })`.
 * Validates every dimension (names must be unique across the whole space); throws
 * `InvalidInputError` naming the bad one.
 */
export function space<const Shape extends Record<string, SpaceParam>>(params: Shape): SearchSpace<Shape> {
  const s = { version: 1 as const, params }
  return parseSpace(s) as unknown as SearchSpace<Shape>
}

/**
 * Validates an unknown value (a space given as a plain object, or one read back from storage)
 * as a search space, with the checks of `float()`, `int()`, `categorical()` and `choice()`,
 * branches included. Parameter names must be unique across the whole space. Throws
 * `InvalidInputError` naming the bad dimension (`UnknownOptionError` for an unknown key).
 * Fields name nested parameters by their path: `space.model.svm.c` is parameter `c` of branch
 * `svm` of choice `model`.
 */
export function parseSpace(value: unknown): SearchSpace {
  SpaceShape.check(value, undefined, 'space')
  const params = (value as { params: Record<string, unknown> }).params
  if (Object.keys(params).length === 0) throw new InvalidInputError('a search space needs at least one dimension', 'space')
  checkParams(params, 'space', new Map())
  return value as SearchSpace
}

function checkParams(params: Record<string, unknown>, at: string, seen: Map<string, string>): void {
  for (const name of Object.keys(params)) {
    const field = `${at}.${name}`
    const nameProblem = paramNameProblem(name)
    if (nameProblem) throw new InvalidInputError(nameProblem, field)
    const first = seen.get(name)
    if (first !== undefined)
      throw new InvalidInputError(
        `parameter "${name}" is defined twice, at ${first} and at ${field}; names must be unique across the whole space`,
        field,
      )
    seen.set(name, field)
    const p = params[name] as { kind?: unknown } | null
    if (p === null || typeof p !== 'object' || Array.isArray(p))
      throw new InvalidInputError(`must be a dimension (float(…), int(…), categorical(…) or choice(…)), got ${describeValue(p)}`, field)
    const kind = p.kind
    if (kind !== 'float' && kind !== 'int' && kind !== 'categorical' && kind !== 'choice')
      throw new InvalidInputError(`must be "float", "int", "categorical" or "choice", got ${describeValue(kind)}`, `${field}.kind`)
    PARAM_SHAPES[kind].check(p, field, 'space')
    if (kind === 'choice') {
      checkBranches((p as { branches: Record<string, unknown> }).branches, field, seen)
      continue
    }
    const problem = paramProblem(p as Param)
    if (problem) throw new InvalidInputError(problem, field)
  }
}

function checkBranches(branches: Record<string, unknown>, field: string, seen: Map<string, string>): void {
  const names = Object.keys(branches)
  if (names.length === 0) throw new InvalidInputError('a choice needs at least one branch', `${field}.branches`)
  for (const branch of names) {
    const at = `${field}.${branch}`
    const problem = paramNameProblem(branch)
    if (problem) throw new InvalidInputError(problem.replace('a dimension', 'a branch'), at)
    const sub = branches[branch]
    if (sub === null || typeof sub !== 'object' || Array.isArray(sub))
      throw new InvalidInputError(`a branch must be an object of dimensions, got ${describeValue(sub)}`, at)
    checkParams(sub as Record<string, unknown>, at, seen)
  }
}

/**
 * Throws `InvalidInputError` unless `candidate` has a valid value for every active dimension
 * of `s` and nothing else: a missing active parameter, a parameter of a branch the candidate
 * does not take (inactive) and a key the space does not know are all refused.
 */
export function assertCandidate(s: SearchSpace, candidate: unknown): asserts candidate is Record<string, Json> {
  if (candidate === null || typeof candidate !== 'object' || Array.isArray(candidate))
    throw new InvalidInputError('a candidate must be an object', 'candidate')
  const c = candidate as Record<string, unknown>
  const active = new Set<string>()
  checkValues(s.params, c, active)
  for (const key of Object.keys(c)) {
    if (active.has(key)) continue
    const where = inactiveWhere(s.params, key, [])
    throw new InvalidInputError(
      where === undefined ? 'is not a parameter of the space' : `is inactive: it exists only when ${where}`,
      `candidate.${key}`,
    )
  }
}

function checkValues(params: Record<string, SpaceParam>, c: Record<string, unknown>, active: Set<string>): void {
  for (const [name, p] of Object.entries(params)) {
    active.add(name)
    const field = `candidate.${name}`
    if (!Object.hasOwn(c, name) || c[name] === undefined) throw new InvalidInputError(`is missing (an active ${p.kind} parameter)`, field)
    const v = c[name]
    if (isChoice(p)) {
      if (typeof v !== 'string' || !Object.hasOwn(p.branches, v))
        throw new InvalidInputError(`${JSON.stringify(v)} is not one of the branches (${Object.keys(p.branches).join(', ')})`, field)
      checkValues(p.branches[v] as Record<string, SpaceParam>, c, active)
      continue
    }
    if (p.kind === 'categorical') {
      const key = JSON.stringify(v)
      if (!p.choices.some((choice) => JSON.stringify(choice) === key))
        throw new InvalidInputError(`${key} is not one of the choices`, field)
      continue
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || v < p.low || v > p.high)
      throw new InvalidInputError(`${String(v)} is outside [${p.low}, ${p.high}]`, field)
    if (p.kind === 'int' && !Number.isInteger(v)) throw new InvalidInputError(`${v} is not an integer`, field)
  }
}

/** Where a nested parameter is active (`model = svm`), or undefined when the space has no such parameter. */
function inactiveWhere(params: Record<string, SpaceParam>, key: string, path: string[]): string | undefined {
  for (const [name, p] of Object.entries(params)) {
    if (!isChoice(p)) continue
    for (const [branch, sub] of Object.entries(p.branches)) {
      const here = [...path, `${name} = ${branch}`]
      if (Object.hasOwn(sub, key)) return here.join(' and ')
      const deeper = inactiveWhere(sub, key, here)
      if (deeper !== undefined) return deeper
    }
  }
  return undefined
}
