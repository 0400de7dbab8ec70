import { AlreadyTerminalError, CheckpointCorruptError, InvalidInputError } from '../errors.js'
import { isTerminal, type CheckpointHead, type Lease, type Limits, type PendingTrial, type TrialRecord } from '../checkpoint/types.js'
import { Rng } from '../random/rng.js'
import { parseSpace } from '../space/space.js'
import { checkSpaceSupport } from './space-support.js'
import type { CheckpointStore } from '../store/contract.js'
import { assertSessionId } from '../store/session-id.js'
import { checkSpecificationVersion } from './specification.js'
import { canonicalJson } from '../util/canonical-json.js'
import { resumeMismatch } from '../util/resume-mismatch.js'
import { verifyPruner } from '../pruner/checks.js'
import { SessionDriver } from './driver.js'
import { missingMethods } from '../input/option-kinds.js'
import { describeValue } from '../input/options-schema.js'
import { retryWhileLeased } from './lease-wait.js'
import { STORE_METHODS } from './option-schemas.js'
import { checkResumeOptions, DEFAULT_LEASE_TTL_MS, defaultOwner, isAskTell, leaseWaitMs, mergeLimits } from './options.js'
import { AskTellSession } from './ask-tell/session.js'
import { samplerOf } from './ask-tell/loaded.js'
import { verifyOptimizer } from './verify-optimizer.js'
import { toView } from './progress.js'
import { claim, unclaim } from './registry.js'
import { targetOf } from './target.js'
import { DEFAULT_TRAINSET_HASH_PREFIX, defaultTrainsetHash } from './trainset-hash.js'
import type { ResumeOptions, SessionHandle } from './types.js'
import { checkWarmStartOptions, seedViews, WarmStartWriter } from './warm-start.js'
import { systemEnv, type SharedEnv } from './shared/env.js'
import { sharedDrive, type SharedDrive } from './shared/shared-drive.js'
import { warmStartKeys } from './warm-start-keys.js'
import { verifyValset } from './valset.js'
import { checkMultiObjective, directionsOf } from '../objectives/directions.js'

/**
 * Resumes a stored session where its last commit left it. Refuses terminal sessions
 * (`AlreadyTerminalError`), a different optimizer id, state version or options, trainset,
 * valset (or one given or left out against how the session was started),
 * space, direction, seed or pruner (`ResumeMismatchError`, naming the fields that differ), a
 * `maxTrials` below the trials the session already holds (`InvalidInputError`), and a session
 * driven elsewhere (`AlreadyRunningError`, which says when the holder's lease expires). A
 * refusal changes nothing in the store. Limits given (`maxTrials`, `maxErrors`,
 * `trialTimeoutMs`, `parallelism`) take effect and are stored. The session keeps its evaluation
 * mode (`local` or `shared`) unless `evaluation` is given; `shared` on a store that cannot share
 * trials, or with a step-based optimizer, is refused (`InvalidInputError`). With `waitForLease`, a session
 * driven elsewhere is waited for until its lease is released or expires, up to a timeout (then
 * `TimeoutError`); malformed options are refused at once, without waiting.
 */
export async function resumeSession<Example = unknown>(
  store: CheckpointStore,
  sessionId: string,
  opts: ResumeOptions<Example>,
): Promise<SessionHandle> {
  return resumeWith(store, sessionId, opts, systemEnv)
}

/** `resumeSession`, with the clock and sleep of shared evaluation given (a worker taking over passes its own). */
export async function resumeWith<Example = unknown>(
  store: CheckpointStore,
  sessionId: string,
  opts: ResumeOptions<Example>,
  env: SharedEnv,
): Promise<SessionHandle> {
  checkStoreArgument(store)
  checkSpecificationVersion(store, 'store')
  assertSessionId(sessionId)
  checkResumeOptions(opts as ResumeOptions)
  const maxSeeds = checkWarmStartOptions(opts.warmStart, 'resumeSession')
  const waitMs = leaseWaitMs(opts.waitForLease)
  if (opts.evaluation === 'shared') sharedDrive('shared', opts as ResumeOptions, store)
  if (isAskTell(opts as ResumeOptions)) return openAskTell(store, sessionId, opts as ResumeOptions)
  const attempt = (): Promise<SessionHandle> => resumeOnce(store, sessionId, opts, maxSeeds, env)
  if (waitMs === null) return attempt()
  return retryWhileLeased(store, sessionId, attempt, { timeoutMs: waitMs, ...(opts.signal ? { signal: opts.signal } : {}) })
}

