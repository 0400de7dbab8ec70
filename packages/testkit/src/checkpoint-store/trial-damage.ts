import { resumeSession, startSession } from '@cairn/core'
import type { CheckpointHead, CheckpointStore, Json, SessionStatus } from '@cairn/core'
import type { FixtureHook, StoreFixture } from '../fixture.js'
import { makeTrial, nextHead } from '../helpers/head.js'
import { rejectedWith, settle } from '../helpers/outcome.js'
import { defaultObjective, defaultSpace } from '../optimizer/defaults.js'
import { referenceOptimizer } from '../reference/random-search.js'
import type { StoreSuite } from './context.js'

/** Trials each session of these tests runs; the damaged one is followed by later commits. */
const TRIALS = 4
const DAMAGED = 1
const DRIVER = 'testkit-trial-damage-driver'

/**
 * A trial record damaged or missing relative to the head is reported, never papered over:
 * `readTrials` and `resumeSession` reject with `CHECKPOINT_CORRUPT` (never a short list), a
 * later commit hides nothing, and a completed session never reads back as running.
 */
export function registerTrialDamage(s: StoreSuite): void {
  const { expect } = s.runner
  const hooks: Array<{ hook: FixtureHook; what: string }> = [
    { hook: 'corruptTrial', what: 'a damaged trial record' },
    { hook: 'dropTrial', what: 'a missing trial record' },
  ]

  for (const { hook, what } of hooks) {
    s.itWithHook(
      hook,
      `${what}: readTrials and resumeSession → CHECKPOINT_CORRUPT, never a short list; a later commit hides nothing`,
      async (fx) => {
        const { store } = fx
        const id = `damaged-${hook}`
        const stored = await driveSession(store, id, 'paused')
        await damage(fx, hook, id, DAMAGED)

        expect(await settle(store.readTrials(id))).toMatchObject(rejectedWith('CHECKPOINT_CORRUPT'))
        expect(await settle(store.readTrials(id, { from: DAMAGED, limit: 1 }))).toMatchObject(rejectedWith('CHECKPOINT_CORRUPT'))
        expect(await settle(store.readTrials(id, { from: 0, limit: TRIALS }))).toMatchObject(rejectedWith('CHECKPOINT_CORRUPT'))
        const resumed = await settle(resumeSession(store, id, { optimizer: referenceOptimizer(), objective: defaultObjective }))
        expect(resumed).toMatchObject(rejectedWith('CHECKPOINT_CORRUPT'))
        await expectStatus(store, id, 'paused', stored)

        // A writer that still holds the session commits on top: refused, or it lands; either way
        // the damaged record is still reported, not replaced or skipped.
        const lease = await settle(store.acquireLease(id, 'testkit-stale-writer', 60_000))
        if (lease.outcome === 'resolved') {
          const trials = [makeTrial(TRIALS)]
          const head = nextHead({ ...stored, status: 'running' }, trials)
          const commit = await settle(
            store.commit(id, { expectedRevision: stored.revision, fencingToken: lease.value.fencingToken, head, trials }),
          )
          if (commit.outcome === 'rejected') expect(commit).toMatchObject(rejectedWith('CHECKPOINT_CORRUPT'))
        } else expect(lease).toMatchObject(rejectedWith('CHECKPOINT_CORRUPT'))
        expect(await settle(store.readTrials(id))).toMatchObject(rejectedWith('CHECKPOINT_CORRUPT'))
        expect(await settle(store.readTrials(id, { from: DAMAGED, limit: 1 }))).toMatchObject(rejectedWith('CHECKPOINT_CORRUPT'))
      },
    )

    s.itWithHook(hook, `${what} of a completed session: it never reads back as running, resume refuses`, async (fx) => {
      const { store } = fx
      const id = `completed-${hook}`
      const stored = await driveSession(store, id, 'completed')
      await damage(fx, hook, id, DAMAGED)

      expect(await settle(store.readTrials(id))).toMatchObject(rejectedWith('CHECKPOINT_CORRUPT'))
      await expectStatus(store, id, 'completed', stored)
      const resumed = await settle(resumeSession(store, id, { optimizer: referenceOptimizer(), objective: defaultObjective }))
      expect(resumed.outcome).toBe('rejected')
      expect(['ALREADY_TERMINAL', 'CHECKPOINT_CORRUPT']).toContain(resumed.outcome === 'rejected' ? resumed.code : null)
      await expectStatus(store, id, 'completed', stored)
    })
  }

  /** `load` gives the stored head (same status, count and revision) or CHECKPOINT_CORRUPT; `list` the same status or `corrupt`. */
  async function expectStatus(store: CheckpointStore, id: string, status: SessionStatus, stored: CheckpointHead): Promise<void> {
    const loaded = await settle(store.load(id))
    if (loaded.outcome === 'resolved') {
      const { status: got, revision, progress } = loaded.value
      expect({ status: got, revision, attempts: progress.attempts }).toEqual({
        status,
        revision: stored.revision,
        attempts: stored.progress.attempts,
      })
    } else expect(loaded).toMatchObject(rejectedWith('CHECKPOINT_CORRUPT'))
    const listed = (await store.list()).items.find((l) => l.sessionId === id)
    expect([status, 'corrupt']).toContain(listed?.status)
  }
}

/** Calls the fixture's hook (the suite registers these tests only when it is given). */
async function damage(fx: StoreFixture<CheckpointStore>, hook: FixtureHook, id: string, trialIdx: number): Promise<void> {
  const fault = fx[hook]
  if (typeof fault !== 'function') throw new Error(`[@cairn/testkit] the fixture gives no ${hook}`)
  await fault(id, trialIdx)
}

/**
 * Drives a real session of `TRIALS` trials with core's driver, and returns its stored head:
 * `completed` (its last commit ends it), or `paused` (asked to pause during its last trial,
 * so a status change follows the last trial's commit).
 */
async function driveSession(store: CheckpointStore, sessionId: string, end: 'paused' | 'completed'): Promise<CheckpointHead> {
  const handle = await startSession({
    store,
    sessionId,
    owner: DRIVER,
    optimizer: referenceOptimizer(),
    space: defaultSpace,
    seed: 11,
    maxTrials: end === 'completed' ? TRIALS : TRIALS * 10,
    objective: async (candidate: Json, ctx: { trialIdx: number }) => {
      if (end === 'paused' && ctx.trialIdx === TRIALS - 1) await store.requestControl(sessionId, 'pause')
      return defaultObjective(candidate)
    },
  })
  const result = await handle.wait()
  if (result.status !== end || result.progress.attempts !== TRIALS)
    throw new Error(
      `[@cairn/testkit] the session meant to be ${end} after ${TRIALS} trials ended ${result.status} after ${result.progress.attempts}`,
    )
  return store.load(sessionId)
}
