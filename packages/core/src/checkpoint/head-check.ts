import Type, { type TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { keptJsonText } from '../util/kept-json.js'
import { HeadBodySchema } from './schema.js'

/**
 * The parts of a head a driver freezes (`freezeJson`) whose schema costs something to check:
 * `seeds` grows with the warm start (up to a thousand), the others are small objects.
 */
const FROZEN_PARTS = ['optimizer', 'limits', 'warmStart', 'seeds'] as const

const properties = HeadBodySchema.properties as Record<string, TSchema>
/** The head's schema with the frozen parts accepted as they are (each is checked by `partChecks`). */
const restSchema = Type.Object(
  Object.fromEntries(
    Object.entries(properties).map(([key, schema]) => {
      if (!(FROZEN_PARTS as readonly string[]).includes(key)) return [key, schema]
      return [key, Type.IsOptional(schema) ? Type.Optional(Type.Unknown()) : Type.Unknown()]
    }),
  ),
)
const checkRest = Compile(restSchema)
const partChecks = FROZEN_PARTS.map((key) => ({
  key,
  optional: Type.IsOptional(properties[key]),
  check: Compile(properties[key] as TSchema),
}))

/** Frozen parts found valid: deep-frozen by `freezeJson`, they stay valid, so each is checked once. */
const validFrozen = new WeakSet<object>()

function partValid(value: unknown, optional: boolean, check: { Check(v: unknown): boolean }): boolean {
  if (value === undefined) return optional
  if (typeof value === 'object' && value !== null && validFrozen.has(value)) return true
  if (!check.Check(value)) return false
  if (typeof value === 'object' && value !== null && keptJsonText(value) !== undefined) validFrozen.add(value)
  return true
}

/**
 * Whether `body` matches `HeadBodySchema`: the same verdict as its compiled `Check`, but a
 * frozen constant part (see `FROZEN_PARTS`) is checked once per drive instead of on every
 * commit, so a commit's validation costs what changed, as its encoding does.
 */
export function isHeadBody(body: Record<string, unknown>): boolean {
  if (!checkRest.Check(body)) return false
  for (const { key, optional, check } of partChecks) if (!partValid(body[key], optional, check)) return false
  return true
}
