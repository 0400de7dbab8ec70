/**
 * Wake-ups: a store that tells of changes (`watchSession`) ends the waits between polls early —
 * a worker looks for its next trial as soon as a head is committed, the coordinator reads the
 * results as soon as a slot is written. Here the polls never end on their own (a worker's sleep
 * resolves only when aborted, the coordinator's poll interval is an hour), so each session
 * completes only by the wake-ups.
 */
import { expect, test } from 'vitest'
import { createMemoryStore, joinSession, startSession, type SessionChange } from '../src/index.js'
import { PollWait } from '../src/session/shared/poll-wait.js'
import { joinSessionWith } from '../src/testing.js'
import { nearBest } from './helpers/optimizers.js'

/** A sleep that never ends on its own: only its signal aborting ends it. */
const endless = (_ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    signal?.addEventListener('abort', () => resolve(), { once: true })
  })

test('a poke ends the wait in progress, or the next one at once when it came between two', async () => {
  const wait = new PollWait({ now: () => 0, sleep: endless })
  const never = new AbortController().signal
  const waiting = wait.wait(60_000, never)
  wait.poke()
  await waiting
  wait.poke() // while not waiting: the change may have landed after the last read
  await wait.wait(60_000, never)
  const stopped = new AbortController()
  const last = wait.wait(60_000, stopped.signal) // not poked since: it waits until aborted
  let ended = false
  void last.then(() => (ended = true))
  await new Promise((resolve) => setImmediate(resolve))
  expect(ended).toBe(false)
  stopped.abort()
  await last
})

test('a worker whose polls never end picks up each published trial when the store tells of the commit', async () => {
  const store = createMemoryStore()
  const objective = (c: { x: number }): number => (c.x - 1) ** 2
  const coordinator = await startSession({
    store,
    optimizer: nearBest(),
    evaluation: 'shared',
    evaluateLocally: false,
    parallelism: 1,
    maxTrials: 5,
    pollIntervalMs: 1,
  })
  const worker = await joinSessionWith(store, coordinator.id, { objective, pollIntervalMs: 100 }, { sleep: endless })
  expect(await coordinator.wait()).toMatchObject({ status: 'completed', progress: { attempts: 5 } })
  expect(await worker.wait()).toMatchObject({ sessionStatus: 'completed', trialsEvaluated: 5 })
})

test('a coordinator polling once an hour commits each result when the store tells of the slot written', async () => {
  const store = createMemoryStore()
  const told: SessionChange[] = []
  const unwatch = [
    store.watchSession('hourly', 'head', () => told.push('head')),
    store.watchSession('hourly', 'slots', () => told.push('slots')),
  ]
  const objective = (c: { x: number }): number => (c.x - 1) ** 2
  const coordinator = await startSession({
    store,
    sessionId: 'hourly',
    optimizer: nearBest(),
    evaluation: 'shared',
    evaluateLocally: false,
    parallelism: 2,
    maxTrials: 6,
    pollIntervalMs: 3_600_000,
  })
  const worker = await joinSession(store, coordinator.id, { objective, pollIntervalMs: 1 })
  expect(await coordinator.wait()).toMatchObject({ status: 'completed', progress: { attempts: 6 } })
  expect((await worker.wait()).trialsEvaluated).toBe(6)
  for (const u of unwatch) u()
  expect(told).toContain('head')
  expect(told).toContain('slots')
})
