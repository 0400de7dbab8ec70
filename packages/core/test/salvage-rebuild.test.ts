import { readFileSync } from 'node:fs'
import { decodeHead, encodeHead } from '../src/store-kit.js'
import { corruptHead } from '../src/testing.js'
import { describe, expect, test } from 'vitest'
import {
  CheckpointCorruptError,
  compile,
  createMemoryStore,
  InvalidInputError,
  rebuildHead,
  resumeSession,
  ResumeMismatchError,
  UnknownOptionError,
  type SalvagedSession,
} from '../src/index.js'
import { sphere, uniform } from './helpers/optimizers.js'

const GARBAGE = new TextEncoder().encode('not a head')

describe('the head format keeps old heads readable', () => {
  test('a head written before `recovery` existed (fixture) decodes, without it; one with it round-trips', () => {
    const old = new Uint8Array(readFileSync(new URL('./fixtures/head-v1.bin', import.meta.url)))
    const head = decodeHead(old)
    expect(head).toMatchObject({ sessionId: 'fixture-1', job: 'quadratic', revision: 4, progress: { attempts: 3 } })
    expect(head.recovery).toBeUndefined()
    const withRecovery = { ...head, recovery: { attempts: 2, atTrial: 3, lastAttemptAt: 5, lastOwner: 'm', rebuiltAt: 4 } }
    expect(decodeHead(encodeHead(withRecovery))).toEqual(withRecovery)
    expect(() => encodeHead({ ...head, recovery: { attempts: -1, atTrial: 0 } })).toThrow(/recovery/)
  })
})

/** A finished-looking session of 6 trials whose head is then damaged; returns its salvage. */
async function damagedSession(direction: 'minimize' | 'maximize' = 'minimize') {
  const store = createMemoryStore()
  const result = await compile({
    store,
    sessionId: 'broken',
    name: 'my run',
    job: 'sphere',
    optimizer: uniform(),
    objective: direction === 'minimize' ? sphere : (c: { x: number }) => -sphere(c),
    direction,
    seed: 7,
    maxTrials: 6,
  })
  // Make it look like a worker died mid-run: back to running, then damaged.
  const head = await store.load('broken')
  const lease = await store.acquireLease('broken', 'x', 60_000)
  await store.commit('broken', {
    expectedRevision: head.revision,
    fencingToken: lease.fencingToken,
    head: { ...head, status: 'running' },
    trials: [],
  })
  await store.releaseLease('broken', lease)
  const trials = await store.readTrials('broken')
  await corruptHead(store, 'broken', GARBAGE)
  return { store, result, trials, salvaged: (await store.salvage('broken')) as SalvagedSession }
}

describe('rebuildHead', () => {
  test('recomputes counters and the best trial from the trial log; the damaged bytes are kept; the session resumes to the end', async () => {
    const { store, result, trials, salvaged } = await damagedSession()
    expect(salvaged.trials).toEqual(trials)
    const { head, lost } = await rebuildHead(salvaged, { optimizer: uniform(), maxTrials: 10, now: 123 })
    expect(head).toMatchObject({
      sessionId: 'broken',
      name: 'my run',
      job: 'sphere',
      status: 'running',
      direction: 'minimize',
      progress: { attempts: 6, completed: 6, errors: 0, bestScore: result.bestScore, bestTrialIdx: result.bestTrialIdx },
      limits: { maxTrials: 10 },
      pending: [],
    })
    expect(head.bestArtifact).toEqual(trials[result.bestTrialIdx as number]?.candidate)
    expect(lost.join('; ')).toMatch(/optimizer state.*seed.*direction \(told from the best score: minimize\)/)
    const lease = await store.acquireLease('broken', 'rebuilder', 60_000)
    const latest = (await store.salvage('broken')) as SalvagedSession
    await store.replaceDamagedHead('broken', { damage: latest.damage, fencingToken: lease.fencingToken, head })
    expect(store.damagedHeads('broken')).toEqual([GARBAGE])
    await store.releaseLease('broken', lease)
    const handle = await resumeSession(store, 'broken', { optimizer: uniform(), objective: sphere })
    const done = await handle.wait()
    expect(done).toMatchObject({ status: 'completed', progress: { attempts: 10 } })
    const after = await store.readTrials('broken')
    expect(after.slice(0, 6)).toEqual(trials)
    expect(after.map((t) => t.trialIdx)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  test('tells maximize from the best score; without a budget a running session is rebuilt paused', async () => {
    const { salvaged } = await damagedSession('maximize')
    const { head, lost } = await rebuildHead(salvaged, { optimizer: uniform() })
    expect(head).toMatchObject({ direction: 'maximize', status: 'paused', limits: { maxTrials: null } })
    expect(lost.join('; ')).toMatch(/trial budget \(rebuilt paused/)
  })

  test('refuses what it cannot do: no vouched trials, no listing, another optimizer, an untellable direction', async () => {
    const { salvaged } = await damagedSession()
    await expect(
      rebuildHead({ ...salvaged, trials: null, trialsProblem: 'the journal is unreadable' }, { optimizer: uniform() }),
    ).rejects.toThrow(CheckpointCorruptError)
    await expect(rebuildHead({ ...salvaged, listing: null }, { optimizer: uniform() })).rejects.toThrow(/no readable listing/)
    await expect(rebuildHead(salvaged, { optimizer: { ...uniform(), id: 'other' } })).rejects.toThrow(ResumeMismatchError)
    const listing = salvaged.listing as NonNullable<SalvagedSession['listing']>
    await expect(rebuildHead({ ...salvaged, listing: { ...listing, bestScore: 1234.5 } }, { optimizer: uniform() })).rejects.toThrow(
      InvalidInputError,
    )
    // Given, the direction is taken as is.
    const given = await rebuildHead(
      { ...salvaged, listing: { ...listing, bestScore: null } },
      { optimizer: uniform(), direction: 'maximize' },
    )
    expect(given.head.direction).toBe('maximize')
  })

  test('refuses an unknown option (naming the nearest one) and malformed ones, before rebuilding anything', async () => {
    const { salvaged } = await damagedSession()
    await expect(rebuildHead(salvaged, { optimizer: uniform(), maxTrial: 10 } as never)).rejects.toThrow(
      'rebuildHead: unknown option maxTrial (did you mean maxTrials?)',
    )
    await expect(rebuildHead(salvaged, { optimizer: uniform(), maxTrial: 10 } as never)).rejects.toBeInstanceOf(UnknownOptionError)
    await expect(rebuildHead(salvaged, { optimizer: uniform(), seed: 1.5 })).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'seed' })
    await expect(rebuildHead(salvaged, { optimizer: uniform(), trialTimeoutMs: 2 ** 31 })).rejects.toThrow(
      /trialTimeoutMs.*at most 2147483647/,
    )
    await expect(rebuildHead(salvaged, {} as never)).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'optimizer' })
  })
})
