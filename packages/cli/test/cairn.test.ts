import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { createFsStore } from '@cairn/store-fs'
import {
  createCairn,
  defineConfig,
  MissingPackageError,
  SessionBusyError,
  UnknownJobError,
  UnknownOptimizerError,
  type Cairn,
} from '@cairn/cli'
import { importOptional } from '../src/lazy-import.js'
import { categorical, float, int, space } from './helpers/deps.js'
import { tempDirEachTest } from '../../../vitest.temp-dir.js'

const quadSpace = space({ x: float(-5, 5), n: int(0, 9), kind: categorical(['a', 'b']) })
const objective = async ({ x, n }: { x: number; n: number }): Promise<number> => {
  await new Promise((r) => setTimeout(r, 2))
  return (x - 1) ** 2 + n
}

type Example = { id: number; label: string }
const trainset: Example[] = Array.from({ length: 12 }, (_, id) => ({ id, label: id % 3 === 0 ? 'fizz' : 'other' }))

function config(store = 'memory:') {
  return defineConfig({
    store,
    jobs: {
      quad: { space: quadSpace, objective, maxTrials: 12, seed: 5 },
      fixed: { space: quadSpace, objective, maxTrials: 6, seed: 9, sessionId: 'fixed-1' },
      prompts: {
        program: (cfg: unknown, ex: Example) =>
          (cfg as { demos: number[] }).demos.some((d) => trainset[d]?.label === ex.label) ? ex.label : '?',
        trainset,
        metric: (ex: Example, out: unknown) => (out === ex.label ? 1 : 0),
        maxTrials: 4,
        seed: 1,
      },
    },
  })
}

let dir: string
let cairn: Cairn | undefined
tempDirEachTest((d) => (dir = d), 'cairn-root-')
// Registered after the directory's hooks, so it runs before the directory is removed.
afterEach(async () => {
  await cairn?.close()
  cairn = undefined
})

function candidates(trials: Array<{ candidate: unknown }>): string[] {
  return trials.map((t) => JSON.stringify(t.candidate))
}

