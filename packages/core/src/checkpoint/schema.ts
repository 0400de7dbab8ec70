import Type, { type Static } from 'typebox'

/** Session lifecycle states. `completed`, `failed` and `cancelled` are terminal. */
export const SessionStatusSchema = Type.Union([
  Type.Literal('running'),
  Type.Literal('paused'),
  Type.Literal('completed'),
  Type.Literal('failed'),
  Type.Literal('cancelled'),
])
export const DirectionSchema = Type.Union([Type.Literal('minimize'), Type.Literal('maximize')])
export const ControlRequestSchema = Type.Union([Type.Literal('pause'), Type.Literal('cancel')])

export const LeaseSchema = Type.Object({
  owner: Type.String({ minLength: 1 }),
  fencingToken: Type.Integer({ minimum: 0 }),
  expiresAt: Type.Number(),
})

export const ProgressSchema = Type.Object({
  attempts: Type.Integer({ minimum: 0 }),
  completed: Type.Integer({ minimum: 0 }),
  errors: Type.Integer({ minimum: 0 }),
  /** Added within format version 1. */
  pruned: Type.Optional(Type.Integer({ minimum: 0 })),
  bestScore: Type.Union([Type.Number(), Type.Null()]),
  bestTrialIdx: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  startedAt: Type.Number(),
})

export const LimitsSchema = Type.Object({
  maxTrials: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  maxErrors: Type.Integer({ minimum: 0 }),
  trialTimeoutMs: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()]),
  parallelism: Type.Integer({ minimum: 1 }),
})

export const PendingTrialSchema = Type.Object({
  trialIdx: Type.Integer({ minimum: 0 }),
  candidate: Type.Unknown(),
  candidateId: Type.Optional(Type.String()),
  /** Added within format version 1. */
  askedAfter: Type.Optional(Type.Integer({ minimum: 0 })),
})

/** `CheckpointHead.pruner`: added within format version 1. */
export const PrunerInfoSchema = Type.Object({
  id: Type.String({ minLength: 1 }),
  stateVersion: Type.Integer({ minimum: 0 }),
  options: Type.Optional(Type.Unknown()),
})

export const IntermediateValueSchema = Type.Object({
  step: Type.Integer({ minimum: 0 }),
  value: Type.Number(),
})

export const WarmStartInfoSchema = Type.Object({
  source: Type.Union([Type.Literal('exact'), Type.Literal('preloaded'), Type.Literal('none')]),
  exactKey: Type.Optional(Type.String()),
  seedKey: Type.Optional(Type.String()),
  seededTrials: Type.Integer({ minimum: 0 }),
})

/** `CheckpointHead.recovery`: an optional field added within format version 1 (see `migrate.ts`). */
export const RecoveryInfoSchema = Type.Object({
  attempts: Type.Integer({ minimum: 0 }),
  atTrial: Type.Integer({ minimum: 0 }),
  lastAttemptAt: Type.Optional(Type.Number()),
  lastOwner: Type.Optional(Type.String()),
  rebuiltAt: Type.Optional(Type.Number()),
})

/**
 * The persisted head of a session, as it appears in the encoded body (format version 1).
 * `optimizerState` is base64 here and a `Uint8Array` in memory.
 */
export const HeadBodySchema = Type.Object({
  v: Type.Literal(1),
  sessionId: Type.String({ minLength: 1 }),
  name: Type.Optional(Type.String()),
  status: SessionStatusSchema,
  terminalReason: Type.Optional(Type.String()),
  optimizer: Type.Object({ id: Type.String({ minLength: 1 }), stateVersion: Type.Integer({ minimum: 0 }) }),
  optimizerOptions: Type.Unknown(),
  job: Type.Optional(Type.String()),
  trainsetHash: Type.Optional(Type.String()),
  /** Added within format version 1 (see `migrate.ts`). */
  valsetHash: Type.Optional(Type.String()),
  space: Type.Optional(Type.Unknown()),
  seed: Type.Integer(),
  direction: DirectionSchema,
  createdAt: Type.Number(),
  updatedAt: Type.Number(),
  progress: ProgressSchema,
  limits: LimitsSchema,
  bestArtifact: Type.Optional(Type.Unknown()),
  optimizerState: Type.String(),
  rngState: Type.String({ pattern: '^[0-9a-f]{32}$' }),
  pending: Type.Array(PendingTrialSchema),
  settings: Type.Optional(Type.Unknown()),
  warmStart: Type.Optional(WarmStartInfoSchema),
  seeds: Type.Optional(Type.Array(Type.Object({ candidate: Type.Unknown(), score: Type.Number() }))),
  recovery: Type.Optional(RecoveryInfoSchema),
  evaluation: Type.Optional(Type.Literal('shared')),
  pruner: Type.Optional(PrunerInfoSchema),
  revision: Type.Integer({ minimum: 0 }),
  lease: Type.Union([LeaseSchema, Type.Null()]),
})

export const TrialErrorSchema = Type.Object({ name: Type.String(), message: Type.String() })

/** One trial record of the trial log (format version 1). */
export const TrialBodySchema = Type.Object({
  v: Type.Literal(1),
  trialIdx: Type.Integer({ minimum: 0 }),
  candidateId: Type.Optional(Type.String()),
  candidate: Type.Unknown(),
  score: Type.Optional(Type.Number()),
  status: Type.Union([Type.Literal('ok'), Type.Literal('error'), Type.Literal('pruned')]),
  stats: Type.Optional(Type.Unknown()),
  durationMs: Type.Number({ minimum: 0 }),
  error: Type.Optional(TrialErrorSchema),
  errorClass: Type.Optional(Type.String()),
  /** Added within format version 1. */
  intermediate: Type.Optional(Type.Array(IntermediateValueSchema)),
})

export type SessionStatus = Static<typeof SessionStatusSchema>
export type Direction = Static<typeof DirectionSchema>
export type ControlRequest = Static<typeof ControlRequestSchema>
export type HeadBody = Static<typeof HeadBodySchema>
export type TrialBody = Static<typeof TrialBodySchema>
