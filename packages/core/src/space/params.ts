import Type, { type Static } from 'typebox'
import { InvalidInputError } from '../errors.js'
import { optionKinds as k } from '../input/option-kinds.js'
import { defineOptions, type OptionsSchema } from '../input/options-schema.js'
import type { Json } from '../json.js'
import { paramProblem } from './param-checks.js'

/** The shape of a float dimension (unknown keys refused). */
export const FloatParamSchema = Type.Object(
  {
    kind: Type.Literal('float'),
    low: Type.Number(),
    high: Type.Number(),
    log: Type.Boolean(),
    step: Type.Optional(Type.Number()),
  },
  { additionalProperties: false },
)
/** The shape of an int dimension (unknown keys refused). */
export const IntParamSchema = Type.Object(
  {
    kind: Type.Literal('int'),
    low: Type.Integer(),
    high: Type.Integer(),
    log: Type.Boolean(),
    step: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false },
)
/** The shape of a categorical dimension (unknown keys refused). */
export const CategoricalParamSchema = Type.Object(
  {
    kind: Type.Literal('categorical'),
    choices: Type.Array(Type.Unknown(), { minItems: 1 }),
  },
  { additionalProperties: false },
)
export const ParamSchema = Type.Union([FloatParamSchema, IntParamSchema, CategoricalParamSchema])

/** A continuous dimension in [low, high], optionally log-scaled or quantized by `step`. */
export type FloatParam = Static<typeof FloatParamSchema>
/** An integer dimension in [low, high], optionally log-scaled or strided by `step`. */
export type IntParam = Static<typeof IntParamSchema>
/** A dimension taking one of `choices` (any JSON values). */
export type CategoricalParam<T extends Json = Json> = { kind: 'categorical'; choices: T[] }
/** One dimension of a search space. */
export type Param = FloatParam | IntParam | CategoricalParam

/** Options of `float()` and `int()`. */
export interface RangeOptions {
  /** Sample on a log scale; the range must be strictly positive. */
  log?: boolean
  /** Quantize to multiples of `step` from `low`; at most `high - low`. Not combinable with `log`. */
  step?: number
}

const RangeOptionsSchema: OptionsSchema<RangeOptions> = defineOptions<RangeOptions>(
  'float()',
  {
    log: k.optional(k.boolean()),
    step: k.optional(Type.Number({ hint: 'must be a positive number' })),
  },
  { error: (message, field, caller) => new InvalidInputError(`${caller}: ${field === undefined ? message : `${field} ${message}`}`) },
)

function range<K extends 'float' | 'int'>(kind: K, low: number, high: number, opts: RangeOptions): Extract<Param, { kind: K }> {
  const where = `${kind}(${low}, ${high})`
  RangeOptionsSchema.check(opts, undefined, `${kind}()`)
  const p = { kind, low, high, log: opts.log ?? false, ...(opts.step !== undefined ? { step: opts.step } : {}) } as Extract<
    Param,
    { kind: K }
  >
  const problem = paramProblem(p)
  if (problem) throw new InvalidInputError(`${where}: ${problem}`)
  return p
}

/** A float dimension: `float(1e-5, 1e-1, { log: true })`. Throws `InvalidInputError` for a bad range or option. */
export function float(low: number, high: number, opts: RangeOptions = {}): FloatParam {
  return range('float', low, high, opts)
}

/** An integer dimension: `int(1, 64)`, `int(16, 1024, { log: true })`. Throws `InvalidInputError` for a bad range or option. */
export function int(low: number, high: number, opts: RangeOptions = {}): IntParam {
  return range('int', low, high, opts)
}

/** A categorical dimension: `categorical(['rbf', 'linear'])`. Choices must be distinct JSON values. */
export function categorical<const T extends Json>(choices: readonly T[]): CategoricalParam<T> {
  const p = { kind: 'categorical' as const, choices: Array.isArray(choices) ? [...choices] : (choices as unknown as T[]) }
  const problem = paramProblem(p)
  if (problem) throw new InvalidInputError(`categorical(): ${problem}`)
  return p
}
