import { hostname } from 'node:os'
import type { Direction, Limits } from '../checkpoint/types.js'
import { InvalidInputError } from '../errors.js'
import type { Optimizer } from '../optimizer/contract.js'
import { checkPruner } from '../pruner/checks.js'
import { parseSpace, type SearchSpace } from '../space/space.js'
import { assertSessionId } from '../store/session-id.js'
import { canonicalJson } from '../util/canonical-json.js'
import { ResumeOptionsSchema, StartOptionsSchema } from './option-schemas.js'
import { checkSpecificationVersion } from './specification.js'
import type { DriveOptions, ResumeOptions, StartOptions } from './types.js'

export const DEFAULT_LEASE_TTL_MS = 30_000
export const DEFAULT_MAX_ERRORS = 5
/** How long `resumeSession({ waitForLease: true })` waits: two default lease TTLs. */
export const DEFAULT_LEASE_WAIT_MS = 60_000

/**
 * Throws `InvalidInputError` naming the first malformed field of the drive options (what the
 * schema cannot say: the optimizer's own fields, objective versus program + trainset + metric).
 */
function checkDriveFields(opts: DriveOptions & { valsetHash?: string }): void {
  checkOptimizer(opts.optimizer)
  checkPruner(opts.pruner)
  const hasObjective = opts.objective !== undefined
  const hasProgram = opts.program !== undefined || opts.metric !== undefined
  if (hasObjective && hasProgram) throw new InvalidInputError('give either objective or program + trainset + metric, not both', 'objective')
  if (!hasObjective && !hasProgram && !coordinatesOnly(opts))
    throw new InvalidInputError(
      "an objective (or program + trainset + metric) is required, unless the session only coordinates workers (evaluation: 'shared', evaluateLocally: false)",
      'objective',
    )
  if (hasProgram) {
    if (typeof opts.program !== 'function') throw new InvalidInputError('must be a function (config, example, ctx) => output', 'program')
    if (typeof opts.metric !== 'function') throw new InvalidInputError('must be a function (example, output) => number', 'metric')
    if (!Array.isArray(opts.trainset) || opts.trainset.length === 0) throw new InvalidInputError('must be a non-empty array', 'trainset')
  }
  checkValset(opts, hasProgram)
}

/** True when the driver evaluates nothing itself: its workers do (`evaluation: 'shared'`, `evaluateLocally: false`). */
export function coordinatesOnly(opts: DriveOptions): boolean {
  return opts.evaluation === 'shared' && opts.evaluateLocally === false
}

/** `valset` belongs to program sessions and is never empty; `valsetHash` names the hash of a valset given with it. */
function checkValset(opts: DriveOptions & { valsetHash?: string }, hasProgram: boolean): void {
  if (opts.valset !== undefined) {
    if (!hasProgram)
      throw new InvalidInputError('is for program + trainset + metric sessions: held-out examples candidates are scored on', 'valset')
    if (opts.valset.length === 0) throw new InvalidInputError('must be a non-empty array of examples (or leave it out)', 'valset')
  }
  if (opts.valsetHash !== undefined && opts.valset === undefined)
    throw new InvalidInputError('is given without a valset: pass the valset it is the hash of', 'valsetHash')
}

/** Throws `InvalidInputError` (`UnknownOptionError` for an unknown key) naming the first malformed field of `resumeSession`'s options. */
export function checkResumeOptions(opts: ResumeOptions): void {
  ResumeOptionsSchema.check(opts)
  checkDriveFields(opts)
}

/**
 * Throws `InvalidInputError` (`UnknownOptionError` for an unknown key) naming the first
 * malformed field of `startSession`'s (or `compile`'s) options. Returns the parsed space.
 */
export function checkStartOptions(opts: StartOptions): SearchSpace | undefined {
  StartOptionsSchema.check(opts)
  checkDriveFields(opts)
  if (opts.sessionId !== undefined) assertSessionId(opts.sessionId)
  if (opts.settings !== undefined) {
    try {
      canonicalJson(opts.settings)
    } catch (err) {
      throw new InvalidInputError(`must be JSON (${(err as Error).message})`, 'settings')
    }
  }
  return opts.space === undefined ? undefined : parseSpace(opts.space)
}

function checkOptimizer(optimizer: Optimizer | undefined): void {
  if (optimizer === null || typeof optimizer !== 'object')
    throw new InvalidInputError('is required (e.g. tpe() from @cairn/optimizers)', 'optimizer')
  checkSpecificationVersion(optimizer, 'optimizer')
  if (typeof optimizer.id !== 'string' || optimizer.id.length === 0)
    throw new InvalidInputError('must have a non-empty string id', 'optimizer.id')
  if (!Number.isSafeInteger(optimizer.stateVersion) || optimizer.stateVersion < 0)
    throw new InvalidInputError('must be a non-negative integer', 'optimizer.stateVersion')
  for (const method of ['init', 'step', 'encodeState', 'decodeState'] as const) {
    if (typeof optimizer[method] !== 'function') throw new InvalidInputError('must be a function', `optimizer.${method}`)
  }
}

/**
 * How long `resumeSession` waits for another driver's lease (`waitForLease`), or null when it
 * does not wait. The value was checked by `checkResumeOptions`.
 */
export function leaseWaitMs(value: ResumeOptions['waitForLease']): number | null {
  if (value === undefined || value === false) return null
  if (value === true) return DEFAULT_LEASE_WAIT_MS
  return value.timeoutMs ?? DEFAULT_LEASE_WAIT_MS
}

/** The limits a new session starts with. */
export function limitsFrom(opts: DriveOptions): Limits {
  return {
    maxTrials: opts.maxTrials ?? null,
    maxErrors: opts.maxErrors ?? DEFAULT_MAX_ERRORS,
    trialTimeoutMs: opts.trialTimeoutMs ?? null,
    parallelism: opts.parallelism ?? 1,
    ...(opts.retryFailed ? { retryFailed: opts.retryFailed } : {}),
  }
}

/** Stored limits with the caller's overrides applied (resume). */
export function mergeLimits(stored: Limits, opts: DriveOptions): Limits {
  return {
    maxTrials: opts.maxTrials !== undefined ? opts.maxTrials : stored.maxTrials,
    maxErrors: opts.maxErrors ?? stored.maxErrors,
    trialTimeoutMs: opts.trialTimeoutMs ?? stored.trialTimeoutMs,
    parallelism: opts.parallelism ?? stored.parallelism,
    ...retryLimit(opts.retryFailed ?? stored.retryFailed),
  }
}

/** `retryFailed` as a limit field: absent when 0. */
function retryLimit(retryFailed: number | undefined): Pick<Limits, 'retryFailed'> {
  return retryFailed ? { retryFailed } : {}
}

/** `minimize` unless given; program/trainset/metric sessions default to `maximize`. */
export function defaultDirection(opts: StartOptions): Direction {
  return opts.direction ?? (opts.program !== undefined ? 'maximize' : 'minimize')
}

/** A lease owner name unique to this driver. */
export function defaultOwner(): string {
  return `${hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`
}

/** A random seed when none is given (recorded in the checkpoint so a resume reuses it). */
export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] as number
}
