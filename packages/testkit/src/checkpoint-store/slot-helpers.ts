import type { CheckpointHead, CheckpointStore, TrialClaim, TrialResultReport, TrialSlot } from '@cairn/core'
import { sleep } from '../helpers/time.js'
import { createSession } from './context.js'

/** The four slot methods, present (a store declaring `sharedEvaluation` must have them). */
export type SlotStore = CheckpointStore &
  Required<Pick<CheckpointStore, 'claimTrial' | 'renewTrialClaim' | 'reportTrialResult' | 'readTrialSlots'>>

const SLOT_METHODS = ['claimTrial', 'renewTrialClaim', 'reportTrialResult', 'readTrialSlots'] as const

/** The store with its slot methods, or an error saying which one a store declaring `sharedEvaluation` lacks. */
export function slotStore(store: CheckpointStore): SlotStore {
  const missing = SLOT_METHODS.filter((m) => typeof store[m] !== 'function')
  if (missing.length > 0)
    throw new Error(`[@cairn/testkit] the store declares capabilities.sharedEvaluation but has no ${missing.join(', ')}`)
  return store as SlotStore
}

/** A shared session whose head lists trials `0 … pending − 1` as pending (candidate `{ x: i }`). */
export async function createSharedSession(store: CheckpointStore, pending = 4, overrides: Partial<CheckpointHead> = {}) {
  return createSession(store, {
    evaluation: 'shared',
    pending: Array.from({ length: pending }, (_, i) => ({ trialIdx: i, candidate: { x: i } })),
    ...overrides,
  })
}

/**
 * Resolves once `claim` has lapsed: its `expiresAt` (set by the store's clock) has passed. Only
 * ever waits for that instant, so the tests assert outcomes, not how long anything took.
 */
export async function lapse(claim: TrialClaim): Promise<void> {
  for (let left = claim.expiresAt - Date.now(); left >= 0; left = claim.expiresAt - Date.now()) await sleep(left + 2)
}

/** A report whose candidate and evaluation exercise the JSON round trip (nesting, floats, unicode, an artifact). */
export function sampleReport(trialIdx: number): TrialResultReport {
  return {
    candidate: { x: trialIdx, nested: { list: [1, 2.5, null, 'é'], flag: true } },
    evaluation: {
      status: 'ok',
      score: 0.1 + 0.2 + trialIdx,
      stats: { loss: [0.5, 0.25], note: 'ünïcode ✓' },
      durationMs: 12.5,
      artifact: { weights: [1e-9, -3, 1e21] },
    },
  }
}

/** The slots of trials `0 … n − 1`. */
export function slotsOf(store: SlotStore, id: string, n: number): Promise<TrialSlot[]> {
  return store.readTrialSlots(
    id,
    Array.from({ length: n }, (_, i) => i),
  )
}
