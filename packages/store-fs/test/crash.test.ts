// Writers SIGKILLed at arbitrary instants, again and again: the session stays consistent and
// the next writer carries on (breaking the lock a killed writer may have held).
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createFsStore } from '../src/index.js'
import { fixture, kill9, newHead, runChild, tempDir, type Child } from './helpers.js'

let dir: string
let cleanup: () => Promise<void>
const children: Child[] = []

beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir())
})
afterEach(async () => {
  for (const c of children.splice(0)) await kill9(c)
  await cleanup()
})

it.each([
  ['', [], 1],
  // A fold every eight records or so: ten commits a round make sure each round folds (however slow the machine).
  [' while it folds its journal every few commits', ['journalBytes=1'], 10],
])(
  'kill -9 a committing process at random instants, twice%s: every reader sees a whole session',
  async (_, options: string[], commitsBeforeKill: number) => {
    const store = createFsStore({ dir, lockStaleMs: 600_000 })
    await store.create(newHead('k', { lease: null }))
    let last = 0
    for (let round = 0; round < 2; round++) {
      const child = runChild(fixture('cas-worker.ts'), [dir, 'k', `writer-${round}`, '1000000', ...options])
      children.push(child)
      // Let it commit for a random while once it has made its first commits (so a folding writer has
      // folded), however long its start takes on a busy machine: the test's timeout is the bound.
      while ((await store.load('k')).progress.attempts < last + commitsBeforeKill) await new Promise((r) => setTimeout(r, 10))
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 250))
      await kill9(child)

      const head = await store.load('k')
      const trials = await store.readTrials('k')
      expect(head.progress.attempts).toBeGreaterThan(last)
      expect(head.revision).toBe(head.progress.attempts)
      expect(trials.map((t) => t.trialIdx)).toEqual(Array.from({ length: head.progress.attempts }, (_, i) => i))
      expect((await store.list()).items).toMatchObject([{ sessionId: 'k', status: 'running', completed: head.progress.attempts }])
      last = head.progress.attempts
    }
    // The last writer's lock (if it died holding it) does not stop this one.
    // (Its 50 ms lease runs out first.)
    await new Promise((r) => setTimeout(r, 100))
    const lease = await store.acquireLease('k', 'final', 1000)
    const head = await store.load('k')
    const next = { ...head, progress: { ...head.progress, attempts: last + 1, completed: last + 1 } }
    const trial = { trialIdx: last, candidate: {}, status: 'ok' as const, durationMs: 0 }
    await store.commit('k', { expectedRevision: head.revision, fencingToken: lease.fencingToken, head: next, trials: [trial] })
    expect(await store.readTrials('k', { from: last })).toEqual([trial])
    // No lock file left behind (each process's own holder directory is all that may remain).
    expect((await readdir(join(dir, 'locks'))).filter((n) => n.includes('.'))).toEqual([])
    if (options.length > 0) expect((await stat(join(dir, 'sessions', 'k', 'trials.idx'))).size).toBeGreaterThan(0)
  },
  60_000,
)
