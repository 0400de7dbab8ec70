// A writer stopped with SIGSTOP while it holds a session's lock: once its lease has lapsed,
// another process takes the session over (breaking and fencing the lock) and commits; when the
// stopped writer is continued, what it was about to write lands nowhere and its commits are
// refused. Real processes, real signals; outcomes are asserted, not timings.
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AlreadyRunningError, TimeoutError, resumeSession, type CheckpointHead, type Lease, type SessionHandle } from '@cairn/core'
import { createFsStore, type FsStore } from '../src/index.js'
import { countingOptimizer, slowSquare } from './fixtures/sampler.js'
import { fixture, kill9, message, newHead, runChild, tempDir, type Child } from './helpers.js'

let dir: string
let cleanup: () => Promise<void>
const children: Child[] = []

beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir())
})
afterEach(async () => {
  for (const c of children.splice(0)) {
    c.proc.kill('SIGCONT')
    await kill9(c)
  }
  await cleanup()
})

/** Short lock staleness and lease so a takeover happens quickly; the loops below only bound how long a test may hang. */
const LOCK_STALE_MS = 300
const LEASE_TTL_MS = 600

/** Retries `take` while the session is still held (a live lease, or a lock not yet breakable). */
async function takeOver<T>(take: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await take()
    } catch (err) {
      if (!(err instanceof AlreadyRunningError || err instanceof TimeoutError) || i >= 60) throw err
      await new Promise((r) => setTimeout(r, 50))
    }
  }
}

async function commitAs(store: FsStore, lease: Lease, owner: string): Promise<CheckpointHead> {
  const head = await store.load('s')
  const i = head.progress.attempts
  const next = { ...head, progress: { ...head.progress, attempts: i + 1, completed: i + 1 }, updatedAt: Date.now() }
  const trial = { trialIdx: i, candidate: { owner }, score: i, status: 'ok' as const, durationMs: 0 }
  const { revision } = await store.commit('s', {
    expectedRevision: head.revision,
    fencingToken: lease.fencingToken,
    head: next,
    trials: [trial],
  })
  return { ...next, revision }
}

describe('a lock holder stopped with SIGSTOP', () => {
  it('inside a commit: taken over once its lease lapsed; continued, its commit is refused and writes nothing', async () => {
    const store = createFsStore({ dir, lockStaleMs: LOCK_STALE_MS, lockTimeoutMs: 1_000 })
    await store.create(newHead('s', { lease: null }))
    const stopped = runChild(fixture('stall-commit.ts'), [dir, 's', 'stopped', String(LEASE_TTL_MS), String(LOCK_STALE_MS)])
    children.push(stopped)
    await message(stopped, (m: { inside?: boolean }) => m.inside === true)
    stopped.proc.kill('SIGSTOP')

    // Today this waits for ever: a live holder's lock was never broken.
    const lease = await takeOver(() => store.acquireLease('s', 'taker', 60_000))
    expect(lease.fencingToken).toBe(2)
    await commitAs(store, lease, 'taker')
    await commitAs(store, lease, 'taker')

    stopped.proc.kill('SIGCONT')
    stopped.send('go')
    expect(await message(stopped, (m: { first?: string }) => m.first !== undefined)).toEqual({ first: 'LEASE_LOST' })
    const second = (await message(stopped, (m: { second?: string }) => m.second !== undefined)).second
    expect(['LEASE_LOST', 'REVISION_CONFLICT']).toContain(second)
    expect(await stopped.exited).toBe(0)

    // Nothing the stopped writer was about to write is visible; nothing the taker wrote is lost.
    const reader = createFsStore({ dir })
    expect((await reader.readTrials('s')).map((t) => [t.trialIdx, t.candidate])).toEqual([
      [0, { owner: 'taker' }],
      [1, { owner: 'taker' }],
    ])
    expect(await reader.load('s')).toMatchObject({ revision: 2, progress: { attempts: 2 }, lease: { owner: 'taker', fencingToken: 2 } })
    await commitAs(store, lease, 'taker')
    expect((await reader.readTrials('s')).map((t) => t.trialIdx)).toEqual([0, 1, 2])
    expect((await readdir(join(dir, 'sessions', 's'))).filter((n) => n.endsWith('.dropped'))).toEqual([])
    expect((await readdir(join(dir, 'locks'))).filter((n) => n.endsWith('.lock') || n.endsWith('.fence'))).toEqual([])
  }, 60_000)

  it('a driver stopped mid-run: resumed by another process once its lease lapsed; continued, it stops with LEASE_LOST and nothing is lost', async () => {
    const total = 30
    const driver = runChild(fixture('drive-session.ts'), [dir, 's', String(total), '0', String(LEASE_TTL_MS), 'go', String(LOCK_STALE_MS)])
    children.push(driver)
    await message(driver, (m: { committed?: number }) => (m.committed ?? 0) >= 5)
    driver.proc.kill('SIGSTOP')

    const store = createFsStore({ dir, lockStaleMs: LOCK_STALE_MS, lockTimeoutMs: 1_000 })
    const handle: SessionHandle = await takeOver(() =>
      resumeSession(store, 's', { optimizer: countingOptimizer, objective: slowSquare(0), leaseTtlMs: 30_000 }),
    )
    const result = await handle.wait({ timeoutMs: 60_000 })
    expect(result).toMatchObject({ status: 'completed', progress: { attempts: total } })

    driver.proc.kill('SIGCONT')
    const end = await message(driver, (m: { stopped?: unknown; result?: unknown }) => m.stopped !== undefined || m.result !== undefined)
    expect(end).toMatchObject({ stopped: { code: expect.stringMatching(/^(LEASE_LOST|REVISION_CONFLICT)$/) } })

    const trials = await store.readTrials('s')
    expect(trials.map((t) => t.trialIdx)).toEqual(Array.from({ length: total }, (_, i) => i))
    expect(await store.load('s')).toMatchObject({ status: 'completed', progress: { attempts: total } })
  }, 90_000)
})
