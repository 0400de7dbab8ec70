/**
 * The coordinator's result board polls by the clock until it knows how long trials take, then
 * polls every 5 ms from one poll interval (at most 50 ms) before a trial in flight is due.
 * Sleeps advance a fake clock; nothing waits.
 */
import { expect, test } from 'vitest'
import type { PendingTrial, TrialSlot } from '../src/index.js'
import { ResultBoard } from '../src/session/shared/result-board.js'
import type { SharedStore } from '../src/session/shared/store-support.js'

const TRIAL_MS = 500
const POLL_MS = 50

/** The sleeps of a board polling every `pollMs` while trial 0 runs (claimed at 0), then while trial 1 runs (claimed at TRIAL_MS). */
async function sleepsOf(pollMs: number): Promise<{ first: number[]; second: number[] }> {
  let now = 0
  const sleeps: number[] = []
  /** Trial k is claimed at k × TRIAL_MS and reports TRIAL_MS later. */
  const slot = (trialIdx: number): TrialSlot => {
    const claimedAt = trialIdx * TRIAL_MS
    const claim = { trialIdx, owner: 'w', token: 1, expiresAt: claimedAt + 30_000 }
    if (now < claimedAt) return { trialIdx, claim: null, result: null }
    if (now < claimedAt + TRIAL_MS) return { trialIdx, claim, result: null }
    const evaluation = { status: 'ok' as const, score: trialIdx, durationMs: TRIAL_MS }
    return { trialIdx, claim, result: { candidate: trialIdx, evaluation, owner: 'w', claimToken: 1, reportedAt: claimedAt + TRIAL_MS } }
  }
  const store = { readTrialSlots: async (_id: string, idxs: readonly number[]) => idxs.map(slot) } as unknown as SharedStore
  const board = new ResultBoard({
    store,
    sessionId: 's',
    pollIntervalMs: pollMs,
    idleMs: 60_000,
    env: {
      now: () => now,
      sleep: async (ms) => {
        sleeps.push(ms)
        now += ms
      },
    },
  })
  const pending = (k: number): PendingTrial[] => [{ trialIdx: k, candidate: k }]
  const idle = async (): Promise<void> => {}

  expect((await board.next(pending(0), () => false, idle))?.evaluation.score).toBe(0)
  const first = sleeps.splice(0)
  expect((await board.next(pending(1), () => false, idle))?.evaluation.score).toBe(1)
  expect(now).toBe(2 * TRIAL_MS)
  return { first, second: sleeps }
}

test('the coordinator polls every 5 ms once a result is due, and at its poll interval before', async () => {
  const { first, second } = await sleepsOf(POLL_MS)
  expect(first).toEqual(Array(TRIAL_MS / POLL_MS).fill(POLL_MS)) // no duration known yet
  // claimed at 500, due at 1000: polls every 50 ms until 950, then every 5 ms
  expect(second).toEqual([...Array(9).fill(POLL_MS), ...Array(10).fill(5)])
})

test('with a long poll interval the quick polls start at most 50 ms before a result is due', async () => {
  const { second } = await sleepsOf(250)
  // claimed at 500, due at 1000: 250 (to 750), 200 (to 950), then every 5 ms
  expect(second).toEqual([250, 200, ...Array(10).fill(5)])
})
