import { InvalidInputError, UnknownOptionError } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { backoffDelay } from '../src/backoff.js'
import { RecoveryConfigError } from '../src/index.js'
import { DEFAULT_RECOVERY_POLICY, resolvePolicy } from '../src/policy.js'

describe('resolvePolicy', () => {
  it('is disabled with the documented defaults when no policy is given', () => {
    expect(resolvePolicy(undefined)).toEqual({
      enabled: false,
      maxAttempts: 3,
      backoffMs: 5_000,
      maxBackoffMs: 60_000,
      jitter: 0.5,
      pollIntervalMs: 5_000,
      pollTimeoutMs: 30_000,
      maxConcurrent: 4,
      attemptTimeoutMs: 600_000,
      rebuildCorruptHeads: true,
    })
    expect(resolvePolicy({})).toEqual({ ...DEFAULT_RECOVERY_POLICY })
    expect(resolvePolicy({ enabled: true, maxAttempts: 1, attemptTimeoutMs: Infinity }).attemptTimeoutMs).toBe(Infinity)
  })

  it.each([
    [{ enabled: 'yes' }, 'policy.enabled'],
    [{ maxAttempts: 0 }, 'policy.maxAttempts'],
    [{ maxAttempts: 1.5 }, 'policy.maxAttempts'],
    [{ backoffMs: -1 }, 'policy.backoffMs'],
    [{ backoffMs: 10_000, maxBackoffMs: 5_000 }, 'policy.maxBackoffMs'],
    [{ jitter: 2 }, 'policy.jitter'],
    [{ pollIntervalMs: 0 }, 'policy.pollIntervalMs'],
    [{ pollIntervalMs: Infinity }, 'policy.pollIntervalMs'],
    [{ maxConcurrent: 0 }, 'policy.maxConcurrent'],
    [{ attemptTimeoutMs: 0 }, 'policy.attemptTimeoutMs'],
    [{ onFailure: 'log' }, 'policy.onFailure'],
    [{ rebuildCorruptHeads: 'no' }, 'policy.rebuildCorruptHeads'],
    [{ pollIntervalMs: 2 ** 31 }, 'policy.pollIntervalMs'],
    [{ pollTimeoutMs: 2 ** 31 }, 'policy.pollTimeoutMs'],
    [{ backoffMs: 2 ** 31, maxBackoffMs: 2 ** 31 }, 'policy.backoffMs'],
    [{ attemptTimeoutMs: 2 ** 31 }, 'policy.attemptTimeoutMs'],
  ])('rejects %j naming %s', (policy, field) => {
    let error: unknown
    try {
      resolvePolicy(policy as never)
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(RecoveryConfigError)
    expect(error).toBeInstanceOf(InvalidInputError)
    expect((error as InvalidInputError).code).toBe('INVALID_INPUT')
    expect((error as InvalidInputError).field).toBe(field)
    expect((error as Error).message.startsWith(`[@cairn/recovery] ${field}:`)).toBe(true)
  })
})

describe('resolvePolicy is strict', () => {
  it('refuses an unknown key, naming the nearest one', () => {
    let error: unknown
    try {
      resolvePolicy({ enabled: true, pollInterval: 1_000 } as never)
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(UnknownOptionError)
    expect(error).toMatchObject({ code: 'INVALID_INPUT', field: 'policy.pollInterval', suggestion: 'pollIntervalMs' })
    expect((error as Error).message).toBe('[@cairn/recovery] policy: unknown option policy.pollInterval (did you mean pollIntervalMs?)')
  })

  it("durations that arm a timer say setTimeout's limit; attemptTimeoutMs may still be Infinity", () => {
    expect(() => resolvePolicy({ pollIntervalMs: 2 ** 31 })).toThrow(/at most 2147483647 \(setTimeout's limit\), got 2147483648/)
    expect(resolvePolicy({ pollIntervalMs: 2 ** 31 - 1, attemptTimeoutMs: Infinity })).toMatchObject({
      pollIntervalMs: 2 ** 31 - 1,
      attemptTimeoutMs: Infinity,
    })
  })
})

describe('backoffDelay', () => {
  const noJitter = { backoffMs: 5_000, maxBackoffMs: 60_000, jitter: 0 }

  it('doubles from backoffMs and stops at maxBackoffMs', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50, 5000].map((n) => backoffDelay(n, noJitter))).toEqual([
      5_000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000, 60_000, 60_000,
    ])
  })

  it('draws the jittered delay from [d·(1 − jitter), d]', () => {
    const policy = { ...noJitter, jitter: 0.5 }
    expect(backoffDelay(2, policy, () => 0)).toBe(10_000)
    expect(backoffDelay(2, policy, () => 0.5)).toBe(7_500)
    expect(backoffDelay(2, policy, () => 0.999_999)).toBe(5_000)
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(3, policy)
      expect(d).toBeGreaterThanOrEqual(10_000)
      expect(d).toBeLessThanOrEqual(20_000)
    }
    expect(backoffDelay(9, policy, () => 0)).toBe(60_000)
  })

  it('is 0 with backoffMs 0', () => {
    expect(backoffDelay(3, { backoffMs: 0, maxBackoffMs: 0, jitter: 0.5 }, () => 0.3)).toBe(0)
  })
})
