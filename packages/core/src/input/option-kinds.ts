import Type, { type TSchema } from 'typebox'
import { MAX_TIMER_MS } from './durations.js'
import { describeValue } from './options-schema.js'

const got = (v: unknown): string => `, got ${describeValue(v)}`

/**
 * Schemas for the kinds of values options hold, each with the `hint` its error message uses.
 * Functions and class instances (an optimizer, a store, an `AbortSignal`) are checked by hand.
 */
export const optionKinds = {
  /** A boolean. */
  boolean: (): TSchema => Type.Boolean({ hint: 'must be true or false' }),
  /** A string (non-empty unless `minLength: 0`). */
  string: (minLength = 1, maxLength?: number): TSchema =>
    Type.String({
      minLength,
      ...(maxLength !== undefined ? { maxLength } : {}),
      hint: `must be a ${minLength > 0 ? 'non-empty ' : ''}string${maxLength !== undefined ? ` of at most ${maxLength} characters` : ''}`,
    }),
  /** One of the given strings. */
  oneOf: (values: readonly string[]): TSchema =>
    Type.Union(
      values.map((v) => Type.Literal(v)),
      { hint: `must be ${values.map((v) => JSON.stringify(v)).join(' or ')}` },
    ),
  /** An integer in [min, max]. */
  integer: (min: number, max = Number.MAX_SAFE_INTEGER): TSchema =>
    Type.Integer({ minimum: min, maximum: max, hint: `must be an integer in [${min}, ${max}]` }),
  /** A finite number in [min, max]. */
  number: (min = -Number.MAX_VALUE, max = Number.MAX_VALUE): TSchema =>
    Type.Number({ minimum: min, maximum: max, hint: `must be a finite number in [${min}, ${max}]` }),
  /**
   * A number of milliseconds, at least `min` (above 0 when `min` is 0 and `zero` is false) and
   * at most `max` (default `MAX_TIMER_MS`, setTimeout's limit), or `Infinity` when `infinity`
   * is set. Larger values are refused, not clamped.
   */
  durationMs: (opts: { min?: number; max?: number; zero?: boolean; infinity?: boolean } = {}): TSchema => {
    const min = opts.min ?? 0
    const max = opts.max ?? MAX_TIMER_MS
    const bound = min > 0 || opts.zero ? { minimum: min } : { exclusiveMinimum: 0 }
    const low = min > 0 ? `at least ${min}` : opts.zero ? 'at least 0' : 'above 0'
    const why = max === MAX_TIMER_MS ? " (setTimeout's limit)" : ''
    const hint = `must be a number of milliseconds ${low} and at most ${max}${why}`
    const finite = Type.Number({ ...bound, maximum: max, hint })
    if (!opts.infinity) return finite
    const infinite = Type.Refine(Type.Unknown(), (v) => v === Number.POSITIVE_INFINITY)
    return Type.Union([finite, infinite], { hint: `${hint}, or Infinity (none)` })
  },
  /** A function. */
  fn: (hint = 'must be a function'): TSchema =>
    Type.Refine(
      Type.Unknown(),
      (v) => typeof v === 'function',
      (v) => `${hint}${got(v)}`,
    ),
  /** An object (or function object) with these methods: a store, an optimizer, a client … */
  withMethods: (methods: readonly string[], hint: string): TSchema =>
    Type.Refine(
      Type.Unknown(),
      (v) => missingMethods(v, methods).length === 0,
      (v) => {
        const missing = missingMethods(v, methods)
        const isObject = v !== null && (typeof v === 'object' || typeof v === 'function')
        return `${hint}${isObject ? ` (it has no ${missing.join(', ')} method${missing.length > 1 ? 's' : ''})` : ''}${got(v)}`
      },
    ),
  /** An instance of a class (checked with `instanceof`). */
  instanceOf: (ctor: abstract new (...args: never[]) => unknown, hint: string): TSchema =>
    Type.Refine(
      Type.Unknown(),
      (v) => v instanceof ctor,
      (v) => `${hint}${got(v)}`,
    ),
  /** An object (any keys: for values whose fields another library checks). */
  record: (hint = 'must be an object'): TSchema =>
    Type.Refine(
      Type.Unknown(),
      (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
      (v) => `${hint}${got(v)}`,
    ),
  /** An array. */
  array: (hint = 'must be an array'): TSchema =>
    Type.Refine(
      Type.Unknown(),
      (v) => Array.isArray(v),
      (v) => `${hint}${got(v)}`,
    ),
  /** An array whose items are all of one kind. */
  arrayOf: (item: TSchema, hint = 'must be an array'): TSchema => Type.Array(item, { hint }),
  /** Any value (checked elsewhere). */
  any: (): TSchema => Type.Unknown(),
  /** A nested plain-data options object: its unknown keys are refused too. */
  object: (properties: Record<string, TSchema>, hint?: string): TSchema =>
    Type.Object(properties, { additionalProperties: false, ...(hint !== undefined ? { hint } : {}) }),
  /** One of several kinds (e.g. `true` or `{ timeoutMs }`). */
  union: (kinds: TSchema[], hint: string): TSchema => Type.Union(kinds, { hint }),
  /** Marks a key optional. */
  optional: <S extends TSchema>(kind: S) => Type.Optional(kind),
}

/** The names in `methods` that `v` has no function for (all of them when `v` is not an object). */
export function missingMethods(v: unknown, methods: readonly string[]): string[] {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return [...methods]
  return methods.filter((m) => typeof (v as Record<string, unknown>)[m] !== 'function')
}
