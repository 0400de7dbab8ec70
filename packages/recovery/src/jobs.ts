import { defineOptions, optionKinds as k, type CheckpointHead, type Optimizer, type OptionsSchema, type ResumeOptions } from '@cairn/core'
import { PKG, RecoveryConfigError, UnknownRecoveryJobError } from './errors.js'
import { checkRebuildHints, type RebuildHints } from './rebuild-hints.js'

/** What a job definition (or an optimizer factory) is given when a session is recovered. */
export interface JobContext {
  sessionId: string
  /** The session's job name. */
  job: string
  /** The attempt number (1 for the first; 0 while a damaged head is rebuilt). */
  attempt: number
  /**
   * The session's head as loaded just before resuming (its `optimizerOptions`, `settings` …).
   * While a damaged head is rebuilt (`rebuilding`), a provisional head: what the store could
   * salvage (id, name, job, status, optimizer id, trial count), the rest placeholders.
   */
  head: CheckpointHead
  /** True when the definition is asked for to rebuild a damaged head (see `RecoveryJob.rebuild`). */
  rebuilding?: boolean
}

/** An optimizer, or a function that builds one for the session being recovered. */
export type OptimizerSource = Optimizer<any> | ((ctx: JobContext) => Optimizer<any> | Promise<Optimizer<any>>)

/**
 * What resumes a session of a given job: the optimizer and the objective (or program +
 * trainset + metric) it was started with, plus any `resumeSession` option (`trialTimeoutMs`,
 * `leaseTtlMs` …). `owner` and `signal` belong to the monitor.
 *
 * @example
 * const quadratic: RecoveryJob = {
 *   optimizer: () => tpe(),
 *   objective: ({ x }) => (x - 1) ** 2,
 * }
 */
export type RecoveryJob<Example = unknown> = Omit<ResumeOptions<Example>, 'optimizer' | 'owner' | 'signal'> & {
  optimizer: OptimizerSource
  /** What a rebuild of a damaged head needs and the trial log cannot tell (never passed to `resumeSession`). */
  rebuild?: RebuildHints
}

/** A resolved job: `resumeSession` options, plus the rebuild hints (to strip before resuming). */
export type ResolvedJob = ResumeOptions & { rebuild?: RebuildHints }

/** A job definition, or a function that builds one per recovered session (to close over its id, say). */
export type JobEntry = RecoveryJob<any> | ((ctx: JobContext) => RecoveryJob<any> | Promise<RecoveryJob<any>>)

/** Job name → what resumes it: a `Map` or a plain object. The composition root supplies it. */
export type JobRegistry = ReadonlyMap<string, JobEntry> | Readonly<Record<string, JobEntry>>

/** Throws `RecoveryConfigError` unless `jobs` is a Map or a plain object of entries. */
export function checkJobRegistry(jobs: unknown): asserts jobs is JobRegistry {
  if (jobs instanceof Map) {
    for (const [name, entry] of jobs) checkEntry(name, entry)
    return
  }
  if (jobs === null || typeof jobs !== 'object' || Array.isArray(jobs))
    throw new RecoveryConfigError(
      'jobs',
      'must be a Map or an object of job name → { optimizer, objective } (or program + trainset + metric)',
    )
  for (const [name, entry] of Object.entries(jobs)) checkEntry(name, entry)
}

function checkEntry(name: unknown, entry: unknown): void {
  if (typeof name !== 'string' || name.length === 0)
    throw new RecoveryConfigError('jobs', `job names must be non-empty strings, got ${String(name)}`)
  if (typeof entry === 'function') return
  checkDefinition(name, entry)
}

/**
 * The keys a job definition takes. Their values are `resumeSession`'s to check, on each
 * attempt (and `rebuild`'s are `checkRebuildHints`'s); the keys are checked as soon as the
 * definition is seen, so a misspelled one is refused when the monitor is built, not when the
 * job is first resumed.
 */
const RecoveryJobSchema: OptionsSchema<RecoveryJob> = defineOptions<RecoveryJob>(
  `${PKG} jobs`,
  {
    optimizer: k.any(),
    objective: k.optional(k.any()),
    program: k.optional(k.any()),
    trainset: k.optional(k.any()),
    valset: k.optional(k.any()),
    metric: k.optional(k.any()),
    maxTrials: k.optional(k.any()),
    maxErrors: k.optional(k.any()),
    trialTimeoutMs: k.optional(k.any()),
    parallelism: k.optional(k.any()),
    retryFailed: k.optional(k.any()),
    directions: k.optional(k.any()),
    leaseTtlMs: k.optional(k.any()),
    evaluation: k.optional(k.any()),
    evaluateLocally: k.optional(k.any()),
    trialLeaseTtlMs: k.optional(k.any()),
    pollIntervalMs: k.optional(k.any()),
    pruner: k.optional(k.any()),
    warmStart: k.optional(k.any()),
    trainsetHash: k.optional(k.any()),
    valsetHash: k.optional(k.any()),
    space: k.optional(k.any()),
    direction: k.optional(k.any()),
    seed: k.optional(k.any()),
    waitForLease: k.optional(k.any()),
    rebuild: k.optional(k.any()),
  },
  { error: (message, field) => new RecoveryConfigError(field ?? 'jobs', message) },
)

/** Throws `RecoveryConfigError` (`UnknownOptionError` for a key a job does not take) naming the first malformed field of job `name`. */
function checkDefinition(name: string, definition: unknown): asserts definition is RecoveryJob<unknown> {
  const at = `jobs["${name}"]`
  if (definition === null || typeof definition !== 'object' || Array.isArray(definition))
    throw new RecoveryConfigError(
      at,
      'must be a job definition { optimizer, objective } (or program + trainset + metric), or a function returning one',
    )
  RecoveryJobSchema.check(definition, at)
  const optimizer = (definition as { optimizer?: unknown }).optimizer
  if (optimizer === null || (typeof optimizer !== 'object' && typeof optimizer !== 'function'))
    throw new RecoveryConfigError(`${at}.optimizer`, 'must be an optimizer or a function returning one')
  checkRebuildHints((definition as { rebuild?: unknown }).rebuild, `${at}.rebuild`)
}

/** The names a registry defines. */
export function jobNames(jobs: JobRegistry): string[] {
  return jobs instanceof Map ? [...jobs.keys()] : Object.keys(jobs)
}

/**
 * The `resumeSession` options for the session in `ctx` (without `owner`): looks its job up,
 * calls the entry and optimizer factories. Throws `UnknownRecoveryJobError` when the job is
 * missing, `RecoveryConfigError` (`UnknownOptionError` for an unknown key) when the definition
 * is malformed.
 */
export async function resolveJob(
  jobs: JobRegistry,
  sessionId: string,
  job: string | undefined,
  ctx: Omit<JobContext, 'job'>,
): Promise<ResolvedJob> {
  if (job === undefined) throw new UnknownRecoveryJobError(sessionId, undefined, jobNames(jobs))
  const entry =
    jobs instanceof Map
      ? (jobs as ReadonlyMap<string, JobEntry>).get(job)
      : Object.hasOwn(jobs, job)
        ? (jobs as Record<string, JobEntry>)[job]
        : undefined
  if (entry === undefined) throw new UnknownRecoveryJobError(sessionId, job, jobNames(jobs))
  const full: JobContext = { ...ctx, job }
  const definition = typeof entry === 'function' ? await entry(full) : entry
  checkDefinition(job, definition)
  const source = definition.optimizer
  const optimizer = typeof source === 'function' ? await source(full) : source
  return { ...definition, optimizer } as ResolvedJob
}
