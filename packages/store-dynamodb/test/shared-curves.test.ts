// Shared sessions on DynamoDB Local with learning curves: a worker's pruned result round-trips
// through its slot; a curve of 20,000 reports (a result and a trial record over DynamoDB's
// 400 KB item) is committed whole, not lost; the coordinator deletes progress only of trials
// that saved some.
import { float, joinSession, space, startSession, type ObjectiveContext, type PrunedTrial, type TrialRecord } from '@cairn/core'
import { referenceOptimizer } from '@cairn/testkit'
import { expect, test } from 'vitest'
import { useTable } from './support/table-fixture.js'

const table = useTable('curves')
const LONG = 20_000
const xSpace = space({ x: float(-1, 1) })

/** Trial 0 reports `LONG` values and completes; trial 1 reports three, checkpoints and is pruned; trial 2 reports one. */
async function objective({ x }: { x: number }, ctx: ObjectiveContext): Promise<number | PrunedTrial> {
  if (ctx.trialIdx === 0) {
    for (let step = 0; step < LONG; step++) ctx.report(step, x * x + 1 / (step + 1))
    return x * x
  }
  if (ctx.trialIdx === 1) {
    for (let step = 0; step < 3; step++) ctx.report(step, 10 + step)
    await ctx.checkpoint({ epoch: 3 })
    return ctx.prune()
  }
  ctx.report(0, x)
  return x
}

test('worker trials: a pruned result, a 20,000-report curve (over 400 KB) committed whole, progress deleted only where saved', async () => {
  const store = table.open()
  // Which trials' progress the coordinator deletes (its store's method, watched).
  const deleted: number[] = []
  const deleteTrialProgress = store.deleteTrialProgress.bind(store)
  store.deleteTrialProgress = (id, trialIdx) => (deleted.push(trialIdx), deleteTrialProgress(id, trialIdx))
  const coordinator = await startSession({
    store,
    optimizer: referenceOptimizer(),
    objective,
    space: xSpace,
    evaluation: 'shared',
    evaluateLocally: false, // every trial travels through a result slot
    maxTrials: 3,
    seed: 4,
    pollIntervalMs: 5,
  })
  const worker = await joinSession(table.open(), coordinator.id, { objective, owner: 'w', pollIntervalMs: 5 })
  const r = await coordinator.wait()
  expect((await worker.wait()).trialsEvaluated).toBe(3)
  expect(r).toMatchObject({ status: 'completed', progress: { attempts: 3, completed: 2, pruned: 1, errors: 0 } })

  const trials = await store.readTrials(coordinator.id)
  expect(trials.map((t) => [t.trialIdx, t.status, t.intermediate?.length])).toEqual([
    [0, 'ok', LONG],
    [1, 'pruned', 3],
    [2, 'ok', 1],
  ])
  const x0 = ((trials[0] as TrialRecord).candidate as { x: number }).x
  expect(trials[0]?.intermediate?.at(-1)).toEqual({ step: LONG - 1, value: x0 * x0 + 1 / LONG })
  expect(trials[1]).toMatchObject({ score: 12, intermediate: [0, 1, 2].map((s) => ({ step: s, value: 10 + s })) })
  expect(await store.loadTrialProgress(coordinator.id, 1)).toBeNull()
  // One trial saved progress, so the coordinator deleted one trial's progress: none for the others.
  expect(deleted).toEqual([1])
})
