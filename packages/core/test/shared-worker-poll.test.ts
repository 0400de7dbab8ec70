/**
 * How an idle worker looks for work: right after a trial it looks again every 10 ms (the
 * coordinator is about to publish the next candidate), 25 times, then every `pollIntervalMs`.
 * Sleeps are recorded, never waited for.
 */
import { expect, test } from 'vitest'
import { createMemoryStore, joinSession, startSession } from '../src/index.js'
import { joinSessionWith } from '../src/testing.js'
import { nearBest } from './helpers/optimizers.js'
import { gate, until } from './helpers/shared.js'

test('after each trial a worker looks again every 10 ms, 25 times, then at its poll interval', async () => {
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
    expect(waits).toEqual(waits.map((_, i) => (i < 25 ? 10 : 100)))
  }
})

test('an idle worker that finds the head unchanged reads no slot until its poll interval has passed', async () => {
  const clock = { t: 1_000_000 }
  const store = createMemoryStore({ clock: { now: () => clock.t } })
  const held = gate()
  const holder = async (c: { x: number }): Promise<number> => {
    await held.wait
    return (c.x - 1) ** 2
  }
  const coordinator = await startSession({
    store,
    optimizer: nearBest(),
    evaluation: 'shared',
    evaluateLocally: false,
    parallelism: 1,
    maxTrials: 1,
    pollIntervalMs: 1,
  })
  const busy = await joinSession(store, coordinator.id, { objective: holder, owner: 'busy', pollIntervalMs: 1 })
  await until(async () => (await store.readTrialSlots(coordinator.id, [0]))[0]?.claim !== null, 'trial 0 is claimed')
  let slotReads = 0
  let looks = 0
  const counted = new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        if (prop === 'readTrialSlots') slotReads++
        if (prop === 'load') looks++
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  }) as typeof store
  const idle = await joinSessionWith(
    counted,
    coordinator.id,
    { objective: holder, owner: 'idle', pollIntervalMs: 100 },
    { now: () => clock.t, sleep: () => new Promise((resolve) => setImmediate(resolve)) },
  )
  await until(() => looks >= 20, 'the idle worker looked 20 times')
  expect(slotReads).toBe(1) // the clock stood still: one read, then only head loads
  clock.t += 100
  await until(() => slotReads >= 2, 'a poll interval later it reads the slots again')
  held.open()
  expect(await coordinator.wait()).toMatchObject({ status: 'completed' })
  expect((await idle.wait()).trialsEvaluated).toBe(0)
  expect((await busy.wait()).trialsEvaluated).toBe(1)
})
