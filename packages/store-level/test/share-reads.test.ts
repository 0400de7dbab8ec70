/**
 * A second process reads a LevelDB database another process holds: the holder serves reads and
 * pause/cancel requests on a local socket, a `shareReads` store reads through it, and writes
 * are refused naming the holder. Real processes, real LevelDB, real signals.
 */
import { once } from 'node:events'
import { cp, lstat, readdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { randomBytes } from 'node:crypto'
import {
  CheckpointCorruptError,
  InvalidInputError,
  LeaseLostError,
  MAX_TRIAL_PROGRESS_BYTES,
  NotFoundError,
  TimeoutError,
  isCairnError,
} from '@cairn/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Local } from '../src/establish.js'
import { HolderGoneError } from '../src/holder-client.js'
import { socketPathFor } from '../src/holder-socket.js'
import { LocalLevelStore } from '../src/local-store.js'
import { resolveOptions } from '../src/options.js'
import { LevelLockedError, createLevelStore } from '../src/index.js'
import { damageTrialProgress } from '../src/testing.js'
import { advance, collect, newHead, spawnFixture, tempDir, trialAt, watchLines, writeCompletedSession } from './helpers.js'

let dir: string
let gate: string
let cleanup: () => Promise<void>
let cleanupGate: () => Promise<void>

beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir())
  ;({ dir: gate, cleanup: cleanupGate } = await tempDir('cairn-level-gate-'))
})

afterEach(async () => {
  await cleanup()
  await cleanupGate()
})

/** Lets the gated trials end (see fixtures/drive-gated.ts). */
async function release(...trialIdxs: number[]): Promise<void> {
  for (const i of trialIdxs) await writeFile(join(gate, `release-${i}`), '')
}

/** A child driving session `id` on `dir` (gated trials), and its stdout lines. */
function drive(id: string) {
  const child = spawnFixture('drive-gated.ts', [dir, id, gate])
  return { child, exited: collect(child), lines: watchLines(child) }
}

async function refusal(p: Promise<unknown>): Promise<LevelLockedError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(LevelLockedError)
  return err as LevelLockedError
}

/** Runs fixtures/read-through.ts in a child process: each action (`list`, `load:<id>`, `create:<id>`) with a `shareReads` store, and its outcome. */
async function readThrough(...actions: string[]): Promise<Array<Record<string, unknown>>> {
  const result = await collect(spawnFixture('read-through.ts', [dir, ...actions]))
  expect(result.stderr).toBe('')
  return result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}

