import type { DriveOptions, Json } from '@cairn/core'
import type { CairnConfig, JobDefinition, OptimizerRef } from '../config/types.js'
import { UnknownJobError } from '../errors.js'
import { resolvePruner } from '../optimizer/pruner.js'

/** The names of the config's jobs. */
export function jobNames(config: CairnConfig): string[] {
  return Object.keys(config.jobs ?? {})
}

/** The definition of job `name`. Throws `UnknownJobError` (code `INVALID_INPUT`) listing the known ones. */
export function getJob(config: CairnConfig, name: string | undefined, sessionId?: string): JobDefinition {
  const jobs = config.jobs ?? {}
  if (name === undefined || !Object.hasOwn(jobs, name)) throw new UnknownJobError(name, jobNames(config), sessionId)
  return jobs[name] as JobDefinition
}

/** True for a program + trainset + metric job. */
export function isProgramJob(job: JobDefinition): boolean {
  return 'program' in job && job.program !== undefined
}

/** The optimizer a job uses when nothing else is said: its own, else `tpe` (or `few-shot` for program jobs). */
export function defaultOptimizerRef(job: JobDefinition): OptimizerRef {
  return job.optimizer ?? (isProgramJob(job) ? 'few-shot' : 'tpe')
}

/** What to evaluate: the objective, or the program, trainset (valset) and metric. */
export function targetOptions(job: JobDefinition): Pick<DriveOptions, 'objective' | 'program' | 'trainset' | 'valset' | 'metric'> {
  if ('objective' in job && job.objective !== undefined) return { objective: job.objective }
  const p = job as Extract<JobDefinition, { program: unknown }>
  return { program: p.program, trainset: p.trainset, ...(p.valset !== undefined ? { valset: p.valset } : {}), metric: p.metric }
}

/** The drive limits a job sets (only those it sets). */
export function limitOptions(
  job: JobDefinition,
): Pick<DriveOptions, 'maxTrials' | 'maxErrors' | 'trialTimeoutMs' | 'parallelism' | 'leaseTtlMs' | 'retryFailed'> {
  const out: Pick<DriveOptions, 'maxTrials' | 'maxErrors' | 'trialTimeoutMs' | 'parallelism' | 'leaseTtlMs' | 'retryFailed'> = {}
  if (job.maxTrials !== undefined) out.maxTrials = job.maxTrials
  if (job.maxErrors !== undefined) out.maxErrors = job.maxErrors
  if (job.trialTimeoutMs !== undefined) out.trialTimeoutMs = job.trialTimeoutMs
  if (job.parallelism !== undefined) out.parallelism = job.parallelism
  if (job.leaseTtlMs !== undefined) out.leaseTtlMs = job.leaseTtlMs
  if (job.retryFailed !== undefined) out.retryFailed = job.retryFailed
  return out
}

/**
 * How a job's trials are shared with workers (only what it sets; `evaluation` itself is chosen
 * where a session starts), and its pruner (built when the job names it; see `resolvePruner`).
 */
export async function sharingOptions(
  job: JobDefinition,
  jobName: string,
): Promise<Pick<DriveOptions, 'evaluateLocally' | 'trialLeaseTtlMs' | 'pollIntervalMs' | 'pruner'>> {
  const out: Pick<DriveOptions, 'evaluateLocally' | 'trialLeaseTtlMs' | 'pollIntervalMs' | 'pruner'> = {}
  if (job.pruner !== undefined) out.pruner = await resolvePruner(job.pruner, `jobs.${jobName}.pruner`)
  if (job.evaluateLocally !== undefined) out.evaluateLocally = job.evaluateLocally
  if (job.trialLeaseTtlMs !== undefined) out.trialLeaseTtlMs = job.trialLeaseTtlMs
  if (job.pollIntervalMs !== undefined) out.pollIntervalMs = job.pollIntervalMs
  return out
}

/** The settings snapshot stored with a session the composition root starts. */
export interface CairnSettings {
  /** The optimizer's name when it was chosen by name (a resume builds the same one). */
  optimizer?: string
}

/** Reads `CairnSettings` back from a head's `settings`. */
export function readSettings(settings: Json | undefined): CairnSettings {
  if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) return {}
  const optimizer = (settings as Record<string, Json>)['optimizer']
  return typeof optimizer === 'string' ? { optimizer } : {}
}

/** A fresh session id for a job: `<job>-<time>-<random>`, safe as a session id. */
export function newJobSessionId(job: string): string {
  const stem = job
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/\.\.+/g, '.')
    .slice(0, 80)
  return `${stem}-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 6)}`
}
