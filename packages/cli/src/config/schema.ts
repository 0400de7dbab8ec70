import { MAX_LEASE_TTL_MS, MAX_TIMER_MS } from '@cairn/core'
import Type from 'typebox'

const fn = Type.Function([], Type.Unknown())
const nonNegativeInt = Type.Integer({ minimum: 0 })

/** The shape of a job: space + objective or program + trainset + metric, plus settings (checked further in `validate.ts`). */
export const JobSchema = Type.Object(
  {
    space: Type.Optional(Type.Object({})),
    objective: Type.Optional(fn),
    program: Type.Optional(fn),
    trainset: Type.Optional(Type.Array(Type.Unknown())),
    metric: Type.Optional(fn),
    optimizer: Type.Optional(Type.Union([Type.String({ minLength: 1 }), fn, Type.Object({ step: fn })])),
    maxTrials: Type.Optional(nonNegativeInt),
    maxErrors: Type.Optional(nonNegativeInt),
    trialTimeoutMs: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: MAX_TIMER_MS })),
    parallelism: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024 })),
    direction: Type.Optional(Type.Union([Type.Literal('minimize'), Type.Literal('maximize')])),
    seed: Type.Optional(Type.Integer({ minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER })),
    sessionId: Type.Optional(Type.String({ minLength: 1 })),
    leaseTtlMs: Type.Optional(Type.Number({ minimum: 100, maximum: MAX_LEASE_TTL_MS })),
    warmStart: Type.Optional(
      Type.Union([Type.Boolean(), Type.Object({ maxSeedTrials: Type.Optional(nonNegativeInt) }, { additionalProperties: false })]),
    ),
    description: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
)

/** The shape of `cairn.config.ts`'s default export. */
export const ConfigSchema = Type.Object(
  {
    store: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Object({ load: fn, commit: fn, create: fn, list: fn })])),
    optimizers: Type.Optional(Type.Record(Type.String({ minLength: 1 }), fn)),
    jobs: Type.Optional(Type.Record(Type.String({ minLength: 1 }), JobSchema)),
    recovery: Type.Optional(Type.Object({})),
  },
  { additionalProperties: false },
)

/** What a field must be, for union-typed fields whose schema errors would not say it plainly. */
export const FIELD_HINTS: Readonly<Record<string, string>> = {
  store: 'must be a store URI (`memory:`, `fs:<dir>`, `level:<dir>`, `dynamodb://<table>?…`) or a CheckpointStore',
  optimizer: 'must be an optimizer name (e.g. "tpe"), a function returning an optimizer, or an optimizer',
  direction: 'must be "minimize" or "maximize"',
  warmStart: 'must be true, false or { maxSeedTrials }',
}
