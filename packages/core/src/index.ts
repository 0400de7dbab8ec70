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
  StoreIoError,
  TrialClaimedError,
  ClaimLostError,
  NotJoinableError,
  isCairnError,
} from './errors.js'
export type {
  AlreadyRunningDetails,
  CairnErrorCode,
  NotJoinableReason,
  ResumeMismatchDetails,
  ResumeMismatchReason,
} from './errors.js'
export type { JsonDifference } from './util/json-differences.js'

export { defineOptions, describeValue } from './input/options-schema.js'
export type { OptionsSchema, OptionProperties, OptionErrorFactory } from './input/options-schema.js'
export { optionKinds } from './input/option-kinds.js'
export { MAX_TIMER_MS, MAX_LEASE_TTL_MS } from './input/durations.js'
export { nearestName } from './util/nearest-name.js'
export { isPrunedTrial } from './session/pruned-trial.js'

export { Rng } from './random/rng.js'

export { float, int, categorical } from './space/params.js'
export type { Param, FloatParam, IntParam, CategoricalParam, RangeOptions } from './space/params.js'
export { space, parseSpace, assertCandidate } from './space/space.js'
export type { SearchSpace, Candidate, ParamValue } from './space/space.js'
export { choice, isChoice, isFlatParam } from './space/choice.js'
export type { ChoiceParam, ChoiceBranches, SpaceParam, BranchInput, BranchParams } from './space/choice.js'
export {
  isConditional,
  spaceEntries,
  activeParams,
  activeCandidate,
  flatParams,
  spaceGroups,
  takesBranches,
  branchNames,
} from './space/conditional.js'
export type { ConditionStep, SpaceEntry, SpaceGroup } from './space/conditional.js'

export { isTerminal } from './checkpoint/types.js'
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
  RecoveryInfo,
  ToldResult,
} from './checkpoint/types.js'
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
  SalvagedSession,
  ReplaceDamagedHeadRequest,
  ReplaceDamagedHeadResult,
  TrialClaim,
  ClaimTrialRequest,
  ClaimNextRequest,
  TrialResultReport,
  ReportedTrialResult,
  SessionChange,
  TrialSlot,
  StoredTrialProgress,
} from './store/contract.js'
export { MAX_TRIAL_PROGRESS_BYTES } from './store/contract.js'
export type { Pruner, PruneContext, PrunerTrialView, PrunerInfo, IntermediateValue } from './pruner/contract.js'
export type {
  WarmStartStore,
  WarmStartEntry,
  WarmStartEntryInput,
  WarmStartKind,
  WarmStartPayload,
  LookupOptions,
  EvictOptions,
  EvictionReport,
} from './store/warm-start-contract.js'
export { createMemoryStore } from './store/memory.js'
export type { MemoryStore, MemoryStoreOptions, MemoryStoreClock } from './store/memory.js'
export { SPECIFICATION_VERSION } from './session/specification.js'

export type {
  Optimizer,
  OptimizerCapabilities,
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

export { startSession, resumeSession, compile, joinSession, listSessions, deleteSession } from './session/api.js'
export type {
  StartOptions,
  AskTellOptions,
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
  PrunedTrial,
  WarmStartOptions,
  RebuildHeadOptions,
  JoinOptions,
  WorkerHandle,
  WorkerResult,
  ParetoTrial,
} from './session/types.js'

export { askTrial, tellTrial, enqueueTrial, outstandingTrials } from './session/ask-tell/store-level.js'
export { DEFAULT_MAX_OUTSTANDING } from './session/ask-tell/types.js'
export type { AskedTrial, OutstandingTrial, TellResult, TellFailure, TellOptions, AskTellStoreOptions } from './session/ask-tell/types.js'
export { paretoFront, dominates, crowdingDistances } from './objectives/pareto.js'
export type { ParetoCandidate } from './objectives/pareto.js'
export { violation, isFeasible } from './objectives/feasibility.js'

export { rebuildHead } from './session/rebuild-head.js'
export type { RebuiltHead } from './session/rebuild-head.js'
export { warmStartKeys } from './session/warm-start-keys.js'
export type { WarmStartKeys, WarmStartKeyInput } from './session/warm-start-keys.js'
export { channels, CHANNEL_NAMES } from './telemetry/channels.js'
