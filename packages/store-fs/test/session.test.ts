// The session driver on the fs store, across real processes.
import { afterEach, describe, expect, it } from 'vitest'
import { AlreadyRunningError, createMemoryStore, resumeSession, startSession, type SessionHandle } from '@cairn/core'
import { createFsStore } from '../src/index.js'
import { countingOptimizer, slowSquare } from './fixtures/sampler.js'
import { fixture, kill9, message, runChild, type Child } from './helpers.js'
import { tempDirEachTest } from '../../../vitest.temp-dir.js'

let dir: string
const children: Child[] = []

tempDirEachTest((d) => {
  dir = d
}, 'cairn-store-fs-')
afterEach(async () => {
  for (const c of children.splice(0)) await kill9(c)
})

function drive(sessionId: string, maxTrials: number, delayMs: number, leaseTtlMs: number, wait = false): Child {
  const child = runChild(fixture('drive-session.ts'), [
    dir,
    sessionId,
    String(maxTrials),
    String(delayMs),
    String(leaseTtlMs),
    ...(wait ? ['wait'] : []),
  ])
  children.push(child)
  return child
}

describe('sessions on the fs store across processes', () => {
  it('two processes starting the same session id: exactly one drives, the other gets AlreadyRunningError', async () => {
    const a = drive('shared', 20, 20, 30_000, true)
    const b = drive('shared', 20, 20, 30_000, true)
    await message(a, (m: { ready?: boolean }) => m.ready === true)
    await message(b, (m: { ready?: boolean }) => m.ready === true)
    a.send('go')
    b.send('go')
    type Outcome = { started?: boolean; error?: { code: string } }
    const outcomes = await Promise.all([a, b].map((c) => message<Outcome>(c, (m) => m.started === true || m.error !== undefined)))
    const started = outcomes.filter((o) => o.started)
    const refused = outcomes.filter((o) => o.error)
    expect(started).toHaveLength(1)
    expect(refused.map((o) => o.error?.code)).toEqual(['ALREADY_RUNNING'])

    // The winner runs to the end; the store holds one clean trial log.
    const winner = outcomes[0]?.started ? a : b
    const result = await message<{ result?: { status: string; attempts: number } }>(winner, (m) => m.result !== undefined)
    expect(result.result).toEqual({ status: 'completed', attempts: 20 })
    const store = createFsStore({ dir })
    expect((await store.readTrials('shared')).map((t) => t.trialIdx)).toEqual(Array.from({ length: 20 }, (_, i) => i))
  })

  it('a SIGKILLed driver mid-run: resumeSession in this process completes it, no gaps or duplicates, same candidates', async () => {
    const total = 30
    const child = drive('killed', total, 15, 300)
    await message(child, (m: { committed?: number }) => (m.committed ?? 0) >= 8)
    await kill9(child)

    const store = createFsStore({ dir })
    const before = await store.load('killed')
    expect(before.status).toBe('running')
    expect(before.progress.attempts).toBeGreaterThanOrEqual(8)
    expect(before.progress.attempts).toBeLessThan(total)

    // The dead driver's lease runs out (300 ms); until then the session is still "driven".
    let handle: SessionHandle | undefined
    for (let i = 0; !handle; i++) {
      try {
        handle = await resumeSession(store, 'killed', { optimizer: countingOptimizer, objective: slowSquare(0) })
      } catch (err) {
        if (!(err instanceof AlreadyRunningError) || i > 200) throw err
        await new Promise((r) => setTimeout(r, 25))
      }
    }
    const result = await handle.wait({ timeoutMs: 60_000 })
    expect(result.status).toBe('completed')
    expect(result.progress.attempts).toBe(total)

    const trials = await store.readTrials('killed')
    expect(trials.map((t) => t.trialIdx)).toEqual(Array.from({ length: total }, (_, i) => i))
    expect((await store.list()).items).toMatchObject([{ sessionId: 'killed', status: 'completed', completed: total }])

    // Deterministic resume: the same candidates as a run straight through with the same seed.
    const memory = createMemoryStore()
    const straight = await startSession({
      store: memory,
      sessionId: 'straight',
      optimizer: countingOptimizer,
      objective: slowSquare(0),
      seed: 42,
      maxTrials: total,
    })
    await straight.wait()
    expect(trials.map((t) => t.candidate)).toEqual((await memory.readTrials('straight')).map((t) => t.candidate))
  }, 90_000)
})
