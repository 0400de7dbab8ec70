import Type, { type TObject, type TSchema } from 'typebox'
import { Compile, type Validator } from 'typebox/compile'
import { InvalidInputError, UnknownOptionError } from '../errors.js'
import { nearestName } from '../util/nearest-name.js'

/** One schema per key of `T`: no key of `T` missing, none added (the compiler checks both). */
export type OptionProperties<T> = { [K in keyof T]-?: TSchema }

/**
 * Makes the error for a malformed (not unknown) option; the default is
 * `new InvalidInputError(message, field)` (with `caller: ` before the message when no field is
 * named). `caller` is who takes the options (`what`).
 */
export type OptionErrorFactory = (message: string, field: string | undefined, caller: string) => InvalidInputError

/** An options object's declared keys and their check. Build one with `defineOptions`. */
export interface OptionsSchema<T> {
  /** Who takes these options, as messages name it: `startSession`, `[@cairn/store-fs] createFsStore` … */
  readonly what: string
  /** The TypeBox schema (unknown keys refused at every level of plain-data objects). */
  readonly schema: TObject
  /** The keys the options object takes. */
  readonly keys: readonly string[]
  /**
   * Throws unless `value` is a valid options object: `UnknownOptionError` for a key not
   * declared (naming the nearest declared one), `InvalidInputError` naming the field for a
   * value of the wrong kind. An option set to `undefined` counts as absent. `field` prefixes
   * the fields named (for options nested in other options, e.g. `warmStart`), and `caller`
   * replaces `what` in messages.
   */
  check(value: unknown, field?: string, caller?: string): asserts value is T
}

/**
 * Declares an options object: one schema per key. Give each property a `hint` (what it must
 * be, e.g. `must be a positive integer`) for messages; functions and class instances are
 * checked with the helpers of `optionKinds`.
 *
 * @example
 * interface MyOptions { depth?: number; onStep?: () => void }
 * const MyOptionsSchema: OptionsSchema<MyOptions> = defineOptions<MyOptions>('myOptimizer', {
 *   depth: Type.Optional(optionKinds.integer(1, 64)),
 *   onStep: Type.Optional(optionKinds.fn()),
 * })
 * MyOptionsSchema.check({ dept: 3 }) // UnknownOptionError: myOptimizer: unknown option dept (did you mean depth?)
 */
export function defineOptions<T>(
  what: string,
  properties: OptionProperties<T>,
  options: { error?: OptionErrorFactory } = {},
): OptionsSchema<T> {
  const schema = Type.Object(properties as Record<string, TSchema>, { additionalProperties: false })
  const makeError: OptionErrorFactory =
    options.error ?? ((message, field, caller) => new InvalidInputError(field === undefined ? `${caller}: ${message}` : message, field))
  let validator: Validator | undefined
  const keys = Object.keys(properties)
  return {
    what,
    schema,
    keys,
    check(value: unknown, field?: string, caller = what): asserts value is T {
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        throw makeError(
          `${field === undefined ? 'options ' : ''}must be an object { ${keys.join(', ')} }, got ${describeValue(value)}`,
          field,
          caller,
        )
      validator ??= Compile(schema)
      if (validator.Check(value)) return
      throw explain(caller, schema, value, validator.Errors(value) as unknown as SchemaError[], field, makeError)
    },
  }
}

interface SchemaError {
  keyword: string
  schemaPath: string
  instancePath: string
  params: Record<string, unknown>
  message: string
}

