import type { CheckpointHead, CheckpointStore, TrialRecord } from '@cairn/core'
import type { StoreFixture } from '../fixture.js'
import { makeTrial, nextHead } from '../helpers/head.js'
import { spawnChild, type Child } from '../process/spawn.js'
import type { StoreChildConfig } from '../process/protocol.js'
import { createSession, type StoreSuite } from './context.js'

export function childOf(fx: StoreFixture<CheckpointStore>): { module: string; args: string[] } {
  if (!fx.child)
    throw new Error(
      '[@cairn/testkit] the store says multiProcess but the fixture has no `child` { module, args } telling a child process how to open it',
    )
  return fx.child
}

/**
 * The head and trial log of a session, read while the head did not move. A request the killed
 * child sent before its death may still land afterwards (a store behind a network finishes it),
 * so a head read just before it and a log read just after would disagree by that commit.
 */
async function settledSnapshot(store: CheckpointStore, id: string): Promise<{ head: CheckpointHead; trials: TrialRecord[] }> {
  for (let round = 0; ; round++) {
    const head = await store.load(id)
    const trials = await store.readTrials(id)
    const after = await store.load(id)
    if (after.revision === head.revision || round === 4) return { head, trials }
  }
}

/** Real processes, really killed: gated on `durable && multiProcess`. */
export function registerProcesses(s: StoreSuite): void {
  const { expect } = s.runner
  const needs = { ok: s.capabilities.durable && s.capabilities.multiProcess, what: 'durable + multiProcess' }

  s.itIf(
    needs,
    'a child SIGKILLed in a tight commit loop leaves a loadable session whose head and trial log agree',
    async (fx) => {
      const { store } = fx
      const child = childOf(fx)
      const created = await createSession(store)
      const id = created.sessionId
      await store.releaseLease(id, created.lease!)
      const config: StoreChildConfig = { mode: 'commit-loop', ...child, sessionId: id, owner: 'loop-child', ttlMs: 60_000 }
      const proc = spawnChild('store-child', config, [child.module])
      let reported = 0
      try {
        await proc.next((m: { ready?: boolean }) => m.ready === true, 60_000)
        const seen = await proc.next((m: { committed?: number }) => (m.committed ?? 0) >= 25, 60_000)
        reported = seen.committed ?? 0
      } finally {
        await proc.kill()
      }
      for (const m of proc.messages as Array<{ committed?: number }>) reported = Math.max(reported, m.committed ?? 0)

      const { head, trials } = await settledSnapshot(store, id)
      // Every acknowledged commit survived the kill; the head accounts for exactly the logged trials.
      expect(head.progress.attempts).toBeGreaterThanOrEqual(reported)
      expect(trials).toHaveLength(head.progress.attempts)
      expect(trials.map((t: TrialRecord) => t.trialIdx)).toEqual(trials.map((_, i) => i))
      expect(head.revision).toBe(head.progress.attempts)
      expect(head.progress.completed).toBe(head.progress.attempts)
      expect(head.lease).toMatchObject({ owner: 'loop-child', fencingToken: 2 })

      // The dead child's owner, restarted, takes the session over and continues the log.
      const lease = await store.acquireLease(id, 'loop-child', 10_000)
      expect(lease.fencingToken).toBe(3)
      const next = [makeTrial(head.progress.attempts)]
      await store.commit(id, {
        expectedRevision: head.revision,
        fencingToken: lease.fencingToken,
        head: nextHead(head, next),
        trials: next,
      })
      expect((await store.readTrials(id)).map((t) => t.trialIdx)).toEqual([...trials.map((t) => t.trialIdx), head.progress.attempts])
    },
    120_000,
  )

  s.itIf(
    needs,
    'two processes racing to commit the same session: exactly one wins each revision',
    async (fx) => {
      const { store } = fx
      const child = childOf(fx)
      const created = await createSession(store)
      const id = created.sessionId
      const target = 40
      const racers: Child[] = []
      try {
        for (const writer of ['racer-1', 'racer-2']) {
          const config: StoreChildConfig = {
            mode: 'race',
            ...child,
            sessionId: id,
            fencingToken: created.lease!.fencingToken,
            target,
            writer,
          }
          racers.push(spawnChild('store-child', config, [child.module]))
        }
        for (const r of racers) await r.next((m: { ready?: boolean }) => m.ready === true, 60_000)
        for (const r of racers) r.send('go')
        type Done = { done: true; wins: number[]; conflicts: number; errors: unknown[] }
        const results: Done[] = []
        for (const r of racers) results.push(await r.next<Done>((m) => m.done === true, 90_000))

        for (const r of results) expect(r.errors).toEqual([])
        const [one, two] = results as [Done, Done]
        const all = [...one.wins, ...two.wins].sort((a, b) => a - b)
        expect(all).toEqual(Array.from({ length: target }, (_, i) => i + 1))
        const head = await store.load(id)
        expect(head.revision).toBe(target)
        const trials = await store.readTrials(id)
        expect(trials).toHaveLength(target)
        // Each trial was written by the racer whose commit won that revision.
        const winner = new Map<number, string>()
        for (const rev of one.wins) winner.set(rev, 'racer-1')
        for (const rev of two.wins) winner.set(rev, 'racer-2')
        trials.forEach((t, i) => {
          expect(t.trialIdx).toBe(i)
          expect(t.candidate).toEqual({ writer: winner.get(i + 1), revision: i + 1 })
        })
      } finally {
        for (const r of racers) await r.kill()
      }
    },
    120_000,
  )
}
