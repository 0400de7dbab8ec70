// Attempt counts live in the store (on the session's head), so monitors sharing a store share
// them: together they make at most `maxAttempts` attempts in a row on a session that cannot be
// recovered, on every real store.
import { afterEach, describe, expect, it } from 'vitest'
import { JOB, quadratic, walk } from './fixtures/job.js'
import { harness, stopMonitors, type Harness } from './helpers/harness.js'
import { ManualTime, until } from './helpers/manual-time.js'
import { REAL_STORES, type RealStore } from './helpers/real-stores.js'
import { plantOrphan, trialLog } from './helpers/stores.js'

let real: RealStore | undefined
afterEach(async () => {
  await stopMonitors()
  await real?.close()
  real = undefined
})

/** Advances shared manual time a second at a time, letting both monitors finish each round, until `done`. */
async function rounds(time: ManualTime, monitors: Harness[], done: () => boolean, max = 40): Promise<void> {
  for (let i = 0; i < max && !done(); i++) {
    await until(() => monitors.every((m) => m.idle()), 'both monitors idle')
    await time.advance(1_000)
  }
  await until(() => monitors.every((m) => m.idle()), 'both monitors idle')
}

describe.each(REAL_STORES)('attempt counts shared through the store (%s)', (_name, open) => {
  it('two monitors on one store make at most maxAttempts attempts together, then both give up', async () => {
    real = await open()
    await plantOrphan(real.store, { sessionId: 'doomed', trialsDone: 2, maxTrials: 6 })
    let tried = 0
    // A dependency of the job is down: every attempt fails (retryably) before the first trial.
    const jobs = {
      [JOB]: {
        optimizer: () => {
          tried++
          throw new Error('the model server is down')
        },
        objective: quadratic(0),
      },
    }
    const time = new ManualTime(Date.now() - 3_600_000)
    const a = harness({ store: real.store, time, owner: 'monitor-a', jobs, policy: { maxAttempts: 3 } })
    const b = harness({ store: real.another(), time, owner: 'monitor-b', jobs, policy: { maxAttempts: 3 } })
    a.monitor.start()
    b.monitor.start()
    await rounds(time, [a, b], () => a.of('exhausted').length + b.of('exhausted').length === 2)

    const failed = [...a.of('failed'), ...b.of('failed')]
    expect(tried).toBe(3)
    expect(failed.map((e) => e.attempt).sort()).toEqual([1, 2, 3])
    expect(failed.every((e) => e.retryable)).toBe(true)
    for (const h of [a, b]) expect(h.of('exhausted')).toMatchObject([{ sessionId: 'doomed', reason: 'max-attempts', attempts: 3 }])
    const head = await real.store.load('doomed')
    expect(head.recovery).toMatchObject({ attempts: 3, atTrial: 2 })
    expect(await trialLog(real.store, 'doomed')).toMatchObject({ status: 'running', attempts: 2 })
    // Quarantined by both: nothing more happens.
    await rounds(time, [a, b], () => false, 5)
    expect(tried).toBe(3)
  })

  it('retry() of an exhausted session starts the count in the store afresh', async () => {
    real = await open()
    await plantOrphan(real.store, { sessionId: 'slow', trialsDone: 1, maxTrials: 4 })
    let failing = true
    const jobs = {
      [JOB]: () => {
        if (failing) throw new Error('the model server is down')
        return { optimizer: walk, objective: quadratic(0) }
      },
    }
    const time = new ManualTime(Date.now() - 3_600_000)
    const h = harness({ store: real.store, time, jobs, policy: { maxAttempts: 2 } })
    h.monitor.start()
    await rounds(time, [h], () => h.of('exhausted').length === 1)
    expect((await real.store.load('slow')).recovery).toMatchObject({ attempts: 2, atTrial: 1 })
    failing = false
    expect(h.monitor.retry('slow')).toBe(true)
    await rounds(time, [h], () => h.of('completed').length === 1)
    expect(h.of('started').at(-1)).toMatchObject({ attempt: 1 })
    expect(await trialLog(real.store, 'slow')).toMatchObject({ status: 'completed', attempts: 4 })
  })
})
