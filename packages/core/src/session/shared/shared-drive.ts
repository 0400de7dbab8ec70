import { InvalidInputError } from '../../errors.js'
import type { Optimizer } from '../../optimizer/contract.js'
import type { CheckpointStore } from '../../store/contract.js'
import type { DriveOptions } from '../types.js'
import { systemEnv, type SharedEnv } from './env.js'
import { SHARED_STORES_HINT, sharedStoreProblem } from './store-support.js'

/** How a driver coordinates a shared session (absent: it evaluates alone). */
export interface SharedDrive {
  /** The coordinator's process runs a worker loop of its own. */
  evaluateLocally: boolean
  trialLeaseTtlMs: number
  pollIntervalMs: number
  env: SharedEnv
}

/** A claim lapses this long after its last renewal, by default. */
export const DEFAULT_TRIAL_LEASE_TTL_MS = 30_000
/** How often a coordinator reads its workers' results, by default. */
export const DEFAULT_COORDINATOR_POLL_MS = 50
/** How often an idle worker reads the session for work, by default. */
export const DEFAULT_WORKER_POLL_MS = 100

/**
 * The shared-evaluation settings of a drive in mode `mode`, or undefined for a local one.
 * Throws `InvalidInputError` (field `evaluation`) when the store cannot share trials between
 * workers or the optimizer has no sampler (ask/tell) to keep several trials pending; `hint`
 * ends the message (what else the caller can do).
 */
export function sharedDrive(
  mode: 'local' | 'shared',
  opts: DriveOptions,
  store: CheckpointStore,
  hint = '',
  env: SharedEnv = systemEnv,
): SharedDrive | undefined {
  if (mode !== 'shared') return undefined
  const storeProblem = sharedStoreProblem(store)
  if (storeProblem)
    throw new InvalidInputError(
      `shared evaluation needs a store that shares trial slots: ${storeProblem}; ${SHARED_STORES_HINT}${hint}`,
      'evaluation',
    )
  checkSampler(opts.optimizer, hint)
  return {
    evaluateLocally: opts.evaluateLocally ?? true,
    trialLeaseTtlMs: opts.trialLeaseTtlMs ?? DEFAULT_TRIAL_LEASE_TTL_MS,
    pollIntervalMs: opts.pollIntervalMs ?? DEFAULT_COORDINATOR_POLL_MS,
    env,
  }
}

function checkSampler(optimizer: Optimizer, hint: string): void {
  if (optimizer.sampler) return
  throw new InvalidInputError(
    `shared evaluation needs an ask/tell optimizer (one built with askTell(), such as randomSearch() or tpe()) to keep trials pending for workers; "${optimizer.id}" is step-based${hint}`,
    'evaluation',
  )
}