describe('a second process reads through the process holding the database', () => {
  it('sees a running session and its committed trials, pauses it after the trial in flight, and is refused writes naming the holder', async () => {
    const run = drive('live')
    await release(0, 1, 2)
    await run.lines.waitFor(/^started 3$/)
    const reader = createLevelStore({ location: dir, shareReads: true })
    try {
      await reader.open()
      expect(reader.readsThrough).toEqual({ pid: run.child.pid, command: expect.stringContaining('drive-gated') })

      const [listing] = (await reader.list()).items
      expect(listing).toMatchObject({ sessionId: 'live', status: 'running', completed: 3 })
      const head = await reader.load('live')
      expect(head).toMatchObject({ sessionId: 'live', status: 'running', progress: { attempts: 3 }, lease: { owner: 'worker-1' } })
      expect(head.optimizerState).toBeInstanceOf(Uint8Array)
      expect((await reader.readTrials('live')).map((t) => t.trialIdx)).toEqual([0, 1, 2])
      expect((await reader.readTrials('live', { from: 1, limit: 1 })).map((t) => t.trialIdx)).toEqual([1])
      expect(await reader.salvage('live')).toBeNull()

      // The holder's errors arrive as the same classes, with their codes.
      const missing = await reader.load('missing').catch((e: unknown) => e)
      expect(missing).toBeInstanceOf(NotFoundError)
      expect(missing).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('session "missing"') })
      await expect(reader.readTrials('live', { from: -1 })).rejects.toThrow(InvalidInputError)

      // Writes are refused, naming the holder and what to do; nothing is written.
      const refusals = [
        await refusal(reader.create(newHead('other'))),
        await refusal(reader.acquireLease('live', 'intruder', 10_000)),
        await refusal(reader.delete('live')),
        await refusal(
          reader.commit('live', { expectedRevision: head.revision, fencingToken: 1, head: { ...head, lease: null }, trials: [trialAt(3)] }),
        ),
      ]
      for (const err of refusals) {
        expect(err.holder?.pid).toBe(run.child.pid)
        expect(err.code).toBe('INVALID_INPUT')
        expect(err.message).toMatch(
          new RegExp(`^\\[@cairn/store-level\\] cannot .+: the LevelDB database at "${dir}" is held by process ${run.child.pid} \\(`),
        )
        expect(err.message).toContain('Pause or stop it, or wait for it to end')
        expect(err.message).toContain('@cairn/store-fs')
      }
      expect(refusals.map((e) => /cannot ([a-z]+)/.exec(e.message)?.[1])).toEqual(['create', 'take', 'delete', 'commit'])
      expect((await reader.list()).items.map((l) => l.sessionId)).toEqual(['live'])

      // Pause: the driver stops after the trial in flight, which is committed. A reader polling
      // all along never fails, while the holder commits, closes and exits.
      let polling = true
      const seen: number[] = []
      const poll = (async () => {
        while (polling) seen.push((await reader.load('live')).progress.attempts)
      })()
      await reader.requestControl('live', 'pause')
      await release(3, 4)
      expect(await run.lines.waitFor(/^done /)).toBe('done paused')
      expect((await run.exited).code).toBe(0)
      polling = false
      await poll
      expect(seen.length).toBeGreaterThan(0)
      expect(seen).toEqual([...seen].sort((a, b) => a - b))

      // The holder closed: the reader opens the database itself and reads on.
      expect(await reader.load('live')).toMatchObject({ status: 'paused', progress: { attempts: 4 } })
      expect(reader.readsThrough).toBeNull()
    } finally {
      run.child.kill('SIGKILL')
      await reader.close()
    }
  }, 120_000)

  it('after the holder is SIGKILLed, the next holder replaces its socket and readers work again', async () => {
    const run = drive('killed')
    await release(0)
    await run.lines.waitFor(/^started 1$/)
    const socket = (await socketPathFor(dir))?.path as string
    const before = await lstat(socket)
    run.child.kill('SIGKILL')
    await run.exited
    // A killed holder leaves its socket behind, connecting to nothing.
    expect((await lstat(socket)).isSocket()).toBe(true)

    const holder = createLevelStore({ location: dir })
    try {
      await holder.open()
      const after = await lstat(socket)
      expect(after.ino).not.toBe(before.ino)
      expect(after.mode & 0o777).toBe(0o600)
      expect((await lstat(dirname(socket))).mode & 0o777).toBe(0o700)
      const head = await holder.load('killed')
      expect(head).toMatchObject({ progress: { attempts: 1 } })
      const [loaded, listed, created] = await readThrough('load:killed', 'list', 'create:intruder')
      // The head arrives byte for byte, its optimizer state included.
      expect(loaded).toEqual({
        ok: true,
        readsThrough: { pid: process.pid, command: expect.any(String) },
        value: { revision: head.revision, progress: head.progress, optimizerState: Buffer.from(head.optimizerState).toString('base64') },
      })
      expect(listed).toMatchObject({ ok: true, value: [{ sessionId: 'killed', completed: 1 }] })
      // A write from the reading process is refused, naming this one.
      expect(created).toMatchObject({ ok: false, name: 'LevelLockedError', code: 'INVALID_INPUT', holder: { pid: process.pid } })
      expect(created?.['message']).toMatch(/cannot create session "intruder"/)
    } finally {
      await holder.close()
    }
    // Closed: the socket is gone, and a reader opens the database itself.
    await expect(lstat(socket)).rejects.toMatchObject({ code: 'ENOENT' })
    expect(await readThrough('load:killed')).toMatchObject([{ ok: true, readsThrough: null, value: { progress: { attempts: 1 } } }])
  }, 120_000)

  it('a holder that exits without closing its store removes its socket', async () => {
    const result = await collect(spawnFixture('open-store.ts', [dir, 'leave']))
    expect(JSON.parse(result.stdout.trim())).toEqual({ opened: true })
    await expect(lstat((await socketPathFor(dir))?.path as string)).rejects.toMatchObject({ code: 'ENOENT' })
  }, 60_000)

  it('a reading process that holds the database hands it over to a process that writes, then reads through it', async () => {
    const watcher = createLevelStore({ location: dir, shareReads: true })
    try {
      const seed = createLevelStore({ location: dir })
      await writeCompletedSession(seed, 'earlier', 2)
      await seed.close()
      await watcher.open()
      expect(await watcher.list()).toMatchObject({ items: [{ sessionId: 'earlier' }] })
      expect(watcher.readsThrough).toBeNull()

      const run = drive('after')
      try {
        await run.lines.waitFor(/^started 0$/)
        await release(0)
        await run.lines.waitFor(/^started 1$/)
        const items = (await watcher.list()).items
        expect(items.map((l) => [l.sessionId, l.completed])).toEqual([
          ['after', 1],
          ['earlier', 2],
        ])
        expect(watcher.readsThrough?.pid).toBe(run.child.pid)
        // A process driving a session does not hand it back.
        const err = await refusal(watcher.create(newHead('mine')))
        expect(err.holder?.pid).toBe(run.child.pid)
      } finally {
        run.child.kill('SIGKILL')
        await run.exited
      }
    } finally {
      await watcher.close()
    }
  }, 120_000)

  it('a reading store that created a session keeps the database: another process is refused, naming this one', async () => {
    const store = createLevelStore({ location: dir, shareReads: true })
    try {
      await store.create(newHead('pinned'))
      const other = await collect(spawnFixture('open-store.ts', [dir, 'try']))
      expect(JSON.parse(other.stdout.trim())).toMatchObject({
        opened: false,
        locked: true,
        message: expect.stringContaining(`process ${process.pid} (`),
      })
      expect(await store.load('pinned')).toMatchObject({ sessionId: 'pinned' })
    } finally {
      await store.close()
    }
  }, 60_000)

  it('a holder that does not answer (stopped) gives TimeoutError naming it; it answers again once continued', async () => {
    const child = spawnFixture('open-store.ts', [dir, 'hold'])
    const exited = collect(child)
    const [line] = (await once(child.stdout!, 'data')) as [Buffer]
    expect(JSON.parse(line.toString())).toEqual({ opened: true })
    const reader = createLevelStore({ location: dir, shareReads: true, holderTimeoutMs: 500 })
    try {
      expect((await reader.list()).items).toEqual([])
      child.kill('SIGSTOP')
      const err = await reader.list().catch((e: unknown) => e)
      expect(err).toBeInstanceOf(TimeoutError)
      expect(isCairnError(err, 'TIMEOUT')).toBe(true)
      expect((err as Error).message).toContain(`process ${child.pid} (open-store`)
      expect((err as Error).message).toMatch(/stopped, e\.g\. with Ctrl-Z, or busy in a long synchronous objective/)
      child.kill('SIGCONT')
      expect((await reader.list()).items).toEqual([])
    } finally {
      child.kill('SIGKILL')
      await exited
      await reader.close()
    }
  }, 60_000)

  it('a holder with serve: false is not read through: LevelLockedError as before', async () => {
    const holder = createLevelStore({ location: dir, serve: false })
    await holder.open()
    expect(await socketPathFor(dir).then((s) => lstat(s?.path as string).catch(() => null))).toBeNull()
    const reader = createLevelStore({ location: dir, shareReads: true })
    try {
      const err = await refusal(reader.open())
      expect(err.holder).toBeUndefined()
      expect(err.message).toMatch(/is locked: another process \(or another store in this process\) has it open/)
    } finally {
      await reader.close()
      await holder.close()
    }
  }, 60_000)

  it('the database directory holds no socket: it can be copied while a process holds it', async () => {
    const holder = createLevelStore({ location: dir })
    try {
      await writeCompletedSession(holder, 'copied', 3)
      expect((await readdir(dir)).filter((n) => n.endsWith('.sock'))).toEqual([])
      const { dir: copy, cleanup: dropCopy } = await tempDir('cairn-level-copy-')
      try {
        await cp(dir, join(copy, 'db'), { recursive: true })
        expect((await readdir(join(copy, 'db'))).includes('CURRENT')).toBe(true)
      } finally {
        await dropCopy()
      }
    } finally {
      await holder.close()
    }
  })
})

