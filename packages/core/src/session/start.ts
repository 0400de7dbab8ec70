import type { CheckpointHead } from '../checkpoint/types.js'
import { AlreadyRunningError, InvalidInputError, isCairnError } from '../errors.js'
import type { Json } from '../json.js'
import { Rng } from '../random/rng.js'
import { createMemoryStore } from '../store/memory.js'
import { assertSessionId, newSessionId } from '../store/session-id.js'
import { prunerInfo } from '../pruner/checks.js'
import { SessionDriver } from './driver.js'
import { checkSpaceSupport } from './space-support.js'
import { targetOf } from './target.js'
import { checkStartOptions, DEFAULT_LEASE_TTL_MS, defaultDirection, defaultOwner, isAskTell, limitsFrom, randomSeed } from './options.js'
import { AskTellSession } from './ask-tell/session.js'
import { samplerOf } from './ask-tell/loaded.js'
import { claim, unclaim } from './registry.js'
import { checkSpecificationVersion } from './specification.js'
import { checkWarmStartOptions, findWarmStart, seedViews, WarmStartWriter, type WarmStartFound } from './warm-start.js'
import { warmStartKeys, type WarmStartKeys } from './warm-start-keys.js'
import { defaultTrainsetHash } from './trainset-hash.js'
import { valsetHashOf } from './valset.js'
import { sharedDrive } from './shared/shared-drive.js'
import { checkMultiObjective, resolveDirections } from '../objectives/directions.js'
import type { SessionHandle, StartOptions } from './types.js'

/**
 * Starts a new session and drives it in the background; resolves once the session is
 * created (revision 0, lease taken). Without an objective (nor program + trainset + metric,
 * nor shared evaluation) the session is driven by its caller instead: the handle's `ask()` and
 * `tell()` (an ask/tell optimizer is required), and the session rests `paused` between calls,
 * holding no lease. Throws `InvalidInputError` for malformed options (and for
 * `evaluation: 'shared'` on a store that cannot share trials or with a step-based optimizer)
 * and `AlreadyRunningError` when the id is driven here or elsewhere.
 */
