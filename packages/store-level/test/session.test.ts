import { createMemoryStore, resumeSession, startSession } from '@cairn/core'
import { referenceOptimizer } from '@cairn/testkit'
import { describe, expect, it } from 'vitest'
import { createLevelStore } from '../src/index.js'
import { SESSION_MAX_TRIALS, SESSION_OWNER, SESSION_SEED, objective, sessionSpace } from './fixtures/session-setup.js'
import { collect, spawnFixture } from './helpers.js'
import { tempDirEachTest } from '../../../vitest.temp-dir.js'

let dir: string
tempDirEachTest((d) => {
  dir = d
}, 'cairn-level-')

/** The candidates of an uninterrupted run of the same session (in memory). */
async function straightRun(): Promise<unknown[]> {
  const store = createMemoryStore()
  const handle = await startSession({
    store,
    sessionId: 'straight',
    optimizer: referenceOptimizer(),
    space: sessionSpace,
    seed: SESSION_SEED,
    maxTrials: SESSION_MAX_TRIALS,
    objective,
  })
  await handle.wait()
  return (await store.readTrials('straight')).map((t) => t.candidate)
}

describe('the session driver on a level store', () => {
  it('runs a session to completion and lists it', async () => {
    const store = createLevelStore({ location: dir })
    try {
      const handle = await startSession({
        store,
        sessionId: 'run',
        optimizer: referenceOptimizer(),
        space: sessionSpace,
        seed: 1,
        maxTrials: 15,
        objective,
      })
      const result = await handle.wait()
      expect(result.status).toBe('completed')
      expect(await store.readTrials('run')).toHaveLength(15)
      expect((await store.list()).items).toMatchObject([{ sessionId: 'run', status: 'completed', completed: 15, leaseExpiresAt: null }])
    } finally {
      await store.close()
    }
  })

  it('resumes a session whose process was SIGKILLed mid-run, exactly as if nothing had happened', async () => {
    const child = spawnFixture('drive-session.ts', [dir, 'resumable'])
    const done = collect(child)
    await new Promise<void>((resolve, reject) => {
      let seen = 0
      child.stdout!.on('data', (chunk: Buffer) => {
        seen += chunk
          .toString()
          .split('\n')
          .filter((l) => /^\d+$/.test(l)).length
        if (seen >= 20) resolve()
      })
      child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)))
    })
    child.kill('SIGKILL')
    const result = await done
    expect(result.stdout).not.toContain('done')

    const store = createLevelStore({ location: dir })
    try {
      const before = await store.load('resumable')
      expect(before.status).toBe('running')
      expect(before.progress.attempts).toBeGreaterThanOrEqual(18)
      expect(before.progress.attempts).toBeLessThan(SESSION_MAX_TRIALS)
      expect(await store.readTrials('resumable')).toHaveLength(before.progress.attempts)
      // The same worker restarting takes its own lease back at once.
      const handle = await resumeSession(store, 'resumable', { optimizer: referenceOptimizer(), objective, owner: SESSION_OWNER })
      const final = await handle.wait()
      expect(final.status).toBe('completed')
      const trials = await store.readTrials('resumable')
      expect(trials.map((t) => t.trialIdx)).toEqual(trials.map((_, i) => i))
      expect(trials.map((t) => t.candidate)).toEqual(await straightRun())
    } finally {
      await store.close()
    }
  }, 60_000)
})