/** One attempt of `resumeSession`, with its arguments checked. */
async function resumeOnce<Example>(
  store: CheckpointStore,
  sessionId: string,
  opts: ResumeOptions<Example>,
  maxSeeds: number,
  env: SharedEnv,
): Promise<SessionHandle> {
  const optimizer = opts.optimizer
  let shared: SharedDrive | undefined
  claim(store, sessionId)
  let lease: Lease | undefined
  try {
    verify(await store.load(sessionId))
    // Take the lease, then read the session again: what another driver committed before it
    // let go is part of what this one continues from.
    const owner = opts.owner ?? defaultOwner()
    const leaseTtlMs = opts.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS
    lease = await store.acquireLease(sessionId, owner, leaseTtlMs)
    const head = await store.load(sessionId)
    verify(head)
    const space = head.space !== undefined ? parseSpace(head.space) : undefined
    checkSpaceSupport(optimizer, space)
    const state = optimizer.decodeState(head.optimizerState, head.optimizer.stateVersion)
    const rng = Rng.fromState(head.rngState)
    const trials = await store.readTrials(sessionId)
    checkTrialLog(sessionId, trials, head.progress.attempts)
    // Limits given here take effect now (the progress display reads them from the handle's
    // head) and are stored with the next commit, so a later resume keeps them.
    const limits = mergeLimits(head.limits, opts as ResumeOptions)
    const resumedHead: CheckpointHead = { ...head, lease, limits, pending: pendingWithin(head, limits) }
    if (shared) resumedHead.evaluation = 'shared'
    else delete resumedHead.evaluation
    const driver = new SessionDriver({
      store,
      head: resumedHead,
      lease,
      optimizer,
      state,
      rng,
      history: [...seedViews(head.seeds ?? []), ...trials.map((t) => toView(t))],
      ...(opts.warmStart ? { warmStart: warmStartWriter(head, opts, maxSeeds) } : {}),
      target: targetOf(opts as ResumeOptions),
      limits,
      leaseTtlMs,
      owner,
      resumed: true,
      ...(shared ? { shared } : {}),
      ...(opts.pruner ? { pruner: opts.pruner } : {}),
      ...(space ? { space } : {}),
      ...(opts.trainset ? { trainset: opts.trainset } : {}),
      ...(opts.valset ? { valset: opts.valset } : {}),
      ...(opts.program ? { program: opts.program } : {}),
      ...(opts.metric ? { metric: opts.metric } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    })
    driver.start()
    return driver
  } catch (err) {
    if (lease) await store.releaseLease(sessionId, lease).catch(() => undefined)
    unclaim(store, sessionId)
    throw err
  }

  function verify(head: CheckpointHead): void {
    if (isTerminal(head.status)) throw new AlreadyTerminalError(sessionId, head.status)
    verifyOptimizer(head, optimizer)
    if (
      opts.trainsetHash === undefined &&
      opts.trainset &&
      head.trainsetHash !== undefined &&
      !head.trainsetHash.startsWith(DEFAULT_TRAINSET_HASH_PREFIX)
    )
      throw new InvalidInputError(
        `session "${sessionId}" was started with a caller-supplied trainsetHash (${head.trainsetHash}); pass the same trainsetHash when resuming so the trainset can be verified`,
        'trainsetHash',
      )
    const givenHash = opts.trainsetHash ?? (opts.trainset ? defaultTrainsetHash(opts.trainset) : undefined)
    if (head.trainsetHash !== undefined && givenHash !== undefined && givenHash !== head.trainsetHash)
      throw resumeMismatch('trainset-hash', head.trainsetHash, givenHash)
    if (head.trainsetHash === undefined && givenHash !== undefined && opts.program !== undefined)
      throw resumeMismatch('trainset-hash', null, givenHash)
    verifyValset(head, opts)
    verifyPruner(head, opts.pruner)
    if (opts.space !== undefined && head.space !== undefined && canonicalJson(parseSpace(opts.space)) !== canonicalJson(head.space))
      throw resumeMismatch('space', head.space, opts.space)
    if (opts.direction !== undefined && opts.direction !== head.direction)
      throw resumeMismatch('direction', head.direction, opts.direction, 'a session keeps the direction it was started with')
    if (opts.directions !== undefined && canonicalJson(opts.directions) !== canonicalJson(directionsOf(head)))
      throw resumeMismatch('directions', directionsOf(head), opts.directions, 'a session keeps the directions it was started with')
    checkMultiObjective(optimizer, head.directions)
    if (opts.seed !== undefined && opts.seed !== head.seed)
      throw resumeMismatch('seed', head.seed, opts.seed, 'a session keeps the seed it was started with')
    checkMaxTrials(head, opts.maxTrials)
    const mode = opts.evaluation ?? (head.evaluation === 'shared' ? 'shared' : 'local')
    const hint =
      opts.evaluation === undefined
        ? ` (session "${sessionId}" was started with shared evaluation: resume it with evaluation: 'local' to evaluate its trials here alone)`
        : ''
    shared = sharedDrive(mode, opts as ResumeOptions, store, hint, env)
  }
}

/**
 * Resumed without an objective: an ask/tell handle on the stored session. Nothing is written;
 * its outstanding trials (`outstanding()`) can be told, and `ask()` continues.
 */
async function openAskTell(store: CheckpointStore, sessionId: string, opts: ResumeOptions): Promise<SessionHandle> {
  samplerOf(opts.optimizer)
  const head = await store.load(sessionId)
  if (isTerminal(head.status)) throw new AlreadyTerminalError(sessionId, head.status)
  verifyOptimizer(head, opts.optimizer)
  checkMaxTrials(head, opts.maxTrials)
  if (opts.space !== undefined && head.space !== undefined && canonicalJson(parseSpace(opts.space)) !== canonicalJson(head.space))
    throw resumeMismatch('space', head.space, opts.space)
  if (opts.direction !== undefined && opts.direction !== head.direction)
    throw resumeMismatch('direction', head.direction, opts.direction, 'a session keeps the direction it was started with')
  if (opts.seed !== undefined && opts.seed !== head.seed)
    throw resumeMismatch('seed', head.seed, opts.seed, 'a session keeps the seed it was started with')
  const session = new AskTellSession({
    store,
    head,
    optimizer: opts.optimizer,
    owner: opts.owner ?? defaultOwner(),
    ...(opts.maxOutstanding !== undefined ? { maxOutstanding: opts.maxOutstanding } : {}),
  })
  // Limits given take effect and are stored, as for a driven session.
  const limits = mergeLimits(head.limits, opts)
  if (canonicalJson(limits) !== canonicalJson(head.limits)) await session.setLimits(limits)
  return session
}

/**
 * The trial log a store returned must be the one the head counts: trials 0 … attempts - 1, in
 * order. Anything else is damage the store did not catch, never a history to resume from.
 */
function checkTrialLog(sessionId: string, trials: readonly TrialRecord[], attempts: number): void {
  const what = `trial log of session "${sessionId}"`
  if (trials.length !== attempts)
    throw new CheckpointCorruptError(what, `the store returned ${trials.length} trials for a head that counts ${attempts}`)
  trials.forEach((t, i) => {
    if (t.trialIdx !== i) throw new CheckpointCorruptError(what, `the store returned trial ${t.trialIdx} at position ${i}`)
  })
}

/**
 * A budget lowered below the trials the session already recorded is refused: the session could
 * not end within it. Equal to it, the session completes at once.
 */
function checkMaxTrials(head: CheckpointHead, maxTrials: number | undefined): void {
  if (maxTrials === undefined) return
  const done = head.progress.attempts
  if (maxTrials < done)
    throw new InvalidInputError(
      `is ${maxTrials}, but session "${head.sessionId}" already has ${done} trial${done === 1 ? '' : 's'} recorded; ` +
        `give at least ${done}, or cancel the session to stop it`,
      'maxTrials',
    )
}

/**
 * Candidates asked before the session stopped but not yet recorded, within `limits`: those at
 * or past a lowered `maxTrials` are dropped, as an uninterrupted run with that budget never
 * asks them.
 */
function pendingWithin(head: CheckpointHead, limits: Limits): PendingTrial[] {
  const max = limits.maxTrials
  return max === null ? head.pending : head.pending.filter((p) => p.trialIdx < max)
}

function checkStoreArgument(store: unknown): asserts store is CheckpointStore {
  const missing = missingMethods(store, STORE_METHODS)
  if (missing.length > 0)
    throw new InvalidInputError(`must be a CheckpointStore (it has no ${missing.join(', ')}), got ${describeValue(store)}`, 'store')
}

function warmStartWriter(head: CheckpointHead, opts: ResumeOptions<any>, maxSeeds: number): WarmStartWriter {
  const ws = opts.warmStart!
  const keys =
    head.warmStart?.exactKey && head.warmStart.seedKey
      ? { exact: head.warmStart.exactKey, seed: head.warmStart.seedKey }
      : warmStartKeys({
          optimizerId: head.optimizer.id,
          ...(head.space !== undefined ? { space: head.space } : {}),
          ...(head.trainsetHash ? { trainsetHash: head.trainsetHash } : {}),
          ...(head.valsetHash ? { valsetHash: head.valsetHash } : {}),
          ...(head.job ? { job: head.job } : {}),
          ...(head.directions ? { objectives: head.directions } : {}),
        })
  return new WarmStartWriter(ws.store, keys, maxSeeds, ws.producerVersion)
}
