import { createMemoryStore, float, space, startSession, type ObjectiveContext } from '@cairn/core'
import { randomSearch } from '@cairn/optimizers'
import { expect, test } from 'vitest'
import { describeTrial } from '../src/cli/commands/worker.js'
import { observedObjective, type WorkerTrialEvent } from '../src/jobs/observed-objective.js'

test("a worker's line for each trial says score, error or pruned", async () => {
  const events: WorkerTrialEvent[] = []
  const objective = observedObjective(
    async (c, ctx: ObjectiveContext) => {
      const { x } = c as { x: number }
      if (ctx.trialIdx === 1) throw new Error('boom\nmore')
      if (ctx.trialIdx === 2) {
        ctx.report(0, 5)
        return ctx.prune()
      }
      return x
    },
    (e) => events.push(e),
  )
  const store = createMemoryStore()
  const h = await startSession({ store, optimizer: randomSearch(), objective, space: space({ x: float(0, 1) }), maxTrials: 3 })
  expect((await h.wait()).progress).toMatchObject({ completed: 1, errors: 1, pruned: 1 })
  const lines = events.filter((e) => e.type === 'finished').map((e) => describeTrial({ ...e, durationMs: 12 }))
  expect(lines).toEqual([
    expect.stringMatching(/^trial 0: score [-\d.e+]+ \(12 ms\)$/),
    'trial 1: error: boom (12 ms)',
    'trial 2: pruned (12 ms)',
  ])
})
