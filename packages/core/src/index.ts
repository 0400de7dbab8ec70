export type { Json, JsonObject } from './json.js'
export {
  CairnError,
  AlreadyRunningError,
  AlreadyTerminalError,
  ResumeMismatchError,
  NotPausedError,
  NotFoundError,
  LeaseLostError,
  RevisionConflictError,
  CheckpointCorruptError,
  InvalidInputError,
  UnknownOptionError,
  TimeoutError,
  OptimizerError,
  isCairnError,
} from './errors.js'
export type { CairnErrorCode, ResumeMismatchReason } from './errors.js'
export type { JsonDifference } from './util/json-differences.js'

export { defineOptions, describeValue } from './input/options-schema.js'
export type { OptionsSchema, OptionProperties, OptionErrorFactory } from './input/options-schema.js'
export { optionKinds } from './input/option-kinds.js'
export { MAX_TIMER_MS, MAX_LEASE_TTL_MS } from './input/durations.js'
export { nearestName } from './util/nearest-name.js'

export { Rng } from './random/rng.js'

export { float, int, categorical } from './space/params.js'
export type { Param, FloatParam, IntParam, CategoricalParam, RangeOptions } from './space/params.js'
export { space, parseSpace, assertCandidate, SearchSpaceSchema } from './space/space.js'
export type { SearchSpace, Candidate, ParamValue } from './space/space.js'

export { TERMINAL_STATUSES, isTerminal } from './checkpoint/types.js'
export type {
  CheckpointHead,
  TrialRecord,
  SessionListing,
  SessionStatus,
  Direction,
  ControlRequest,
  Lease,
  Progress,
  Limits,
  PendingTrial,
  WarmStartInfo,
  SeedTrial,
} from './checkpoint/types.js'
export { HeadBodySchema, TrialBodySchema, LeaseSchema, ProgressSchema } from './checkpoint/schema.js'
export {
  encodeHead,
  decodeHead,
  encodeTrial,
  decodeTrial,
  encodeJsonRecord,
  decodeJsonRecord,
  headToListing,
  cloneHead,
} from './checkpoint/codec.js'
export { seal, open as openEnvelope, MAGIC, ENVELOPE_OVERHEAD } from './checkpoint/envelope.js'
export type { RecordKind } from './checkpoint/envelope.js'
export { HEAD_FORMAT_VERSION, TRIAL_FORMAT_VERSION, headMigrations, trialMigrations } from './checkpoint/migrate.js'
export type { Migration } from './checkpoint/migrate.js'
export { canonicalJson } from './util/canonical-json.js'
export { CanonicalJsonEncoder } from './util/canonical-json-encoder.js'
export type { CanonicalJsonProblem, CanonicalJsonProblemReason, CanonicalJsonProblemHandler } from './util/canonical-json-problem.js'

export type {
  CheckpointStore,
  StoreCapabilities,
  CommitRequest,
  CommitResult,
  ListFilter,
  ListPage,
  ReadTrialsOptions,
} from './store/contract.js'
export type {
  WarmStartStore,
  WarmStartEntry,
  WarmStartEntryInput,
  WarmStartKind,
  LookupOptions,
  EvictOptions,
  EvictionReport,
} from './store/warm-start-contract.js'
export { rankWarmStartEntries, latestWarmStartEntry, selectEvictions } from './store/warm-start-contract.js'
export { encodeWarmStartEntry, decodeWarmStartEntry } from './store/warm-start-codec.js'
export { validateEntryInput, newWarmStartEntry } from './store/warm-start-input.js'
export { matchesFilter, pageListings, checkPaging } from './store/list-filter.js'
export { assertSessionId, newSessionId } from './store/session-id.js'
export { MemoryStore, createMemoryStore, corruptListing } from './store/memory.js'

export type {
  Optimizer,
  Sampler,
  InitContext,
  StepContext,
  StepResult,
  ProposedTrial,
  Evaluation,
  EvaluateOptions,
  TrialView,
  AskContext,
  AskResult,
  Program,
  Metric,
} from './optimizer/contract.js'
export { askTell } from './optimizer/ask-tell.js'

export { startSession, resumeSession, compile, listSessions, deleteSession } from './session/api.js'
export type {
  StartOptions,
  ResumeOptions,
  DriveOptions,
  WaitOptions,
  CompileOptions,
  SessionHandle,
  SessionSnapshot,
  SessionResult,
  SessionEvent,
  Objective,
  ObjectiveContext,
  ObjectiveResult,
  WarmStartOptions,
} from './session/types.js'

export { warmStartKeys } from './session/warm-start-keys.js'
export type { WarmStartKeys, WarmStartKeyInput } from './session/warm-start-keys.js'
export { channels, CHANNEL_NAMES } from './telemetry/channels.js'
