import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createLevelStore } from '../src/index.js'
import { collect, progressSave, readProgressSave, spawnFixture, trialAt, watchLines } from './helpers.js'
import { tempDirEachTest } from '../../../vitest.temp-dir.js'

let dir: string
tempDirEachTest((d) => {
  dir = d
}, 'cairn-level-')

/**
 * Starts a child committing in a tight loop on a database of its own, SIGKILLs it once it
 * reported `after` commits, and returns the last index it reported.
 */
async function killDuringCommits(location: string, sessionId: string, after: number): Promise<number> {
  const child = spawnFixture('commit-loop.ts', [location, sessionId])
  const done = collect(child)
  let reported = -1
  await new Promise<void>((resolve, reject) => {
    let buffer = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString()
      const lines = buffer.split('\n')
      buffer = lines.pop() ?? ''
      for (const l of lines) reported = Number(l)
      if (reported >= after) resolve()
    })
    child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)))
  })
  child.kill('SIGKILL')
  const result = await done
  expect(result.signal).toBe('SIGKILL')
  return reported
}

describe('a process killed in a tight commit loop', () => {
  it('leaves the database openable and each session consistent (attempts === trial count)', async () => {
    // Three kills at different instants, each in a database of its own (run side by side).
    const cases = [
      { location: join(dir, 'k1'), id: 'k1', after: 40 },
      { location: join(dir, 'k2'), id: 'k2', after: 75 },
      { location: join(dir, 'k3'), id: 'k3', after: 130 },
    ]
    const reported = await Promise.all(cases.map((c) => killDuringCommits(c.location, c.id, c.after)))
    for (const [i, { location, id }] of cases.entries()) {
      const store = createLevelStore({ location })
      try {
        const head = await store.load(id)
        const trials = await store.readTrials(id)
        expect(head.progress.attempts).toBe(trials.length)
        expect(head.revision).toBe(head.progress.attempts)
        // Every commit the child saw resolve is there (and maybe a few it made before the kill landed).
        expect(head.progress.attempts).toBeGreaterThanOrEqual((reported[i] as number) + 1)
        expect(trials.map((t) => t.trialIdx)).toEqual(trials.map((_, i) => i))
        expect(trials.at(-1)).toEqual(trialAt(trials.length - 1))
        // And the next commit goes on from there.
        const next = { ...head, progress: { ...head.progress, attempts: head.progress.attempts + 1 } }
        await store.commit(id, { expectedRevision: head.revision, fencingToken: 1, head: next, trials: [trialAt(head.progress.attempts)] })
        expect(await store.readTrials(id, { from: head.progress.attempts })).toEqual([trialAt(head.progress.attempts)])
      } finally {
        await store.close()
      }
    }
  }, 90_000)
})

describe('a process killed while saving trial progress', () => {
  it('leaves one whole save (the last acknowledged, or the one in flight), never a mix; the same token saves on', async () => {
    const location = join(dir, 'progress')
    const child = spawnFixture('progress-loop.ts', [location, 'p'])
    const done = collect(child)
    const lines = watchLines(child)
    // A random moment: after a random number of acknowledged saves, a random instant into the next ones.
    const after = 2 + Math.floor(Math.random() * 6)
    await lines.waitFor(new RegExp(`^${after}$`))
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 15))
    child.kill('SIGKILL')
    const result = await done
    expect(result.signal).toBe('SIGKILL')
    const acknowledged = Math.max(...result.stdout.trim().split('\n').map(Number))

    const store = createLevelStore({ location })
    try {
      const loaded = await store.loadTrialProgress('p', 0)
      expect(loaded?.token).toBe(5)
      const found = readProgressSave(loaded?.bytes ?? new Uint8Array(0))
      expect(found).toEqual({ k: found.k, intact: true })
      expect([acknowledged, acknowledged + 1]).toContain(found.k)
      const next = progressSave(1_000)
      await store.saveTrialProgress('p', 0, 5, next)
      expect(readProgressSave((await store.loadTrialProgress('p', 0))?.bytes ?? new Uint8Array(0))).toEqual({ k: 1_000, intact: true })
    } finally {
      await store.close()
    }
  }, 60_000)
})