function explain(
  what: string,
  root: TSchema,
  value: unknown,
  errors: SchemaError[],
  prefix: string | undefined,
  makeError: OptionErrorFactory,
): InvalidInputError {
  const fail = (message: string, field: string | undefined): InvalidInputError => makeError(message, field, what)
  const unknown = errors.find((e) => e.keyword === 'additionalProperties')
  if (unknown) {
    const key = String((unknown.params['additionalProperties'] as string[] | undefined)?.[0] ?? '?')
    const known = Object.keys(propertiesOf(schemaAt(root, segments(unknown.instancePath))))
    const field = joinField(prefix, [...segments(unknown.instancePath), key]) ?? key
    return new UnknownOptionError(what, field, key, known, nearestName(key, known))
  }
  const first = errors.find((e) => e.keyword !== 'boolean') ?? errors[0]
  if (!first) return fail('does not match the expected shape', prefix)
  // A union: report the union (its hint), not its first branch — unless the value took the
  // shape of one of its object branches and failed inside it (`{ timeoutMs: -1 }` for
  // `true | { timeoutMs }`): then the field inside is the one to name.
  const union = first.schemaPath.includes('/anyOf/')
    ? errors.find((e) => e.keyword === 'anyOf' && first.instancePath.startsWith(e.instancePath))
    : undefined
  if (union) {
    const inside = errors.filter((e) => e.instancePath.startsWith(`${union.instancePath}/`))
    if (inside.length > 0) return explain(what, root, value, inside, prefix, makeError)
  }
  const error = union ?? first
  const path = segments(error.instancePath)
  const field = joinField(prefix, path)
  if (error.keyword === 'required') {
    const missing = String((error.params['requiredProperties'] as string[] | undefined)?.[0] ?? '?')
    return fail('is required', joinField(prefix, [...path, missing]))
  }
  if (error.keyword === '~refine') return fail(error.message, field)
  const hint = hintAt(root, path) ?? plain(error)
  return fail(`${hint}, got ${describeValue(valueAt(value, path))}`, field)
}

function segments(instancePath: string): string[] {
  return instancePath
    .split('/')
    .filter((p) => p !== '')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
}

function joinField(prefix: string | undefined, path: string[]): string | undefined {
  const parts = prefix === undefined ? path : [prefix, ...path]
  return parts.length === 0 ? undefined : parts.join('.')
}

/** The schema of the value at `path` (through object properties and, for unions, their object branches). */
function schemaAt(schema: TSchema | undefined, path: string[]): TSchema | undefined {
  let s: TSchema | undefined = schema
  for (const key of path) {
    if (s === undefined) return undefined
    s = propertyOf(s, key)
  }
  return s
}

function propertyOf(schema: TSchema, key: string): TSchema | undefined {
  const props = (schema as { properties?: Record<string, TSchema> }).properties
  if (props && Object.hasOwn(props, key)) return props[key]
  for (const branch of (schema as { anyOf?: TSchema[] }).anyOf ?? []) {
    const found = propertyOf(branch, key)
    if (found) return found
  }
  return undefined
}

/** The properties of an object schema, or of the first object branch of a union (`true | { timeoutMs }`). */
function propertiesOf(schema: TSchema | undefined): Record<string, TSchema> {
  const own = (schema as { properties?: Record<string, TSchema> } | undefined)?.properties
  if (own) return own
  for (const branch of (schema as { anyOf?: TSchema[] } | undefined)?.anyOf ?? []) {
    const props = propertiesOf(branch)
    if (Object.keys(props).length > 0) return props
  }
  return {}
}

/** The `hint` of the deepest schema on `path` that has one. */
function hintAt(root: TSchema, path: string[]): string | undefined {
  let hint: string | undefined
  let s: TSchema | undefined = root
  for (const key of path) {
    s = s === undefined ? undefined : propertyOf(s, key)
    const h = (s as { hint?: unknown } | undefined)?.hint
    if (typeof h === 'string') hint = h
  }
  return hint
}

function valueAt(value: unknown, path: string[]): unknown {
  let v = value
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined
    v = (v as Record<string, unknown>)[key]
  }
  return v
}

function plain(e: SchemaError): string {
  switch (e.keyword) {
    case 'type':
      return `must be ${e.params['type'] === 'integer' ? 'an integer' : `a ${String(e.params['type'])}`}`
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${String(e.params['comparison'])} ${String(e.params['limit'])}`
    case 'minLength':
      return 'must not be empty'
    default:
      return e.message
  }
}

/** A short description of a value for messages: `5`, `"x"`, `an object`, `a function`, `undefined`. */
export function describeValue(v: unknown): string {
  if (typeof v === 'function') return 'a function'
  if (v === undefined) return 'undefined'
  if (v === null) return 'null'
  if (typeof v === 'object')
    return Array.isArray(v) ? 'an array' : v.constructor && v.constructor !== Object ? `a ${v.constructor.name}` : 'an object'
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}…` : v)
  return typeof v
}