describe("the holder's side", () => {
  it('10,000 trials come through whole and equal to what the holder reads (another store in this process reads through the socket too)', async () => {
    const holder = createLevelStore({ location: dir })
    const reader = createLevelStore({ location: dir, shareReads: true })
    try {
      const head = newHead('big')
      await holder.create(head)
      const trials = Array.from({ length: 10_000 }, (_, i) => trialAt(i))
      await holder.commit('big', { expectedRevision: 0, fencingToken: 1, head: advance(head, trials), trials })
      const through = await reader.readTrials('big')
      expect(reader.readsThrough?.pid).toBe(process.pid)
      expect(through).toHaveLength(10_000)
      expect(through).toEqual(await holder.readTrials('big'))
      expect(await reader.load('big')).toEqual(await holder.load('big'))
    } finally {
      await reader.close()
      await holder.close()
    }
  })

  it('trial progress goes through the socket: saved and loaded byte for byte (MAX_TRIAL_PROGRESS_BYTES), fenced, damage and unknown sessions reported, deleted', async () => {
    const holder = createLevelStore({ location: dir })
    const reader = createLevelStore({ location: dir, shareReads: true })
    try {
      await holder.create(newHead('p'))
      const big = randomBytes(MAX_TRIAL_PROGRESS_BYTES)
      await reader.saveTrialProgress('p', 3, 2, big)
      expect(reader.readsThrough?.pid).toBe(process.pid)
      const here = await holder.loadTrialProgress('p', 3)
      expect(here?.token).toBe(2)
      expect(Buffer.compare(Buffer.from(here?.bytes ?? []), big)).toBe(0)
      const through = await reader.loadTrialProgress('p', 3)
      expect(through?.token).toBe(2)
      expect(through?.bytes).toBeInstanceOf(Uint8Array)
      expect(Buffer.compare(Buffer.from(through?.bytes ?? []), big)).toBe(0)
      expect(await reader.loadTrialProgress('p', 4)).toBeNull()

      await expect(reader.saveTrialProgress('p', 3, 1, new Uint8Array(3))).rejects.toBeInstanceOf(LeaseLostError)
      await expect(reader.loadTrialProgress('nope', 3)).rejects.toBeInstanceOf(NotFoundError)
      await damageTrialProgress(holder, 'p', 3)
      await expect(reader.loadTrialProgress('p', 3)).rejects.toBeInstanceOf(CheckpointCorruptError)
      const small = new Uint8Array([1, 2, 3])
      await reader.saveTrialProgress('p', 3, 2, small)
      expect(await reader.loadTrialProgress('p', 3)).toEqual({ token: 2, bytes: small })
      await reader.deleteTrialProgress('p', 3)
      expect(await holder.loadTrialProgress('p', 3)).toBeNull()
      expect(reader.readsThrough?.pid).toBe(process.pid)
    } finally {
      await reader.close()
      await holder.close()
    }
  })

  it('once closing has begun, a request from another process is dropped (its reader asks the next holder), never answered "closed"', async () => {
    const local = new Local(new LocalLevelStore(resolveOptions({ location: dir })))
    await local.run((s) => s.create(newHead('s')))
    let finish!: () => void
    const ownWork = local.run(() => new Promise<void>((resolve) => (finish = resolve)))
    const closing = local.close()
    await expect(local.serve((s) => s.list())).rejects.toBeInstanceOf(HolderGoneError)
    finish()
    await ownWork
    await closing
    await expect(local.run((s) => s.list())).rejects.toThrow(/is closed/)
  })
})
