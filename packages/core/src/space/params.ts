import Type, { type Static } from 'typebox'
import { InvalidInputError } from '../errors.js'
import type { Json } from '../json.js'

export const FloatParamSchema = Type.Object({
  kind: Type.Literal('float'),
  low: Type.Number(),
  high: Type.Number(),
  log: Type.Boolean(),
  step: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
})
export const IntParamSchema = Type.Object({
  kind: Type.Literal('int'),
  low: Type.Integer(),
  high: Type.Integer(),
  log: Type.Boolean(),
  step: Type.Optional(Type.Integer({ minimum: 1 })),
})
export const CategoricalParamSchema = Type.Object({
  kind: Type.Literal('categorical'),
  choices: Type.Array(Type.Unknown(), { minItems: 1 }),
})
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
  /** Quantize to multiples of `step` from `low`. Not combinable with `log`. */
  step?: number
}

function checkRange(kind: 'float' | 'int', low: number, high: number, opts: RangeOptions): void {
  const where = `${kind}(${low}, ${high})`
  if (!Number.isFinite(low) || !Number.isFinite(high)) throw new InvalidInputError(`${where}: bounds must be finite numbers`)
  if (kind === 'int' && (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)))
    throw new InvalidInputError(`${where}: bounds must be integers`)
  if (!(low < high)) throw new InvalidInputError(`${where}: empty or inverted range, low must be below high`)
  if (opts.log && low <= 0) throw new InvalidInputError(`${where}: a log range must be strictly positive`)
  if (opts.step !== undefined) {
    if (opts.log) throw new InvalidInputError(`${where}: step and log cannot be combined`)
    if (!(opts.step > 0) || !Number.isFinite(opts.step)) throw new InvalidInputError(`${where}: step must be positive`)
    if (kind === 'int' && !Number.isSafeInteger(opts.step)) throw new InvalidInputError(`${where}: step must be an integer`)
    if (opts.step > high - low) throw new InvalidInputError(`${where}: step ${opts.step} is wider than the range`)
  }
}

/** A float dimension: `float(1e-5, 1e-1, { log: true })`. */
export function float(low: number, high: number, opts: RangeOptions = {}): FloatParam {
  checkRange('float', low, high, opts)
  return { kind: 'float', low, high, log: opts.log ?? false, ...(opts.step !== undefined ? { step: opts.step } : {}) }
}

/** An integer dimension: `int(1, 64)`, `int(16, 1024, { log: true })`. */
export function int(low: number, high: number, opts: RangeOptions = {}): IntParam {
  checkRange('int', low, high, opts)
  return { kind: 'int', low, high, log: opts.log ?? false, ...(opts.step !== undefined ? { step: opts.step } : {}) }
}

/** A categorical dimension: `categorical(['rbf', 'linear'])`. Choices must be distinct JSON values. */
export function categorical<const T extends Json>(choices: readonly T[]): CategoricalParam<T> {
  if (!Array.isArray(choices) || choices.length === 0) throw new InvalidInputError('categorical(): needs at least one choice')
  const seen = new Set<string>()
  for (const c of choices) {
    const key = JSON.stringify(c)
    if (key === undefined) throw new InvalidInputError('categorical(): choices must be JSON values')
    if (seen.has(key)) throw new InvalidInputError(`categorical(): duplicate choice ${key}`)
    seen.add(key)
  }
  return { kind: 'categorical', choices: [...choices] }
}
