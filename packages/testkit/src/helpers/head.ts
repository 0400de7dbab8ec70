import { Rng } from '@cairn/core'
import { newSessionId } from '@cairn/core/store-kit'
import type { CheckpointHead, TrialRecord } from '@cairn/core'

/** The lease owner `makeHead` gives new sessions unless told otherwise. */
export const TEST_OWNER = 'testkit-owner'

/**
 * A valid head for a NEW session (revision 0, status `running`, no trials) holding a live
 * lease (`fencingToken` 1, owner `testkit-owner`, 60 s), ready for `store.create()`.
 * Every field can be overridden; `sessionId` defaults to a fresh random id.
 */
export function makeHead(overrides: Partial<CheckpointHead> = {}): CheckpointHead {
  const now = Date.now()
  return {
    sessionId: newSessionId(),
    status: 'running',
    optimizer: { id: '@cairn/testkit/fake-optimizer', stateVersion: 1 },
    optimizerOptions: {},
    seed: 1,
    direction: 'minimize',
    createdAt: now,
    updatedAt: now,
    progress: { attempts: 0, completed: 0, errors: 0, bestScore: null, bestTrialIdx: null, startedAt: now },
    limits: { maxTrials: null, maxErrors: 5, trialTimeoutMs: null, parallelism: 1 },
    optimizerState: new Uint8Array([0]),
    rngState: Rng.fromSeed(1).state(),
    pending: [],
    revision: 0,
    lease: { owner: TEST_OWNER, fencingToken: 1, expiresAt: now + 60_000 },
    ...overrides,
  }
}

/**
 * A valid `ok` trial record for index `idx` (candidate `{ x: idx }`, score `idx`),
 * with any field overridden.
 */
export function makeTrial(idx: number, overrides: Partial<TrialRecord> = {}): TrialRecord {
  return { trialIdx: idx, candidate: { x: idx }, score: idx, status: 'ok', durationMs: 1, ...overrides }
}

/**
 * The head that accounts for `trials` on top of `head`: counters, best score and index,
 * `updatedAt`, optimizer state and rng state advanced as a driver would. `revision` and
 * `lease` are left as they are (the store sets them). Fields in `overrides` win.
 */
export function nextHead(head: CheckpointHead, trials: readonly TrialRecord[], overrides: Partial<CheckpointHead> = {}): CheckpointHead {
  const progress = { ...head.progress }
  for (const t of trials) {
    progress.attempts++
    if (t.status === 'ok') {
      progress.completed++
      const better =
        t.score !== undefined &&
        (progress.bestScore === null || (head.direction === 'maximize' ? t.score > progress.bestScore : t.score < progress.bestScore))
      if (better && t.score !== undefined) {
        progress.bestScore = t.score
        progress.bestTrialIdx = t.trialIdx
      }
    } else if (t.status === 'pruned') progress.pruned = (progress.pruned ?? 0) + 1
    else progress.errors++
  }
  const rng = Rng.fromState(head.rngState)
  rng.next()
  return {
    ...head,
    progress,
    updatedAt: Math.max(Date.now(), head.updatedAt),
    optimizerState: new TextEncoder().encode(`state after ${progress.attempts} trials`),
    rngState: rng.state(),
    ...overrides,
  }
}