describe('createCairn', () => {
  test('start records the job in the head; resume by id resolves it and continues exactly', async () => {
    cairn = createCairn(config(`fs:${join(dir, 'store')}`))
    const first = await cairn.start('quad', { sessionId: 'q1' })
    expect(first.head().job).toBe('quad')
    for await (const ev of first.events()) if (ev.type === 'checkpoint' && ev.progress.attempts >= 4) break
    await first.pause()
    expect((await first.wait()).status).toBe('paused')
    const resumed = await cairn.resume('q1')
    const result = await resumed.wait()
    expect(result.status).toBe('completed')
    expect(result.progress.attempts).toBe(12)

    // The same job and seed, straight through, proposes the same candidates.
    const straight = createCairn(config())
    const s = await straight.start('quad', { sessionId: 'q2' })
    await s.wait()
    expect(candidates(await cairn.trials('q1'))).toEqual(candidates(await straight.trials('q2')))
    await straight.close()
  })

  test('an optimizer chosen by name is recorded and used again on resume', async () => {
    cairn = createCairn(config())
    const h = await cairn.start('quad', { sessionId: 'r', optimizer: 'random', maxTrials: 6 })
    await h.pause()
    expect(h.head().optimizer.id).toBe('@cairn/optimizers/random')
    expect(h.head().settings).toEqual({ optimizer: 'random' })
    const again = await cairn.resume('r')
    expect((await again.wait()).progress.attempts).toBe(6)
  })

  test('open starts a fixed session, resumes it after a pause, then reports it finished', async () => {
    cairn = createCairn(config())
    const a = await cairn.open('fixed')
    expect(a.kind).toBe('started')
    if (a.kind === 'finished') throw new Error('unreachable')
    await a.handle.pause()
    const b = await cairn.open('fixed')
    expect(b.kind).toBe('resumed')
    if (b.kind === 'finished') throw new Error('unreachable')
    expect((await b.handle.wait()).status).toBe('completed')
    const c = await cairn.open('fixed')
    expect(c.kind).toBe('finished')
    if (c.kind === 'finished') expect(c.head.progress.attempts).toBe(6)
    await expect(cairn.open('quad', { sessionId: 'fixed-1' })).rejects.toThrow(/belongs to job "fixed", not "quad"/)
  })

  test('open / resume of a stored session: another seed, optimizer or direction is refused, never ignored', async () => {
    cairn = createCairn(config())
    const h = await cairn.start('quad', { sessionId: 'o', maxTrials: 6 })
    await h.pause()
    const done = h.head().progress.attempts
    await expect(cairn.open('quad', { sessionId: 'o', seed: 6 })).rejects.toMatchObject({
      code: 'RESUME_MISMATCH',
      reason: 'seed',
      message: expect.stringContaining('seed differs (stored 5, got 6)'),
    })
    await expect(cairn.resume('o', { optimizer: 'random' })).rejects.toMatchObject({ code: 'RESUME_MISMATCH', reason: 'optimizer-id' })
    await expect(cairn.resume('o', { maxTrials: done - 1 })).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'maxTrials' })
    const flipped = createCairn({
      ...config(),
      store: await cairn.store(),
      jobs: { quad: { ...config().jobs.quad, direction: 'maximize' } },
    })
    await expect(flipped.resume('o')).rejects.toMatchObject({ code: 'RESUME_MISMATCH', reason: 'direction' })
    // The same seed and optimizer name are fine; a raised budget extends the run.
    const again = await cairn.resume('o', { seed: 5, optimizer: 'tpe', maxTrials: 8 })
    expect(again.head().limits.maxTrials).toBe(8)
    expect((await again.wait()).progress.attempts).toBe(8)
  })

  test('a program + trainset + metric job runs with the few-shot optimizer and records the trainset hash', async () => {
    cairn = createCairn(config())
    const h = await cairn.start('prompts', { sessionId: 'p' })
    const r = await h.wait()
    expect(r.status).toBe('completed')
    expect(h.head().optimizer.id).toBe('@cairn/optimizers/few-shot')
    expect(h.head().direction).toBe('maximize')
    expect(h.head().trainsetHash).toMatch(/[0-9a-f]{64}$/)
  })

  test("a program job's valset is scored on, recorded, and given again on resume", async () => {
    const valset: Example[] = [
      { id: 100, label: 'fizz' },
      { id: 101, label: 'other' },
    ]
    const jobs = { prompts: { ...config().jobs.prompts, valset, maxTrials: 3 } }
    cairn = createCairn({ ...config(), jobs })
    const h = await cairn.start('prompts', { sessionId: 'v' })
    await h.pause()
    await h.wait()
    expect(h.head()).toMatchObject({ status: 'paused', valsetHash: expect.stringMatching(/[0-9a-f]{64}$/) })
    // A config whose valset changed cannot resume the session.
    const changed = createCairn({
      ...config(),
      store: await cairn.store(),
      jobs: { prompts: { ...jobs.prompts, valset: valset.slice(0, 1) } },
    })
    await expect(changed.resume('v')).rejects.toMatchObject({ code: 'RESUME_MISMATCH', reason: 'valset-hash' })
    const again = await cairn.resume('v')
    expect((await again.wait()).progress.attempts).toBe(3)
    // Every candidate was scored on the two held-out examples.
    const shown = await cairn.show('v', { lastTrials: 3 })
    expect(shown.trials.map((t) => t.stats)).toEqual(Array(3).fill(expect.objectContaining({ scoredOn: 'valset', examples: 2 })))
  })

  test('list, show, delete and control', async () => {
    cairn = createCairn(config())
    const h = await cairn.start('quad', { sessionId: 'l1', maxTrials: 3 })
    await h.wait()
    const p = await cairn.start('quad', { sessionId: 'l2' })
    await p.pause()
    expect((await cairn.list()).map((s) => s.sessionId).sort()).toEqual(['l1', 'l2'])
    expect((await cairn.list({ status: 'paused' })).map((s) => s.sessionId)).toEqual(['l2'])
    const shown = await cairn.show('l1', { lastTrials: 2 })
    expect(shown.head.progress.attempts).toBe(3)
    expect(shown.trials.map((t) => t.trialIdx)).toEqual([1, 2])
    expect(shown.best?.trialIdx).toBe(shown.head.progress.bestTrialIdx)
    expect(shown.head).not.toHaveProperty('optimizerState')
    expect(JSON.parse(JSON.stringify(shown)).head.sessionId).toBe('l1')

    // Cancelling a paused session no one drives cancels it at once.
    expect(await cairn.control('l2', 'cancel')).toMatchObject({ outcome: 'applied', status: 'cancelled' })
    await expect(cairn.control('l2', 'pause')).rejects.toMatchObject({ code: 'ALREADY_TERMINAL' })
    await expect(cairn.resume('l2')).rejects.toMatchObject({ code: 'ALREADY_TERMINAL' })

    // A driven session gets a request, honoured at its next trial boundary.
    const running = await cairn.start('quad', { sessionId: 'l3', maxTrials: 500 })
    await expect(cairn.delete('l3')).rejects.toBeInstanceOf(SessionBusyError)
    expect(await cairn.control('l3', 'pause', { wait: true })).toMatchObject({ outcome: 'requested', status: 'paused' })
    expect((await running.wait()).status).toBe('paused')

    await cairn.delete('l1')
    await expect(cairn.show('l1')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(cairn.delete('l1')).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  test('an unknown job or optimizer is refused before the store is opened', async () => {
    const store = join(dir, 'never')
    cairn = createCairn(config(`level:${store}`))
    await expect(cairn.start('nope')).rejects.toBeInstanceOf(UnknownJobError)
    await expect(cairn.open('nope')).rejects.toThrow(/unknown job "nope": the config defines "quad", "fixed", "prompts"/)
    await expect(cairn.start('quad', { optimizer: 'nope' })).rejects.toBeInstanceOf(UnknownOptimizerError)
    // Reads of a store that does not exist do not create it.
    expect(await cairn.list()).toEqual([])
    await expect(cairn.show('x')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(cairn.resume('x')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(cairn.control('x', 'pause')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(existsSync(store)).toBe(false)
  })

  test('cancel of a paused session whose process died still holding its lease: waits for the lease, then cancels', async () => {
    // A process killed between committing its pause and releasing its lease (a second Ctrl-C).
    const uri = `fs:${join(dir, 'store')}`
    cairn = createCairn(config(uri))
    await (await cairn.start('quad', { sessionId: 'stranded' })).pause()
    const gone = spawn(process.execPath, ['-e', ''])
    const deadPid = await new Promise<number>((resolve) => gone.on('exit', () => resolve(gone.pid as number)))
    const store = createFsStore({ dir: join(dir, 'store') })
    const lease = await store.acquireLease('stranded', `${hostname()}:${deadPid}:driver`, 2_000) // long enough that control still finds it held on a loaded machine
    await store.close()
    const waits: number[] = []
    const outcome = await cairn.control('stranded', 'cancel', { onLeaseWait: (w) => waits.push(w.expiresAt) })
    expect(waits).toEqual([lease.expiresAt])
    expect(outcome).toMatchObject({ outcome: 'applied', status: 'cancelled' })
    expect((await cairn.show('stranded')).head.status).toBe('cancelled')
  })

  test('a session whose job the config no longer defines cannot be resumed, and says so', async () => {
    const uri = `fs:${join(dir, 'store')}`
    cairn = createCairn(config(uri))
    await (await cairn.start('quad', { sessionId: 'orphan' })).pause()
    await cairn.close()
    cairn = createCairn({ store: uri, jobs: {} })
    await expect(cairn.resume('orphan')).rejects.toThrow(/unknown job "quad" \(named by session "orphan"\): the config defines no jobs/)
  })

  test('a package that is not installed is named with how to install it', async () => {
    const name = '@cairn/store-that-does-not-exist'
    const err = await importOptional(name, 'the store "x:"', () => import(name)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(MissingPackageError)
    expect((err as Error).message).toBe(
      `[cairn] the store "x:" needs the package ${name}, which is not installed; install it with \`npm install ${name}\` (or pnpm add / yarn add)`,
    )
    // Other failures are not disguised as a missing package.
    await expect(importOptional(name, 'x', () => Promise.reject(new TypeError('boom')))).rejects.toThrow('boom')
  })
})
