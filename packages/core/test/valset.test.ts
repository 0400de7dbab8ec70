import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { decodeHead } from '../src/store-kit.js'
import { corruptHead } from '../src/testing.js'
import {
  compile,
  createMemoryStore,
  InvalidInputError,
  ResumeMismatchError,
  resumeSession,
  startSession,
  UnknownOptionError,
  warmStartKeys,
  type Json,
  type MemoryStore,
  type Optimizer,
  type StepContext,
} from '../src/index.js'
import { sphere, stepper, uniform } from './helpers/optimizers.js'

/** The program answers `config.x * example`; the metric rewards answers close to the example. */
const program = (config: Json, example: number): number => (config as { x: number }).x * example
const metric = (example: number, output: number): number => -Math.abs(output - example)
const trainset = [1, 2, 3]
const valset = [10, 20]

/** A program session paused after its first trial. */
async function pausedProgramSession(store: MemoryStore, extra: Record<string, unknown> = {}): Promise<string> {
  const h = await startSession({
    store,
    optimizer: uniform(),
    trainset,
    metric,
    program: (config: Json, example: number) => {
      void h.pause()
      return program(config, example)
    },
    ...extra,
  } as Parameters<typeof startSession>[0])
  await h.wait()
  return h.id
}

describe('valset: held-out examples of a program session', () => {
  test('its hash is recorded, evaluations run on it by default, and step optimizers see it', async () => {
    const seen: { trainset?: readonly unknown[]; valset?: readonly unknown[] }[] = []
    const base = stepper()
    const watching: Optimizer<{ steps: number }> = {
      ...base,
      step: (state, ctx: StepContext) => {
        seen.push({ trainset: ctx.trainset, valset: ctx.valset })
        return base.step(state, ctx)
      },
    }
    const store = createMemoryStore()
    const calls: number[] = []
    const result = await compile({
      store,
      sessionId: 'held-out',
      optimizer: watching,
      trainset,
      valset,
      metric,
      program: (config: Json, example: number) => {
        calls.push(example)
        return program(config, example)
      },
      maxTrials: 2,
    })
    expect(result.status).toBe('completed')
    expect(calls).toEqual([10, 20, 10, 20]) // the valset, never the trainset
    expect(seen).toEqual([
      { trainset, valset },
      { trainset, valset },
    ])
    const head = await store.load('held-out')
    expect(head.valsetHash).toMatch(/^cairn-sha256:[0-9a-f]{64}$/)
    expect(head.valsetHash).not.toBe(head.trainsetHash)
    // Without a valset nothing is recorded, and evaluations run on the trainset as before.
    const plain = await compile({ store, sessionId: 'plain', optimizer: uniform(), trainset, metric, program, maxTrials: 1 })
    expect(plain.status).toBe('completed')
    expect((await store.load('plain')).valsetHash).toBeUndefined()
  })

  test('strict input: an array of examples, for program sessions only, never empty; valsetHash only with a valset', async () => {
    const opts = { optimizer: uniform(), trainset, metric, program, maxTrials: 1 }
    for (const bad of ['x', 3, { 0: 1 }, null])
      await expect(startSession({ ...opts, valset: bad as never }), JSON.stringify(bad)).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        field: 'valset',
        message: expect.stringMatching(/must be an array of examples/),
      })
    await expect(startSession({ ...opts, valset: [] })).rejects.toMatchObject({
      field: 'valset',
      message: expect.stringMatching(/non-empty/),
    })
    await expect(startSession({ optimizer: uniform(), objective: sphere, valset })).rejects.toMatchObject({
      field: 'valset',
      message: expect.stringMatching(/program \+ trainset \+ metric sessions/),
    })
    await expect(startSession({ ...opts, valsetHash: 'abc' })).rejects.toMatchObject({ field: 'valsetHash' })
    const misspelt = await compile({ ...opts, valSet: valset } as never).catch((e: unknown) => e)
    expect(misspelt).toBeInstanceOf(UnknownOptionError)
    expect((misspelt as Error).message).toMatch(/unknown option valSet \(did you mean valset\?\)/)
  })
})

