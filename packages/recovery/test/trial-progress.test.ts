// A worker dies in the middle of a trial that had checkpointed: the monitor's resume continues
// that trial from its last checkpoint (through the fenced view of the store), not from scratch.
import { createMemoryStore, LeaseLostError, startSession, type ObjectiveContext, type TrialRecord } from '@cairn/core'
import { afterEach, expect, it } from 'vitest'
import { JOB, SEED, walk } from './fixtures/job.js'
import { harness, stopMonitors } from './helpers/harness.js'
import { until } from './helpers/manual-time.js'
import { faultyStore, range } from './helpers/stores.js'

afterEach(stopMonitors)

const EPOCHS = 10
const MAX = 4
/** The trial the worker dies in, after its `SAVES`-th checkpoint. */
const DYING_TRIAL = 2
const SAVES = 3

const loss = (x: number, epoch: number): number => (x - 1) ** 2 + 1 / (epoch + 1)

interface TrainingLog {
  trained: Array<[trialIdx: number, epoch: number]>
  restored: Array<{ trialIdx: number; epoch: number; steps: number[] }>
}

/** An objective that trains epoch by epoch, reporting and checkpointing each, logging what it does. */
function training(log: TrainingLog) {
  return async (candidate: { x: number }, ctx: ObjectiveContext): Promise<number> => {
    const restored = ctx.restored as { epoch: number } | undefined
    if (restored) log.restored.push({ trialIdx: ctx.trialIdx, epoch: restored.epoch, steps: ctx.intermediate.map((p) => p.step) })
    for (let epoch = restored?.epoch ?? 0; epoch < EPOCHS; epoch++) {
      log.trained.push([ctx.trialIdx, epoch])
      ctx.report(epoch, loss(candidate.x, epoch))
      await ctx.checkpoint({ epoch: epoch + 1 })
    }
    return loss(candidate.x, EPOCHS - 1)
  }
}

it('resumes a session whose worker died mid-trial: the trial continues from its last checkpoint', async () => {
  const store = createMemoryStore()
  expect(store.capabilities.trialProgress).toBe(true)
  // The worker: its store "dies" right after the trial's third checkpoint (every later call fails
  // as under a lost lease), then the lapse is made immediate by releasing the lease as the dead owner.
  let dead = false
  let saves = 0
  const dying = faultyStore(store, (method, args) => {
    if (dead) return Promise.reject(new LeaseLostError('s', 'simulated worker death'))
    if (method === 'saveTrialProgress' && args[1] === DYING_TRIAL && ++saves === SAVES) {
      const [id, idx, token, bytes] = args as [string, number, number, Uint8Array]
      return store.saveTrialProgress!(id, idx, token, bytes).then(() => {
        dead = true
      }) as Promise<never>
    }
    return undefined
  })
  const first: TrainingLog = { trained: [], restored: [] }
  const handle = await startSession({
    store: dying,
    sessionId: 's',
    optimizer: walk,
    objective: training(first),
    seed: SEED,
    maxTrials: MAX,
    owner: 'dead-worker',
    leaseTtlMs: 60_000,
    job: JOB,
  })
  await handle.wait().catch(() => undefined)
  expect(dead).toBe(true)
  expect(first.trained.filter(([idx]) => idx === DYING_TRIAL).map(([, e]) => e)).toEqual(range(SAVES + 1)) // the 4th epoch's save failed
  expect((await store.readTrials('s')).map((t) => t.trialIdx)).toEqual(range(DYING_TRIAL))
  expect(await store.loadTrialProgress!('s', DYING_TRIAL)).not.toBeNull()
  const lease = await store.acquireLease('s', 'dead-worker', 60_000)
  await store.releaseLease('s', lease)

  const second: TrainingLog = { trained: [], restored: [] }
  const h = harness({ store, jobs: { [JOB]: () => ({ optimizer: () => walk, objective: training(second) }) } })
  h.monitor.start()
  await h.time.advance(0)
  await until(() => h.of('completed').length === 1, 'completed')
  expect(h.of('completed')[0]?.result).toMatchObject({ status: 'completed', progress: { attempts: MAX, completed: MAX, errors: 0 } })

  expect(second.restored).toEqual([{ trialIdx: DYING_TRIAL, epoch: SAVES, steps: range(SAVES) }])
  expect(second.trained.filter(([idx]) => idx === DYING_TRIAL).map(([, e]) => e)).toEqual(range(EPOCHS).slice(SAVES))
  const trials = await store.readTrials('s')
  expect(trials.map((t) => [t.trialIdx, t.status])).toEqual(range(MAX).map((i) => [i, 'ok']))
  const resumed = trials[DYING_TRIAL] as TrialRecord
  const x = (resumed.candidate as { x: number }).x
  expect(resumed.intermediate).toEqual(range(EPOCHS).map((e) => ({ step: e, value: loss(x, e) })))
  for (const i of range(MAX)) expect(await store.loadTrialProgress!('s', i)).toBeNull()
})
