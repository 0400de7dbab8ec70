/**
 * Ask/tell on LevelDB: a session driven by its caller, told out of order, closed and reopened
 * mid-way (the outstanding trials are still there), ends with the trial log of the same calls
 * on the memory store.
 */
import { askTell, createMemoryStore, type CheckpointStore, type Json, resumeSession, type Sampler, startSession } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { createLevelStore, type LevelStore } from '../src/index.js'
import { levelStoreEachTest } from './helpers.js'

let dir: string
let store: LevelStore
levelStoreEachTest(
  (d, s) => {
    dir = d
    store = s
  },
  () => store,
)

/** Draws x near the best told so far; its state counts tells, so the order of tells shows in the candidates. */
function nearBest(): Sampler<{ told: number }> {
  return {
    id: 'test/level-near-best',
    stateVersion: 1,
    init: () => ({ told: 0 }),
    ask(state, ctx) {
      const best = ctx.history.filter((t) => t.status === 'ok').sort((a, b) => (a.score as number) - (b.score as number))[0]
      const spread = 4 / (1 + state.told)
      return {
        kind: 'candidate',
        state,
        candidate: { x: ((best?.candidate as { x: number } | undefined)?.x ?? 0) + ctx.rng.uniform(-spread, spread) },
      }
    },
    tell: (state) => ({ told: state.told + 1 }),
    encodeState: (s) => new TextEncoder().encode(JSON.stringify(s)),
    decodeState: (bytes) => JSON.parse(new TextDecoder().decode(bytes)) as { told: number },
  }
}

const score = (c: Json): number => ((c as { x: number }).x - 1) ** 2
const optimizer = () => askTell(nearBest())

/** 24 trials in windows of 4, each window told in reverse; `reopen` runs between windows 2 and 3 (after two asks). */
async function drive(open: () => Promise<CheckpointStore>, reopen: (s: CheckpointStore) => Promise<CheckpointStore>): Promise<unknown[]> {
  let s = await open()
  let h = await startSession({ store: s, optimizer: optimizer(), seed: 21, maxTrials: 24, sessionId: 'lvl' })
  for (let w = 0; w < 6; w++) {
    const asked = []
    for (let i = 0; i < 4; i++) {
      asked.push(await h.ask())
      if (w === 2 && i === 1) {
        s = await reopen(s)
        h = await resumeSession(s, 'lvl', { optimizer: optimizer() })
        expect((await h.outstanding()).map((t) => t.trialIdx)).toEqual([8, 9])
      }
    }
    for (const t of asked.reverse()) await h.tell(t?.trialIdx as number, score(t?.candidate as Json))
  }
  expect(await h.ask()).toBeNull()
  expect(h.poll()).toMatchObject({ status: 'completed', progress: { attempts: 24, completed: 24 } })
  return (await s.readTrials('lvl')).map((t) => [t.trialIdx, t.candidate, t.score])
}

describe('ask/tell on LevelDB', () => {
  it('survives a close and reopen with asks outstanding, and gives the trials of the memory store', async () => {
    const onLevel = await drive(
      async () => store,
      async (s) => {
        await (s as LevelStore).close()
        store = createLevelStore({ location: dir })
        return store
      },
    )
    const memory = createMemoryStore()
    const inMemory = await drive(
      async () => memory,
      async (s) => s,
    )
    expect(onLevel).toHaveLength(24)
    expect(onLevel).toEqual(inMemory)
  })
})
