import { describe, expect, test } from 'vitest'
import {
  compile,
  createMemoryStore,
  float,
  int,
  InvalidInputError,
  MAX_LEASE_TTL_MS,
  MAX_TIMER_MS,
  nearestName,
  resumeSession,
  startSession,
  UnknownOptionError,
  type SessionHandle,
} from '../src/index.js'
import { sphere, uniform } from './helpers/optimizers.js'

/** What a call threw (or null). */
async function thrown(fn: () => unknown): Promise<unknown> {
  try {
    await fn()
    return null
  } catch (err) {
    return err
  }
}

describe('unknown option keys are refused, naming the key and the nearest known one', () => {
  test('startSession({ maxTrial: 5 }) is refused instead of running with no limit', async () => {
    const store = createMemoryStore()
    const err = await thrown(() => startSession({ store, optimizer: uniform(), objective: sphere, maxTrial: 5 } as never))
    expect(err).toBeInstanceOf(UnknownOptionError)
    expect(err).toBeInstanceOf(InvalidInputError)
    expect(err).toMatchObject({ code: 'INVALID_INPUT', field: 'maxTrial', option: 'maxTrial', suggestion: 'maxTrials' })
    expect((err as Error).message).toBe('startSession: unknown option maxTrial (did you mean maxTrials?)')
    expect((await store.list()).items).toEqual([])
  })

  test.each<[string, () => unknown, string, string | undefined]>([
    [
      'resumeSession',
      () => resumeSession(createMemoryStore(), 's-1', { optimizer: uniform(), objective: sphere, maxErorrs: 1 } as never),
      'maxErorrs',
      'maxErrors',
    ],
    ['compile', () => compile({ optimizer: uniform(), objective: sphere, timeout: 5 } as never), 'timeout', 'timeoutMs'],
    [
      'startSession warmStart',
      () => startSession({ optimizer: uniform(), objective: sphere, warmStart: { store: createMemoryStore(), maxSeedTrial: 3 } } as never),
      'warmStart.maxSeedTrial',
      'maxSeedTrials',
    ],
    ['float()', () => float(0, 1, { steps: 0.1 } as never), 'steps', 'step'],
    ['int()', () => int(0, 10, { Log: true } as never), 'Log', 'log'],
    ['createMemoryStore', () => createMemoryStore({ clok: { now: () => 0 } } as never), 'clok', 'clock'],
  ])('%s', async (_what, call, field, suggestion) => {
    const err = await thrown(call)
    expect(err).toBeInstanceOf(UnknownOptionError)
    expect(err).toMatchObject({ field, suggestion })
    expect((err as Error).message).toContain(suggestion !== undefined ? `(did you mean ${suggestion}?)` : '(it takes none)')
  })

  test('with no near key, the message lists the known ones', async () => {
    const err = await thrown(() => startSession({ optimizer: uniform(), objective: sphere, colour: 'red' } as never))
    expect((err as Error).message).toMatch(/^startSession: unknown option colour \(known: optimizer, objective, .*, trainsetHash\)$/)
  })

  test('nearestName: typos, case and swapped letters are close; unrelated names are not', () => {
    const known = ['maxTrials', 'maxErrors', 'seed', 'direction', 'leaseTtlMs']
    expect(nearestName('maxTrial', known)).toBe('maxTrials')
    expect(nearestName('maxtrials', known)).toBe('maxTrials')
    expect(nearestName('sede', known)).toBe('seed')
    expect(nearestName('dirction', known)).toBe('direction')
    expect(nearestName('billing', ['billingMode', 'tags'])).toBe('billingMode')
    expect(nearestName('colour', known)).toBeUndefined()
    expect(nearestName('x', ['y'])).toBeUndefined()
  })
})

