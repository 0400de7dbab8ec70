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
  /** Constrained sessions: the total constraint violation of the best trial (0: feasible). */
  bestViolation: Type.Optional(Type.Number({ minimum: 0 })),
  startedAt: Type.Number(),
})

export const LimitsSchema = Type.Object({
  maxTrials: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  maxErrors: Type.Integer({ minimum: 0 }),
  trialTimeoutMs: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()]),
  parallelism: Type.Integer({ minimum: 1 }),
  /** Format version 2: how many times a failed trial is run again with the same candidate. */
  retryFailed: Type.Optional(Type.Integer({ minimum: 0 })),
})

export const IntermediateValueSchema = Type.Object({
  step: Type.Integer({ minimum: 0 }),
  value: Type.Number(),
})

export const TrialErrorSchema = Type.Object({ name: Type.String(), message: Type.String() })
const ScoreVectorSchema = Type.Array(Type.Number(), { minItems: 1 })
const AttrsSchema = Type.Record(Type.String({ minLength: 1 }), Type.Unknown())

/**
 * A result told (`session.tell`) for a pending trial while an earlier one is still outstanding:
 * kept in the head until the trials before it are told, so the optimizer learns in index order.
 */
export const ToldResultSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('error'), Type.Literal('pruned')]),
  score: Type.Optional(Type.Number()),
  values: Type.Optional(ScoreVectorSchema),
  constraints: Type.Optional(ScoreVectorSchema),
  attrs: Type.Optional(AttrsSchema),
  stats: Type.Optional(Type.Unknown()),
  error: Type.Optional(TrialErrorSchema),
  errorClass: Type.Optional(Type.String()),
  durationMs: Type.Number({ minimum: 0 }),
  intermediate: Type.Optional(Type.Array(IntermediateValueSchema)),
})

export const PendingTrialSchema = Type.Object({
  trialIdx: Type.Integer({ minimum: 0 }),
  candidate: Type.Unknown(),
  candidateId: Type.Optional(Type.String()),
  /** Added within format version 1. */
  askedAfter: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Format version 2: `enqueued` when the user asked for this candidate (`enqueue`), not the optimizer. */
  origin: Type.Optional(Type.Literal('enqueued')),
  /** Format version 2: a result told ahead of an earlier outstanding trial. */
  told: Type.Optional(ToldResultSchema),
  /** Format version 2: failed runs of this candidate so far (`limits.retryFailed`). */
  retries: Type.Optional(Type.Integer({ minimum: 0 })),
})

/** `CheckpointHead.pruner`: added within format version 1. */
export const PrunerInfoSchema = Type.Object({
  id: Type.String({ minLength: 1 }),
  stateVersion: Type.Integer({ minimum: 0 }),
  options: Type.Optional(Type.Unknown()),
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
 * The persisted head of a session, as it appears in the encoded body (format version 2; version 1
 * had `direction` where version 2 has `directions`, see `migrate.ts`).
 * `optimizerState` is base64 here and a `Uint8Array` in memory.
 */
export const HeadBodySchema = Type.Object({
  v: Type.Literal(2),
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
  /** One per objective; the first is the in-memory head's `direction`. */
  directions: Type.Array(DirectionSchema, { minItems: 1 }),
  createdAt: Type.Number(),
  updatedAt: Type.Number(),
  progress: ProgressSchema,
  limits: LimitsSchema,
  bestArtifact: Type.Optional(Type.Unknown()),
  optimizerState: Type.String(),
  rngState: Type.String({ pattern: '^[0-9a-f]{32}$' }),
  pending: Type.Array(PendingTrialSchema),
  /** Format version 2: candidates the user enqueued (`enqueue`), asked before the optimizer is. */
  enqueued: Type.Optional(Type.Array(Type.Unknown())),
  settings: Type.Optional(Type.Unknown()),
  warmStart: Type.Optional(WarmStartInfoSchema),
  /** `values` (several objectives) is an optional field added within format version 2; older heads have `score` only. */
  seeds: Type.Optional(
    Type.Array(
      Type.Union([
        Type.Object({ candidate: Type.Unknown(), score: Type.Number() }),
        Type.Object({ candidate: Type.Unknown(), values: Type.Array(Type.Number(), { minItems: 2 }) }),
      ]),
    ),
  ),
  recovery: Type.Optional(RecoveryInfoSchema),
  evaluation: Type.Optional(Type.Literal('shared')),
  pruner: Type.Optional(PrunerInfoSchema),
  revision: Type.Integer({ minimum: 0 }),
  lease: Type.Union([LeaseSchema, Type.Null()]),
})

/** One trial record of the trial log (format version 2: adds `values`, `constraints`, `attrs`, `retries`). */
export const TrialBodySchema = Type.Object({
  v: Type.Literal(2),
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
  /** Multi-objective sessions: one score per direction (`score` is then absent). */
  values: Type.Optional(ScoreVectorSchema),
  /** Constrained sessions: ≤ 0 each means feasible. */
  constraints: Type.Optional(ScoreVectorSchema),
  /** The trial's user attributes (`ctx.setAttr`, or `{ attrs }` returned by the objective). */
  attrs: Type.Optional(AttrsSchema),
  /** Failed runs of this candidate before this record (`retryFailed`). */
  retries: Type.Optional(Type.Integer({ minimum: 1 })),
})

export type SessionStatus = Static<typeof SessionStatusSchema>
export type Direction = Static<typeof DirectionSchema>
export type ControlRequest = Static<typeof ControlRequestSchema>
export type HeadBody = Static<typeof HeadBodySchema>
export type TrialBody = Static<typeof TrialBodySchema>
export type ToldResult = Static<typeof ToldResultSchema>
