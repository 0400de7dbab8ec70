import { existsSync } from 'node:fs'
import { stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { createMemoryStore, resumeSession, startSession } from '@cairn/core'
import { decodeHead, decodeTrial, encodeHead, encodeTrial } from '@cairn/core/store-kit'
import {
  killableStore,
  makeHead,
  makeTrial,
  nextHead,
  referenceOptimizer,
  referenceOptimizerModule,
  rejectedWith,
  removeDir,
  settle,
  SimulatedCrash,
  tempDir,
} from '../src/index.js'
import { TEST_OWNER } from '../src/helpers/head.js'
import { defaultObjective, defaultSpace } from '../src/optimizer/defaults.js'
import { childScriptPath, nodeArgs } from '../src/process/spawn.js'

describe('makeHead / makeTrial / nextHead', () => {
  test('makeHead builds a valid new-session head that stores accept', async () => {
    const head = makeHead()
    expect(decodeHead(encodeHead(head))).toEqual(head)
    expect(head).toMatchObject({ revision: 0, status: 'running', progress: { attempts: 0 }, lease: { owner: TEST_OWNER, fencingToken: 1 } })
    expect(head.lease!.expiresAt).toBeGreaterThan(Date.now())
    expect(makeHead().sessionId).not.toBe(head.sessionId)
    const store = createMemoryStore()
    await store.create(head)
    expect(await store.load(head.sessionId)).toEqual(head)
  })

  test('makeHead takes overrides', () => {
    const head = makeHead({ sessionId: 'fixed', direction: 'maximize', lease: null })
    expect(head).toMatchObject({ sessionId: 'fixed', direction: 'maximize', lease: null })
  })

  test('makeTrial builds a valid ok trial; nextHead counts it', async () => {
    const t = makeTrial(3, { score: 0.5 })
    expect(decodeTrial(encodeTrial(t))).toEqual(t)
    const head = makeHead({ direction: 'maximize' })
    const next = nextHead(head, [
      makeTrial(0, { score: 1 }),
      makeTrial(1, { score: 3 }),
      makeTrial(2, { status: 'error', score: undefined, error: { name: 'E', message: 'boom' } }),
    ])
    expect(next.progress).toMatchObject({ attempts: 3, completed: 2, errors: 1, bestScore: 3, bestTrialIdx: 1 })
    expect(next.rngState).not.toBe(head.rngState)
    expect(next.revision).toBe(head.revision)
    const store = createMemoryStore()
    await store.create(head)
    const trials = [makeTrial(0)]
    await store.commit(head.sessionId, { expectedRevision: 0, fencingToken: 1, head: nextHead(head, trials), trials })
    expect(await store.readTrials(head.sessionId)).toEqual(trials)
  })
})

describe('tempDir / removeDir', () => {
  test('creates a fresh directory and removes it (twice is fine)', async () => {
    const a = await tempDir()
    const b = await tempDir()
    expect(a).not.toBe(b)
    expect((await stat(a)).isDirectory()).toBe(true)
    await writeFile(join(a, 'f'), 'x')
    await removeDir(a)
    await removeDir(a)
    await removeDir(b)
    expect(existsSync(a)).toBe(false)
  })
})

describe('settle', () => {
  test('describes resolutions and rejections by code', async () => {
    expect(await settle(Promise.resolve(4))).toEqual({ outcome: 'resolved', value: 4 })
    const store = createMemoryStore()
    expect(await settle(store.load('nope'))).toMatchObject(rejectedWith('NOT_FOUND'))
    expect(await settle(() => Promise.reject(new Error('x')))).toMatchObject({ outcome: 'rejected', message: 'x' })
  })
})

describe('killableStore', () => {
  test('dies right after the commit that reaches killAfterTrials; that commit landed', async () => {
    const inner = createMemoryStore()
    const seen: number[] = []
    const k = killableStore(inner, { killAfterTrials: 2, onCommit: ({ trialsCommitted }) => seen.push(trialsCommitted) })
    const head = makeHead()
    await k.store.create(head)
    let h = head
    for (let i = 0; i < 2; i++) {
      const trials = [makeTrial(i)]
      const next = nextHead(h, trials)
      const outcome = await settle(k.store.commit(head.sessionId, { expectedRevision: i, fencingToken: 1, head: next, trials }))
      expect(outcome.outcome).toBe(i === 0 ? 'resolved' : 'rejected')
      h = { ...next, revision: i + 1 }
    }
    expect(k.dead).toBe(true)
    expect(k.trialsCommitted).toBe(2)
    expect(seen).toEqual([1, 2])
    expect(await inner.readTrials(head.sessionId)).toHaveLength(2)
    await expect(k.store.load(head.sessionId)).rejects.toBeInstanceOf(SimulatedCrash)
    await expect(k.store.list()).rejects.toThrow(/simulated crash/)
    expect(k.store.capabilities).toEqual(inner.capabilities)
  })

  test('kill() stops a driver; resuming on the inner store with the same owner finishes the session', async () => {
    const inner = createMemoryStore()
    const k = killableStore(inner, { killAfterTrials: 3 })
    const opts = { optimizer: referenceOptimizer(), objective: defaultObjective, owner: 'w', maxTrials: 6 }
    const h = await startSession({ ...opts, store: k.store, space: defaultSpace, seed: 3 })
    expect((await settle(h.wait())).outcome).toBe('rejected')
    expect((await inner.load(h.id)).progress.attempts).toBe(3)
    const r = await (await resumeSession(inner, h.id, { ...opts, optimizer: referenceOptimizer() })).wait()
    expect(r).toMatchObject({ status: 'completed', progress: { attempts: 6 } })
  })
})

describe('child processes', () => {
  test("the child scripts and the reference optimizer module exist where the suites look for them (in this run's mode)", () => {
    expect(existsSync(childScriptPath('store-child'))).toBe(true)
    expect(existsSync(childScriptPath('session-child'))).toBe(true)
    expect(existsSync(referenceOptimizerModule())).toBe(true)
  })

  /** Runs `fn` with CAIRN_TESTKIT_CHILDREN set to `value` (unset for undefined), then puts it back. */
  function withChildrenMode(value: string | undefined, fn: () => void): void {
    const saved = process.env['CAIRN_TESTKIT_CHILDREN']
    if (value === undefined) delete process.env['CAIRN_TESTKIT_CHILDREN']
    else process.env['CAIRN_TESTKIT_CHILDREN'] = value
    try {
      fn()
    } finally {
      if (saved === undefined) delete process.env['CAIRN_TESTKIT_CHILDREN']
      else process.env['CAIRN_TESTKIT_CHILDREN'] = saved
    }
  }

  test('from sources, TypeScript children run with the source condition and tsx; plain .js would not need tsx', () => {
    withChildrenMode(undefined, () => {
      const script = childScriptPath('store-child')
      expect(script).toMatch(/\/src\/process\/store-child\.ts$/)
      const args = nodeArgs(script, ['/x/store.ts'])
      expect(args[0]).toBe('--conditions=@cairn/source')
      expect(args[1]).toBe('--import')
      expect(args[2]).toMatch(/^file:.*tsx.*esm/)
      expect(args[3]).toBe(script)
      expect(nodeArgs('/x/child.js', ['/x/store.js'])).toEqual(['--conditions=@cairn/source', '/x/child.js'])
      expect(referenceOptimizerModule()).toMatch(/\/src\/reference\/optimizer-module\.ts$/)
    })
  })

  test("with CAIRN_TESTKIT_CHILDREN=built, the children run testkit's dist/ on plain node (no tsx, no source condition)", () => {
    withChildrenMode('built', () => {
      const script = childScriptPath('store-child')
      expect(script).toMatch(/\/dist\/process\/store-child\.js$/)
      expect(nodeArgs(script, ['/x/store.mjs'])).toEqual([script])
      expect(referenceOptimizerModule()).toMatch(/\/dist\/reference\/optimizer-module\.js$/)
    })
  })
})
