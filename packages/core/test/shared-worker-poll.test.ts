/**
 * How an idle worker looks for work: right after a trial it looks again soon (the coordinator
 * is about to publish the next candidate), doubling the wait up to `pollIntervalMs`; a worker
 * that found nothing keeps polling at `pollIntervalMs`. Sleeps are recorded, never waited for.
 */
import { expect, test } from 'vitest'
import { createMemoryStore, startSession } from '../src/index.js'
import { joinSessionWith } from '../src/testing.js'
import { nearBest } from './helpers/optimizers.js'

test('after each trial a worker looks again after 10 ms, then 20, 40 … up to its poll interval', async () => {
  const store = createMemoryStore()
  const log: Array<number | 'trial'> = []
  const objective = (c: { x: number }): number => {
    log.push('trial')
    return (c.x - 1) ** 2
  }
  const coordinator = await startSession({
    store,
    optimizer: nearBest(),
    objective,
    evaluation: 'shared',
    evaluateLocally: false,
    parallelism: 1,
    maxTrials: 3,
    pollIntervalMs: 1,
  })
  const worker = await joinSessionWith(
    store,
    coordinator.id,
    { objective, pollIntervalMs: 100 },
    {
      sleep: (ms) => {
        if (ms <= 100) log.push(ms) // not the claim's renewals (every trial lease ttl / 4)
        return new Promise((resolve) => setImmediate(resolve))
      },
    },
  )
  await coordinator.wait()
  await worker.wait()

  const trials = log.flatMap((entry, i) => (entry === 'trial' ? [i] : []))
  expect(trials).toHaveLength(3)
  for (const at of trials.slice(0, 2)) {
    const next = trials.find((t) => t > at) as number
    const waits = log.slice(at + 1, next) as number[]
    expect(waits.length).toBeGreaterThan(0)
    expect(waits[0]).toBe(10)
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBe(Math.min((waits[i - 1] as number) * 2, 100))
  }
})
