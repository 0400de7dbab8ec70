import { createHash } from 'node:crypto'
import type { CheckpointHead, Direction, Progress, TrialRecord } from '../checkpoint/types.js'
import { CheckpointCorruptError, InvalidInputError } from '../errors.js'
import type { Json } from '../json.js'
import { Rng } from '../random/rng.js'
import { parseSpace } from '../space/space.js'
import type { SalvagedSession } from '../store/contract.js'
import { resumeMismatch } from '../util/resume-mismatch.js'
import { RebuildHeadOptionsSchema } from './option-schemas.js'
import { limitsFrom } from './options.js'
import { advanceProgress, toView } from './progress.js'
import { checkPruner, prunerInfo } from '../pruner/checks.js'
import { defaultTrainsetHash } from './trainset-hash.js'
import { valsetHashOf } from './valset.js'
import type { RebuildHeadOptions } from './types.js'
import { resolveDirections } from '../objectives/directions.js'

/** A head rebuilt from a salvaged session, and what could not be recovered. */
export interface RebuiltHead {
  head: CheckpointHead
  /** What the damaged head held that is gone, and what stands in for it, one phrase each. */
  lost: string[]
}

/**
 * Rebuilds the head of a session whose head does not decode from what a store salvaged (its
 * trial log and its listing) and what the caller knows (the optimizer, the space, the budget).
 *
 * Kept: the trial log (every record, untouched), the counters and best trial (recomputed
 * from it), name, job and status (from the listing). Lost, and replaced: the optimizer's
 * state (re-derived by `optimizer.init` given the whole trial history, as for a warm start:
 * built-in optimizers read the history, so they continue; one that keeps what it learned only
 * in its own state starts over, with the history as context), the seed and RNG stream (a new
 * seed, so the run is not the one a straight run would have made from here), candidates
 * asked but not yet told (asked again), `createdAt`, settings, warm-start seeds and the best
 * artifact (the best trial's candidate instead), and the budget and the pruner unless given.
 *
 * Refuses (`CheckpointCorruptError`) when the store could not vouch for the trial log or kept
 * no listing, (`ResumeMismatchError`) when the optimizer is not the session's, and
 * (`InvalidInputError`) when the direction cannot be told or an option is malformed
 * (`UnknownOptionError` for a key it does not take).
 */
export async function rebuildHead(salvaged: SalvagedSession, options: RebuildHeadOptions): Promise<RebuiltHead> {
  RebuildHeadOptionsSchema.check(options)
  checkPruner(options.pruner)
  const { sessionId, trials, listing } = salvaged
  const what = `head of session "${sessionId}"`
  if (trials === null)
    throw new CheckpointCorruptError(what, `cannot be rebuilt: ${salvaged.trialsProblem ?? 'the store cannot vouch for its trial log'}`)
  if (listing === null || listing.status === 'corrupt')
    throw new CheckpointCorruptError(what, 'cannot be rebuilt: the store kept no readable listing (job, optimizer, status) beside it')
  const { optimizer } = options
  if (optimizer?.id !== listing.optimizer) throw resumeMismatch('optimizer-id', listing.optimizer, optimizer?.id)
  const lost = [
    'optimizer state (re-derived by init from the trial history)',
    'seed and RNG stream (a new seed)',
    'candidates asked but not told (asked again)',
    'createdAt (the rebuild time)',
    'settings, warm-start seeds and the best artifact (the best trial candidate instead)',
  ]
  const several = options.directions !== undefined && options.directions.length > 1
  if (!several && trials.some((t) => t.values !== undefined))
    throw new InvalidInputError(
      `session "${sessionId}" has several objectives (its trials hold values): give its directions to rebuild the head`,
      'directions',
    )
  const told = several ? undefined : (options.direction ?? options.directions?.[0] ?? directionFrom(listing.bestScore, trials))
  const { direction, directions } = resolveDirections(options, told ?? 'minimize')
  if (told === undefined && !several)
    throw new InvalidInputError(
      `session "${sessionId}": the direction cannot be told from its trial log and listing; give it to rebuild the head`,
      'direction',
    )
  if (options.direction === undefined && options.directions === undefined) lost.push(`direction (told from the best score: ${direction})`)
  const seed = options.seed ?? seedFrom(sessionId)
  const now = options.now ?? Date.now()
  const space = options.space !== undefined ? parseSpace(options.space) : undefined
  if (!space) lost.push('search space (none given)')
  if (!options.pruner && trials?.some((t) => t.status === 'pruned')) lost.push('the pruner (none given, and the log has pruned trials)')
  const trainsetHash = options.trainsetHash ?? (options.trainset ? defaultTrainsetHash(options.trainset) : undefined)
  const valsetHash = valsetHashOf(options)
  const limits = limitsFrom(options as Parameters<typeof limitsFrom>[0])
  let status = listing.status
  if (options.maxTrials === undefined) {
    lost.push(status === 'running' ? 'the trial budget (rebuilt paused: resume it with maxTrials)' : 'the trial budget')
    if (status === 'running') status = 'paused'
  }
  let progress: Progress = { attempts: 0, completed: 0, errors: 0, bestScore: null, bestTrialIdx: null, startedAt: now }
  for (const t of trials) progress = advanceProgress(progress, t, directions ?? direction)
  const rng = Rng.fromSeed(seed)
  const state = await optimizer.init({
    seed,
    rng,
    direction,
    ...(directions ? { directions } : {}),
    history: trials.map((t) => toView(t)),
    ...(space ? { space } : {}),
    ...(options.trainset ? { trainset: options.trainset } : {}),
    ...(options.valset ? { valset: options.valset } : {}),
  })
  const head: CheckpointHead = {
    sessionId,
    status,
    optimizer: { id: optimizer.id, stateVersion: optimizer.stateVersion },
    optimizerOptions: (optimizer.options ?? null) as Json,
    seed,
    direction,
    ...(directions ? { directions } : {}),
    createdAt: now,
    updatedAt: Math.max(now, listing.updatedAt),
    progress,
    limits,
    optimizerState: optimizer.encodeState(state),
    rngState: rng.state(),
    pending: [],
    revision: 0,
    lease: salvaged.lease,
  }
  if (listing.name !== undefined) head.name = listing.name
  if (listing.job !== undefined) head.job = listing.job
  if (trainsetHash !== undefined) head.trainsetHash = trainsetHash
  if (valsetHash !== undefined) head.valsetHash = valsetHash
  if (space) head.space = space as unknown as Json
  if (options.pruner) head.pruner = prunerInfo(options.pruner)
  if (status !== 'running' && status !== 'paused') head.terminalReason = 'rebuilt'
  const best = progress.bestTrialIdx !== null ? trials[progress.bestTrialIdx] : undefined
  if (best) head.bestArtifact = best.candidate
  return { head, lost }
}

/** `minimize` or `maximize` when the recorded best score is the lowest or the highest ok score, and not both. */
function directionFrom(bestScore: number | null, trials: readonly TrialRecord[]): Direction | undefined {
  if (bestScore === null) return undefined
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (const t of trials)
    if (t.status === 'ok' && t.score !== undefined) {
      min = Math.min(min, t.score)
      max = Math.max(max, t.score)
    }
  if (!(min < max)) return undefined
  if (bestScore === min) return 'minimize'
  if (bestScore === max) return 'maximize'
  return undefined
}

function seedFrom(sessionId: string): number {
  return Number.parseInt(createHash('sha256').update(`cairn-rebuild:${sessionId}`).digest('hex').slice(0, 8), 16)
}
