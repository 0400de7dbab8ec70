import { CairnError, rebuildHead, Rng } from '@cairn/core'
import type { CheckpointHead, CheckpointStore, Lease, SalvagedSession, SessionStatus } from '@cairn/core'
import { corruptHeadError, type SkipReason } from './errors.js'
import { resolveJob, type JobRegistry } from './jobs.js'
import { takeLease } from './take-lease.js'

/** What a rebuild did. */
export type RebuildOutcome =
  | {
      kind: 'rebuilt'
      sessionId: string
      trials: number
      status: SessionStatus
      lost: string[]
      keptAs: string
      problem: string
    }
  /** The head decodes (now): nothing to rebuild. */
  | { kind: 'intact' }
  | { kind: 'skipped'; reason: SkipReason }

/** Whether `store` can salvage damaged heads. */
export function canSalvage(store: CheckpointStore): boolean {
  return typeof store.salvage === 'function' && typeof store.replaceDamagedHead === 'function'
}

/**
 * Rebuilds the damaged head of a running session from its trial log: takes the lease, asks
 * the store what it can vouch for, resolves the session's job (its `head` is then provisional:
 * what the salvage recovered), builds the head with core's `rebuildHead` and puts it in place
 * with `replaceDamagedHead`, which keeps the damaged bytes aside. Throws a
 * `CheckpointCorruptError` saying why when it cannot (the store cannot vouch for the trials,
 * kept no listing, the session was not running, the job cannot tell what is lost).
 */
export async function rebuildDamagedHead(
  store: CheckpointStore,
  jobs: JobRegistry,
  sessionId: string,
  o: { owner: string; ttlMs: number; now: number; onLease(lease: Lease): void },
): Promise<RebuildOutcome> {
  const taken = await takeLease(store, sessionId, o.owner, o.ttlMs)
  if ('skipped' in taken) return { kind: 'skipped', reason: taken.skipped }
  const { lease } = taken
  o.onLease(lease)
  const salvaged = await (store.salvage as NonNullable<CheckpointStore['salvage']>).call(store, sessionId)
  if (!salvaged) return { kind: 'intact' }
  const refuse = (why: string, cause?: unknown): Error => corruptHeadError(sessionId, `${salvaged.problem}; not rebuilt: ${why}`, cause)
  if (salvaged.trials === null) throw refuse(salvaged.trialsProblem ?? 'the store cannot vouch for its trial log')
  const listing = salvaged.listing
  if (!listing) throw refuse('the store kept no readable listing beside it (job, optimizer, status)')
  if (listing.status !== 'running')
    throw refuse(`the session was ${listing.status}, and a monitor rebuilds only the running sessions it is to resume`)
  let built: Awaited<ReturnType<typeof rebuildHead>>
  try {
    const options = await resolveJob(jobs, sessionId, listing.job, {
      sessionId,
      attempt: 0,
      head: provisionalHead(salvaged),
      rebuilding: true,
    })
    const hints = options.rebuild ?? {}
    const maxTrials = hints.maxTrials ?? options.maxTrials
    built = await rebuildHead(salvaged, {
      optimizer: options.optimizer,
      ...(options.space !== undefined ? { space: options.space } : {}),
      ...(options.trainset !== undefined ? { trainset: options.trainset } : {}),
      ...(options.trainsetHash !== undefined ? { trainsetHash: options.trainsetHash } : {}),
      ...(options.valset !== undefined ? { valset: options.valset } : {}),
      ...(options.valsetHash !== undefined ? { valsetHash: options.valsetHash } : {}),
      ...(hints.direction !== undefined ? { direction: hints.direction } : {}),
      ...(options.directions !== undefined ? { directions: options.directions } : {}),
      ...(hints.seed !== undefined ? { seed: hints.seed } : {}),
      ...(maxTrials !== undefined ? { maxTrials } : {}),
      ...(options.maxErrors !== undefined ? { maxErrors: options.maxErrors } : {}),
      ...(options.trialTimeoutMs !== undefined ? { trialTimeoutMs: options.trialTimeoutMs } : {}),
      ...(options.parallelism !== undefined ? { parallelism: options.parallelism } : {}),
      ...(options.pruner !== undefined ? { pruner: options.pruner } : {}),
      now: o.now,
    })
  } catch (err) {
    // A job that cannot tell what the damaged head held is a reason to keep it as it is, not to retry.
    if (err instanceof CairnError && err.code !== 'TIMEOUT') throw refuse(err.message, err)
    throw err
  }
  const { head, lost } = built
  head.recovery = { attempts: 0, atTrial: salvaged.trials.length, rebuiltAt: o.now, lastOwner: o.owner }
  const replace = store.replaceDamagedHead as NonNullable<CheckpointStore['replaceDamagedHead']>
  const { keptAs } = await replace.call(store, sessionId, { damage: salvaged.damage, fencingToken: lease.fencingToken, head })
  return { kind: 'rebuilt', sessionId, trials: salvaged.trials.length, status: head.status, lost, keptAs, problem: salvaged.problem }
}

/**
 * The head a job factory sees while a damaged head is rebuilt: what the salvage recovered
 * (id, name, job, status, optimizer id, trial count, lease); the rest is placeholders
 * (`optimizerOptions` null, no settings, seed 0, stateVersion 0).
 */
function provisionalHead(s: SalvagedSession): CheckpointHead {
  const listing = s.listing
  const now = listing?.updatedAt ?? 0
  const head: CheckpointHead = {
    sessionId: s.sessionId,
    status: listing && listing.status !== 'corrupt' ? listing.status : 'running',
    optimizer: { id: listing?.optimizer ?? '', stateVersion: 0 },
    optimizerOptions: null,
    seed: 0,
    direction: 'minimize',
    createdAt: now,
    updatedAt: now,
    progress: {
      attempts: s.trials?.length ?? 0,
      completed: listing?.completed ?? 0,
      errors: 0,
      bestScore: listing?.bestScore ?? null,
      bestTrialIdx: null,
      startedAt: now,
    },
    limits: { maxTrials: null, maxErrors: 5, trialTimeoutMs: null, parallelism: 1 },
    optimizerState: new Uint8Array(0),
    rngState: Rng.fromSeed(0).state(),
    pending: [],
    revision: s.revision ?? 0,
    lease: s.lease,
  }
  if (listing?.name !== undefined) head.name = listing.name
  if (listing?.job !== undefined) head.job = listing.job
  return head
}
