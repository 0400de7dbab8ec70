import type { CheckpointStore, TrialSlot } from '@cairn/core'
import type { StoreFixture } from '../fixture.js'
import type { StoreChildConfig } from '../process/protocol.js'
import { spawnChild, type Child } from '../process/spawn.js'
import type { Needs } from '../runner.js'
import type { StoreSuite } from './context.js'
import { childOf } from './processes.js'
import { createSharedSession, slotStore } from './slot-helpers.js'

/** How many processes race, and for how many trials. */
const RACERS = 3
const TRIALS = 12

type Done = { done: true; claimed: number[]; reported: number[]; refused: number; errors: unknown[] }

/** Trial slots claimed by several real processes at once: gated on `sharedEvaluation` and `multiProcess`. */
export function registerTrialSlotProcesses(s: StoreSuite, sharedEvaluation: Needs): void {
  const { expect } = s.runner
  const needs = {
    ok: sharedEvaluation.ok && s.capabilities.multiProcess,
    what: 'sharedEvaluation + multiProcess',
  }

  s.itIf(
    needs,
    `trial slots: ${RACERS} processes racing to claim the same ${TRIALS} trials: each is claimed once and its result reported once`,
    async (fx: StoreFixture<CheckpointStore>) => {
      const store = slotStore(fx.store)
      const child = childOf(fx)
      const { sessionId: id } = await createSharedSession(store, TRIALS)
      const trials = Array.from({ length: TRIALS }, (_, i) => i)
      const racers: Child[] = []
      try {
        for (let r = 0; r < RACERS; r++) {
          const config: StoreChildConfig = { mode: 'claim-race', ...child, sessionId: id, trials, owner: `racer-${r}`, ttlMs: 600_000 }
          racers.push(spawnChild('store-child', config, [child.module]))
        }
        for (const r of racers) await r.next((m: { ready?: boolean }) => m.ready === true, 60_000)
        // Round by round, so all of them ask for the same trial at once.
        for (const t of trials) {
          for (const r of racers) r.send('go')
          for (const r of racers) await r.next((m: { attempted?: number }) => m.attempted === t, 60_000)
        }
        const results: Done[] = []
        for (const r of racers) results.push(await r.next<Done>((m) => m.done === true, 90_000))

        for (const r of results) expect(r.errors).toEqual([])
        // Every trial won by exactly one process, and each process reported exactly what it won.
        const claimedBy = new Map<number, string>()
        results.forEach((r, k) => {
          expect(r.reported).toEqual(r.claimed)
          expect(r.claimed.length + r.refused).toBe(TRIALS)
          for (const t of r.claimed) {
            expect({ trial: t, alsoClaimedBy: claimedBy.get(t) }).toEqual({ trial: t, alsoClaimedBy: undefined })
            claimedBy.set(t, `racer-${k}`)
          }
        })
        expect([...claimedBy.keys()].sort((a, b) => a - b)).toEqual(trials)

        const slots = await store.readTrialSlots(id, trials)
        slots.forEach((slot: TrialSlot, i) => {
          const owner = claimedBy.get(i)
          expect(slot).toMatchObject({
            trialIdx: i,
            claim: { trialIdx: i, owner, token: 1 },
            result: { owner, claimToken: 1, candidate: { x: i }, evaluation: { status: 'ok', score: i, stats: { owner } } },
          })
        })
      } finally {
        for (const r of racers) await r.kill()
      }
    },
    120_000,
  )
}
