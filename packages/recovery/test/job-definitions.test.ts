import { createMemoryStore, UnknownOptionError } from '@cairn/core'
import { afterEach, describe, expect, it } from 'vitest'
import { RecoveryMonitor, type JobRegistry } from '../src/index.js'
import { JOB, quadratic, walk } from './fixtures/job.js'
import { harness, stopMonitors } from './helpers/harness.js'
import { plantOrphan } from './helpers/stores.js'

afterEach(stopMonitors)

describe('job definitions are held to the keys a job takes', () => {
  it('a misspelled key of a job definition is refused when the monitor is built, naming the nearest key', () => {
    const jobs = { quad: { optimizer: walk, objective: quadratic(0), maxTrial: 10 } } as unknown as JobRegistry
    const build = () => new RecoveryMonitor({ store: createMemoryStore(), jobs })
    expect(build).toThrow(UnknownOptionError)
    expect(build).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        field: 'jobs["quad"].maxTrial',
        suggestion: 'maxTrials',
        message: '[@cairn/recovery] jobs: unknown option jobs["quad"].maxTrial (did you mean maxTrials?)',
      }),
    )
  })

  it('every resumeSession option but owner and signal, and rebuild, is a key a job takes', () => {
    const jobs: JobRegistry = {
      quad: {
        optimizer: () => walk,
        objective: quadratic(0),
        maxTrials: 10,
        maxErrors: 1,
        trialTimeoutMs: 1_000,
        parallelism: 1,
        leaseTtlMs: 2_000,
        direction: 'minimize',
        seed: 1,
        waitForLease: false,
        evaluation: 'shared',
        evaluateLocally: true,
        trialLeaseTtlMs: 5_000,
        pollIntervalMs: 20,
        rebuild: { maxTrials: 10 },
      },
    }
    expect(new RecoveryMonitor({ store: createMemoryStore(), jobs })).toBeInstanceOf(RecoveryMonitor)
    const withOwner = { quad: { optimizer: walk, objective: quadratic(0), owner: 'me' } } as unknown as JobRegistry
    expect(() => new RecoveryMonitor({ store: createMemoryStore(), jobs: withOwner })).toThrow(UnknownOptionError)
  })

  it('a definition a job function returns with a misspelled key quarantines the session, naming the job and the key', async () => {
    const jobs: JobRegistry = { [JOB]: () => ({ optimizer: walk, objective: quadratic(0), maxTrial: 10 }) as never }
    const h = harness({ jobs })
    await plantOrphan(h.store, { sessionId: 'typo', trialsDone: 1, maxTrials: 12 })
    h.monitor.start()
    await h.step(0)
    await h.time.advance(5_000)
    expect(h.of('exhausted')).toHaveLength(1)
    const error = h.of('failed')[0]?.error
    expect(error).toBeInstanceOf(UnknownOptionError)
    expect((error as Error).message).toBe(`[@cairn/recovery] jobs: unknown option jobs["${JOB}"].maxTrial (did you mean maxTrials?)`)
  })
})
