export { RecoveryMonitor } from './monitor.js'
export type { RecoveryMonitorOptions, RecoveryMonitorStatus, StopOptions } from './monitor.js'
export type { RecoveryPolicy, ResolvedRecoveryPolicy } from './policy.js'
export { ResumeExecutor } from './executor.js'
export type { RecoveryExecutor, RecoveryTask, RecoveryOutcome, ResumeExecutorOptions } from './executor.js'
export type { RecoveryJob, JobEntry, JobRegistry, JobContext, OptimizerSource } from './jobs.js'
export type { RebuildHints } from './rebuild-hints.js'
export { AttemptTimeoutError, RecoveryConfigError, UnknownRecoveryJobError } from './errors.js'
export type { SkipReason } from './errors.js'
export type {
  RecoveryEvent,
  RecoveryEventType,
  RecoveryEventOf,
  RecoveryEventBase,
  RecoveryDetectedEvent,
  RecoveryPollErrorEvent,
  RecoveryStartedEvent,
  RecoveryCompletedEvent,
  RecoveryFailedEvent,
  RecoveryExhaustedEvent,
  RecoverySkippedEvent,
} from './events.js'
export { RECOVERY_CHANNEL_NAMES } from './channels.js'
export type { Clock, Timers, TimerHandle } from './time.js'