describe('valset: the resume gate', () => {
  const resume = (store: MemoryStore, id: string, extra: Record<string, unknown> = {}) =>
    resumeSession(store, id, { optimizer: uniform(), program, metric, trainset, maxTrials: 2, ...extra })

  test('another valset, a valset added or a valset left out is refused (reason valset-hash) and changes nothing', async () => {
    const store = createMemoryStore()
    const withValset = await pausedProgramSession(store, { valset })
    const without = await pausedProgramSession(store)
    const before = [await store.load(withValset), await store.load(without)]
    const cases: [string, Record<string, unknown>, unknown, unknown][] = [
      [withValset, { valset: [10, 21] }, before[0]!.valsetHash, expect.stringMatching(/^cairn-sha256:/)],
      [withValset, {}, before[0]!.valsetHash, null],
      [without, { valset }, null, expect.stringMatching(/^cairn-sha256:/)],
    ]
    for (const [id, extra, expected, got] of cases) {
      const err = await resume(store, id, extra).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ResumeMismatchError)
      expect(err).toMatchObject({ code: 'RESUME_MISMATCH', reason: 'valset-hash', expected, got })
    }
    expect([await store.load(withValset), await store.load(without)]).toEqual(before)
    // The same valset (and no valset for a session without one) resumes to the end.
    expect((await (await resume(store, withValset, { valset: [10, 20] })).wait()).status).toBe('completed')
    expect((await (await resume(store, without)).wait()).status).toBe('completed')
  })

  test('a caller-supplied valset hash must be given again on resume (it cannot be recomputed)', async () => {
    const store = createMemoryStore()
    const id = await pausedProgramSession(store, { valset, valsetHash: 'v'.repeat(8) })
    expect((await store.load(id)).valsetHash).toBe('v'.repeat(8))
    await expect(resume(store, id, { valset })).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'valsetHash' })
    await expect(resume(store, id, { valset, valsetHash: 'w'.repeat(8) })).rejects.toMatchObject({ reason: 'valset-hash' })
    expect((await (await resume(store, id, { valset, valsetHash: 'v'.repeat(8) })).wait()).status).toBe('completed')
  })
})

describe('valset: warm-start keys', () => {
  test('the valset hash is part of the exact key, not the seed key; keys without a valset are as before', async () => {
    // Values computed before valsets existed: stored warm-start entries stay reachable.
    expect(warmStartKeys({ optimizerId: 'test/x', trainsetHash: 'h', job: 'j' })).toEqual({
      exact: '023be44c484fdae7874934c7dd17a478566b739c8214c442fc2d303e4451bb5e',
      seed: '6ed7e06e905c87c1c7dfa8b8d455c00a7a986ee81234cd4a050c854c801a8b98',
    })
    const plain = warmStartKeys({ optimizerId: 'test/x', trainsetHash: 'h', job: 'j' })
    const a = warmStartKeys({ optimizerId: 'test/x', trainsetHash: 'h', valsetHash: 'v1', job: 'j' })
    const b = warmStartKeys({ optimizerId: 'test/x', trainsetHash: 'h', valsetHash: 'v2', job: 'j' })
    expect(new Set([plain.exact, a.exact, b.exact]).size).toBe(3)
    expect(new Set([plain.seed, a.seed, b.seed]).size).toBe(1)

    // A session records the keys with its valset hash, and a resume keeps writing under them.
    const store = createMemoryStore()
    const h = await startSession({
      store,
      optimizer: uniform(),
      trainset,
      valset,
      metric,
      program,
      job: 'j',
      maxTrials: 2,
      warmStart: { store },
    })
    await h.wait()
    const head = h.head()
    const keys = warmStartKeys({
      optimizerId: 'test/uniform',
      trainsetHash: head.trainsetHash as string,
      valsetHash: head.valsetHash as string,
      job: 'j',
    })
    expect(head.warmStart).toMatchObject({ exactKey: keys.exact, seedKey: keys.seed })
    expect(await store.lookup(keys.exact)).toMatchObject({ runId: h.id })
    expect(keys.exact).not.toBe(warmStartKeys({ optimizerId: 'test/uniform', trainsetHash: head.trainsetHash as string, job: 'j' }).exact)
  })
})

describe('valset: heads written before it existed', () => {
  /** The fixture's optimizer: id and state version as recorded, any state bytes accepted. */
  const fixtureOptimizer = (): Optimizer<{ steps: number }> => ({
    ...stepper(),
    id: 'fixture/opt',
    stateVersion: 2,
    options: { a: 1 },
    decodeState: () => ({ steps: 0 }),
  })

  test('the old-format fixture decodes without a valset hash and resumes; a valset given for it is refused', async () => {
    const bytes = new Uint8Array(readFileSync(new URL('./fixtures/head-v1.bin', import.meta.url)))
    const head = decodeHead(bytes)
    expect(head.valsetHash).toBeUndefined()
    expect(head).toMatchObject({ sessionId: 'fixture-1', status: 'running', progress: { attempts: 3 }, revision: 4 })

    // A store holding the fixture head over a trial log of its three trials.
    const store = createMemoryStore()
    const first = await compile({ store, sessionId: 'fixture-1', optimizer: fixtureOptimizer(), objective: sphere, maxTrials: 3 })
    expect(first.progress.attempts).toBe(3)
    await corruptHead(store, 'fixture-1', bytes)
    expect(await store.load('fixture-1')).toMatchObject({ status: 'running', revision: 4 })

    await expect(
      resumeSession(store, 'fixture-1', { optimizer: fixtureOptimizer(), objective: sphere, valset } as never),
    ).rejects.toBeInstanceOf(InvalidInputError) // objective sessions take no valset
    const resumed = await resumeSession(store, 'fixture-1', { optimizer: fixtureOptimizer(), objective: sphere, maxTrials: 5 })
    const result = await resumed.wait()
    expect(result).toMatchObject({ status: 'completed', progress: { attempts: 5 } })
    expect((await store.load('fixture-1')).valsetHash).toBeUndefined()
  })
})