describe('options of the wrong kind are InvalidInputError naming the field, never a TypeError', () => {
  test.each<[string, Record<string, unknown>, RegExp]>([
    ['store', { store: {} }, /^store: must be a CheckpointStore .*\(it has no create, commit, load, .* methods\), got an object$/],
    ['store', { store: 'memory:' }, /^store: must be a CheckpointStore .*, got "memory:"$/],
    ['signal', { signal: { aborted: false } }, /^signal: must be an AbortSignal, got an object$/],
    ['owner', { owner: '' }, /^owner: must be a non-empty string, got ""$/],
    ['objective', { objective: 'sphere' }, /^objective: must be a function/],
    ['name', { name: 3 }, /^name: must be a string, got 3$/],
    ['warmStart.store', { warmStart: { store: {} } }, /^warmStart\.store: must be a WarmStartStore/],
    ['warmStart', { warmStart: true }, /^warmStart: must be an object \{ store, maxSeedTrials, reuseFinal, producerVersion \}, got true$/],
  ])('%s', async (field, patch, message) => {
    const err = await thrown(() => startSession({ optimizer: uniform(), objective: sphere, ...patch } as never))
    expect(err).toBeInstanceOf(InvalidInputError)
    expect(err).not.toBeInstanceOf(TypeError)
    expect(err).toMatchObject({ field })
    expect((err as Error).message).toMatch(message)
  })

  test('options that are not an object at all', async () => {
    const err = await thrown(() => startSession(null as never))
    expect(err).toBeInstanceOf(InvalidInputError)
    expect((err as Error).message).toMatch(/^startSession: options must be an object \{ optimizer, objective, /)
  })

  test('resumeSession with a store that is not one', async () => {
    const err = await thrown(() => resumeSession({} as never, 's-1', { optimizer: uniform(), objective: sphere }))
    expect(err).toMatchObject({ code: 'INVALID_INPUT', field: 'store' })
  })
})

describe('durations beyond setTimeout’s limit are refused, with the limit in the message', () => {
  test('the limits', () => {
    expect(MAX_TIMER_MS).toBe(2 ** 31 - 1)
    expect(MAX_LEASE_TTL_MS).toBe(86_400_000)
  })

  test('trialTimeoutMs: 2 ** 31 (every trial used to fail at once) is refused; 2 ** 31 − 1 runs', async () => {
    const err = await thrown(() => startSession({ optimizer: uniform(), objective: sphere, trialTimeoutMs: 2 ** 31 }))
    expect(err).toMatchObject({ code: 'INVALID_INPUT', field: 'trialTimeoutMs' })
    expect((err as Error).message).toContain("at most 2147483647 (setTimeout's limit), got 2147483648")
    const h = await startSession({ optimizer: uniform(), objective: sphere, trialTimeoutMs: MAX_TIMER_MS, maxTrials: 3 })
    const result = await h.wait()
    expect(result.progress).toMatchObject({ attempts: 3, completed: 3, errors: 0 })
  })

  test('leaseTtlMs: 1e15 (a crashed session could never be taken over) is refused; the maximum is 24 hours', async () => {
    for (const leaseTtlMs of [1e15, MAX_LEASE_TTL_MS + 1, Number.POSITIVE_INFINITY]) {
      const err = await thrown(() => startSession({ optimizer: uniform(), objective: sphere, leaseTtlMs }))
      expect(err).toMatchObject({ code: 'INVALID_INPUT', field: 'leaseTtlMs' })
      expect((err as Error).message).toContain('at most 86400000')
    }
    const store = createMemoryStore()
    const h = await startSession({ store, optimizer: uniform(), objective: sphere, leaseTtlMs: MAX_LEASE_TTL_MS, maxTrials: 1 })
    await h.wait()
  })

  test('compile({ timeoutMs: 2 ** 31 }) is refused instead of timing out at once', async () => {
    const err = await thrown(() => compile({ optimizer: uniform(), objective: sphere, maxTrials: 2, timeoutMs: 2 ** 31 }))
    expect(err).toMatchObject({ code: 'INVALID_INPUT', field: 'timeoutMs' })
  })

  test('wait({ timeoutMs: 2 ** 31 }) rejects with InvalidInputError instead of a TimeoutError after 1 ms', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const h: SessionHandle = await startSession({
      optimizer: uniform(),
      objective: async (c: { x: number }) => {
        await gate
        return sphere(c)
      },
      maxTrials: 1,
    })
    const err = await h.wait({ timeoutMs: 2 ** 31 }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'INVALID_INPUT', field: 'timeoutMs' })
    expect(await thrown(() => h.wait({ timeout: 5 } as never))).toBeInstanceOf(UnknownOptionError)
    release()
    expect((await h.wait()).status).toBe('completed')
  })
})
