export { defineConfig } from './config/define-config.js'
export type {
  CairnConfig,
  JobDefinition,
  JobSettings,
  ObjectiveJob,
  ProgramJob,
  OptimizerContext,
  OptimizerFactory,
  OptimizerRef,
  PrunerRef,
} from './config/types.js'
export { loadConfig } from './config/load-config.js'
export type { LoadedConfig, LoadConfigOptions } from './config/load-config.js'

export { createCairn } from './cairn.js'
export type { Cairn, OpenResult } from './cairn.js'
export type {
  CreateCairnOptions,
  StartJobOptions,
  ResumeJobOptions,
  OpenJobOptions,
  JoinJobOptions,
  ShowOptions,
  DeleteOptions,
} from './cairn-options.js'
export type { WorkerTrialEvent } from './jobs/observed-objective.js'
export type { RunOverrides } from './jobs/drive-options.js'
export type { MonitorOptions } from './recovery/monitor.js'

export { parseStoreUri } from './store/uri.js'
export type { StoreSpec } from './store/uri.js'
export { openStore } from './store/open-store.js'
export type { CairnStore } from './store/open-store.js'

export type { ControlOptions, ControlOutcome } from './session/control.js'
export type { SessionDetails, HeadSummary } from './session/details.js'
export type { SharedEvaluationView, PendingTrialView, LiveWorkerView } from './session/shared-trials.js'
export type { LeaseWait } from './session/lease-wait.js'

export {
  ConfigError,
  StoreUriError,
  MissingPackageError,
  UnknownJobError,
  UnknownOptimizerError,
  UnknownPrunerError,
  SessionBusyError,
  StoreLockedError,
  WorkerJobError,
} from './errors.js'