export async function startSession<Example = unknown>(opts: StartOptions<Example>): Promise<SessionHandle> {
  const space = checkStartOptions(opts as StartOptions)
  checkSpaceSupport(opts.optimizer, space)
  const maxSeeds = checkWarmStartOptions(opts.warmStart, 'startSession')
  if (opts.store !== undefined) checkSpecificationVersion(opts.store, 'store')
  const store = opts.store ?? createMemoryStore()
  const sessionId = opts.sessionId ?? newSessionId()
  assertSessionId(sessionId)
  const seed = opts.seed ?? randomSeed()
  const { direction, directions } = resolveDirections(opts, defaultDirection(opts as StartOptions))
  checkMultiObjective(opts.optimizer, directions)
  if (directions && opts.warmStart?.reuseFinal)
    throw new InvalidInputError(
      "needs one objective: a session's result with several objectives is the Pareto front of its own trials; leave reuseFinal out (a finished run's front still seeds the new session)",
      'warmStart.reuseFinal',
    )
  const owner = opts.owner ?? defaultOwner()
  const leaseTtlMs = opts.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS
  const limits = limitsFrom(opts as StartOptions)
  const trainsetHash = opts.trainsetHash ?? (opts.trainset ? defaultTrainsetHash(opts.trainset) : undefined)
  const valsetHash = valsetHashOf(opts)
  const shared = sharedDrive(opts.evaluation ?? 'local', opts as StartOptions, store)
  const askTell = isAskTell(opts as StartOptions)
  if (askTell) samplerOf(opts.optimizer)

  claim(store, sessionId)
  try {
    const optimizer = opts.optimizer
    let keys: WarmStartKeys | undefined
    let found: WarmStartFound = { source: 'none' }
    if (opts.warmStart) {
      keys = warmStartKeys({
        optimizerId: optimizer.id,
        ...(space ? { space: space as unknown as Json } : {}),
        ...(trainsetHash ? { trainsetHash } : {}),
        ...(valsetHash ? { valsetHash } : {}),
        ...(opts.job ? { job: opts.job } : {}),
        ...(directions ? { objectives: directions } : {}),
      })
      found = await findWarmStart(opts.warmStart, keys, maxSeeds, directions ?? [direction])
    }
    const seeds = found.source === 'exact' || found.source === 'preloaded' ? found.seeds : []
    const history = seedViews(seeds)
    const rng = Rng.fromSeed(seed)
    const state = await optimizer.init({
      seed,
      rng,
      direction,
      ...(directions ? { directions } : {}),
      history,
      ...(space ? { space } : {}),
      ...(opts.trainset ? { trainset: opts.trainset } : {}),
      ...(opts.valset ? { valset: opts.valset } : {}),
    })
    const now = Date.now()
    const lease = { owner, fencingToken: 1, expiresAt: now + leaseTtlMs }
    const head: CheckpointHead = {
      sessionId,
      status: 'running',
      optimizer: { id: optimizer.id, stateVersion: optimizer.stateVersion },
      optimizerOptions: (optimizer.options ?? null) as Json,
      seed,
      direction,
      ...(directions ? { directions } : {}),
      createdAt: now,
      updatedAt: now,
      progress: { attempts: 0, completed: 0, errors: 0, bestScore: null, bestTrialIdx: null, startedAt: now },
      limits,
      optimizerState: optimizer.encodeState(state),
      rngState: rng.state(),
      pending: [],
      revision: 0,
      lease,
    }
    if (opts.name !== undefined) head.name = opts.name
    if (opts.job !== undefined) head.job = opts.job
    if (trainsetHash !== undefined) head.trainsetHash = trainsetHash
    if (valsetHash !== undefined) head.valsetHash = valsetHash
    if (space) head.space = space as unknown as Json
    if (opts.settings !== undefined) head.settings = opts.settings
    if (shared) head.evaluation = 'shared'
    if (opts.pruner) {
      head.pruner = prunerInfo(opts.pruner)
      head.progress.pruned = 0
    }
    if (keys) {
      head.warmStart = {
        source: found.source === 'final' ? 'exact' : found.source,
        exactKey: keys.exact,
        seedKey: keys.seed,
        seededTrials: seeds.length,
      }
      if (seeds.length > 0) head.seeds = seeds
    }
    if (found.source === 'final') {
      head.status = 'completed'
      head.terminalReason = 'warm-start-final'
      head.progress = { ...head.progress, bestScore: found.entry.objective }
      if (found.payload.bestArtifact !== undefined) head.bestArtifact = found.payload.bestArtifact
    }
    if (askTell && head.status === 'running') head.status = 'paused'
    try {
      await store.create(head)
    } catch (err) {
      if (isCairnError(err, 'REVISION_CONFLICT')) throw await existingSessionError(store, sessionId)
      throw err
    }
    if (askTell) {
      await store.releaseLease(sessionId, lease).catch(() => undefined)
      unclaim(store, sessionId)
      return new AskTellSession({
        store,
        head,
        optimizer,
        owner,
        ...(opts.maxOutstanding !== undefined ? { maxOutstanding: opts.maxOutstanding } : {}),
      })
    }
    const driver = new SessionDriver({
      store,
      head,
      lease,
      optimizer,
      state,
      rng,
      history,
      ...(opts.warmStart && keys
        ? { warmStart: new WarmStartWriter(opts.warmStart.store, keys, maxSeeds, opts.warmStart.producerVersion) }
        : {}),
      target: targetOf(opts as StartOptions),
      limits,
      leaseTtlMs,
      owner,
      resumed: false,
      ...(shared ? { shared } : {}),
      ...(opts.pruner ? { pruner: opts.pruner } : {}),
      ...(space ? { space } : {}),
      ...(opts.trainset ? { trainset: opts.trainset } : {}),
      ...(opts.valset ? { valset: opts.valset } : {}),
      ...(opts.program ? { program: opts.program } : {}),
      ...(opts.metric ? { metric: opts.metric } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    })
    if (found.source === 'final') {
      await store.releaseLease(sessionId, lease).catch(() => undefined)
      unclaim(store, sessionId)
      return driver
    }
    driver.start()
    return driver
  } catch (err) {
    unclaim(store, sessionId)
    throw err
  }
}

async function existingSessionError(store: StartOptions['store'] & object, sessionId: string): Promise<Error> {
  try {
    const existing = await store.load(sessionId)
    if (existing.lease && existing.lease.expiresAt > Date.now())
      return new AlreadyRunningError(sessionId, existing.lease.owner, undefined, { leaseExpiresAt: existing.lease.expiresAt })
    return new InvalidInputError(
      `session "${sessionId}" already exists (${existing.status}); resume it with resumeSession() or choose another id`,
      'sessionId',
    )
  } catch (err) {
    return err as Error
  }
}
