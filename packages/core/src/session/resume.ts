import { AlreadyTerminalError, CheckpointCorruptError, InvalidInputError, ResumeMismatchError } from '../errors.js'
import { isTerminal, type CheckpointHead, type Lease, type TrialRecord } from '../checkpoint/types.js'
import { Rng } from '../random/rng.js'
import { parseSpace } from '../space/space.js'
import type { CheckpointStore } from '../store/contract.js'
import { assertSessionId } from '../store/session-id.js'
import { checkSpecificationVersion } from './specification.js'
import { canonicalJson } from '../util/canonical-json.js'
import { SessionDriver } from './driver.js'
import { retryWhileLeased } from './lease-wait.js'
import { checkDriveOptions, DEFAULT_LEASE_TTL_MS, defaultOwner, leaseWaitMs, mergeLimits } from './options.js'
import { toView } from './progress.js'
import { claim, unclaim } from './registry.js'
import { targetOf } from './target.js'
import { DEFAULT_TRAINSET_HASH_PREFIX, defaultTrainsetHash } from './trainset-hash.js'
import type { ResumeOptions, SessionHandle } from './types.js'
import { checkWarmStartOptions, seedViews, WarmStartWriter } from './warm-start.js'
import { warmStartKeys } from './warm-start-keys.js'

/**
 * Resumes a stored session where its last commit left it. Refuses terminal sessions
 * (`AlreadyTerminalError`), a different optimizer id or state version, trainset or space
 * (`ResumeMismatchError`), and a session driven elsewhere (`AlreadyRunningError`, which says
 * when the holder's lease expires). A refusal changes nothing in the store. With
 * `waitForLease`, a session driven elsewhere is waited for until its lease is released or
 * expires, up to a timeout (then `TimeoutError`).
 */
export async function resumeSession<Example = unknown>(
  store: CheckpointStore,
  sessionId: string,
  opts: ResumeOptions<Example>,
): Promise<SessionHandle> {
  const waitMs = opts !== null && typeof opts === 'object' ? leaseWaitMs(opts.waitForLease) : null
  const attempt = (): Promise<SessionHandle> => resumeOnce(store, sessionId, opts)
  if (waitMs === null) return attempt()
  return retryWhileLeased(store, sessionId, attempt, { timeoutMs: waitMs, ...(opts.signal ? { signal: opts.signal } : {}) })
}

/** One attempt of `resumeSession`. */
async function resumeOnce<Example>(store: CheckpointStore, sessionId: string, opts: ResumeOptions<Example>): Promise<SessionHandle> {
  if (!store || typeof store.load !== 'function') throw new InvalidInputError('must be a CheckpointStore', 'store')
  checkSpecificationVersion(store, 'store')
  assertSessionId(sessionId)
  checkDriveOptions(opts as ResumeOptions)
  const maxSeeds = checkWarmStartOptions(opts.warmStart)
  const optimizer = opts.optimizer
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
    const state = optimizer.decodeState(head.optimizerState, head.optimizer.stateVersion)
    const rng = Rng.fromState(head.rngState)
    const trials = await store.readTrials(sessionId)
    checkTrialLog(sessionId, trials, head.progress.attempts)
    const driver = new SessionDriver({
      store,
      head: { ...head, lease },
      lease,
      optimizer,
      state,
      rng,
      history: [...seedViews(head.seeds ?? []), ...trials.map((t) => toView(t))],
      ...(opts.warmStart ? { warmStart: warmStartWriter(head, opts, maxSeeds) } : {}),
      target: targetOf(opts as ResumeOptions),
      limits: mergeLimits(head.limits, opts as ResumeOptions),
      leaseTtlMs,
      owner,
      resumed: true,
      ...(space ? { space } : {}),
      ...(opts.trainset ? { trainset: opts.trainset } : {}),
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
    if (head.optimizer.id !== optimizer.id) throw new ResumeMismatchError('optimizer-id', head.optimizer.id, optimizer.id)
    if (head.optimizer.stateVersion !== optimizer.stateVersion)
      throw new ResumeMismatchError('state-version', head.optimizer.stateVersion, optimizer.stateVersion)
    if (canonicalJson(head.optimizerOptions ?? null) !== canonicalJson(optimizer.options ?? null))
      throw new ResumeMismatchError(
        'optimizer-options',
        head.optimizerOptions,
        optimizer.options ?? null,
        'resume with the options the session was started with',
      )
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
      throw new ResumeMismatchError('trainset-hash', head.trainsetHash, givenHash)
    if (head.trainsetHash === undefined && givenHash !== undefined && opts.program !== undefined)
      throw new ResumeMismatchError('trainset-hash', null, givenHash)
    if (opts.space !== undefined && head.space !== undefined && canonicalJson(parseSpace(opts.space)) !== canonicalJson(head.space))
      throw new ResumeMismatchError('space', head.space, opts.space)
  }
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

function warmStartWriter(head: CheckpointHead, opts: ResumeOptions<any>, maxSeeds: number): WarmStartWriter {
  const ws = opts.warmStart!
  const keys =
    head.warmStart?.exactKey && head.warmStart.seedKey
      ? { exact: head.warmStart.exactKey, seed: head.warmStart.seedKey }
      : warmStartKeys({
          optimizerId: head.optimizer.id,
          ...(head.space !== undefined ? { space: head.space } : {}),
          ...(head.trainsetHash ? { trainsetHash: head.trainsetHash } : {}),
          ...(head.job ? { job: head.job } : {}),
        })
  return new WarmStartWriter(ws.store, keys, maxSeeds, ws.producerVersion)
}
