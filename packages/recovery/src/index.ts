export { RecoveryMonitor } from './monitor.js'
export type { RecoveryMonitorOptions, RecoveryMonitorStatus, StopOptions } from './monitor.js'
export { DEFAULT_RECOVERY_POLICY, resolvePolicy } from './policy.js'
export type { RecoveryPolicy, ResolvedRecoveryPolicy } from './policy.js'
export { backoffDelay } from './backoff.js'
export { ResumeExecutor } from './executor.js'
export type { RecoveryExecutor, RecoveryTask, RecoveryOutcome, ResumeExecutorOptions } from './executor.js'
export { FencedStore } from './fenced-store.js'
export type { JobDefinition, JobEntry, JobRegistry, JobContext, OptimizerSource } from './jobs.js'
export { AttemptTimeoutError, RecoveryConfigError, UnknownJobError, classifyFailure } from './errors.js'
export type { FailureClass, SkipReason } from './errors.js'
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
export { recoveryChannels, RECOVERY_CHANNEL_NAMES } from './channels.js'
export { systemClock, systemTimers } from './time.js'
export type { Clock, Timers, TimerHandle } from './time.js'
