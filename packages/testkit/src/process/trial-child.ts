/**
 * Child process of `describeTrialResume`: opens the durable store through the fixture's child
 * module and starts or resumes a session whose objective trains epoch by epoch (report,
 * checkpoint), saying every epoch it trains and every checkpoint it saves as a JSON line. With
 * `haltAfterCheckpoints` it stands still after that many checkpoints of its first trial, to be
 * SIGKILLed.
 */
import { resumeSession, startSession } from '@cairn/core'
import type { Json, ObjectiveContext } from '@cairn/core'
import { defaultSpace } from '../optimizer/defaults.js'
import { referenceOptimizer } from '../reference/random-search.js'
import { openChildStore, runChild, say as sayLine } from './child-io.js'
import { trainerLoss, type TrialChildConfig, type TrialChildMessage } from '../trial-resume/protocol.js'

const say: (msg: TrialChildMessage) => void = sayLine

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '') as TrialChildConfig
  process.stdin.on('end', () => process.exit(3))
  process.stdin.resume()
  const store = await openChildStore(config.storeModule, config.storeArgs)
  let checkpoints = 0
  const objective = async (candidate: { x: number }, ctx: ObjectiveContext): Promise<number> => {
    const restored = ctx.restored as { epoch: number } | undefined
    if (restored)
      say({ restored: restored.epoch, trialIdx: ctx.trialIdx, curve: ctx.intermediate.length, steps: ctx.intermediate.map((p) => p.step) })
    let model = restored ?? { epoch: 0 }
    for (let epoch = model.epoch; epoch < config.epochs; epoch++) {
      say({ trained: epoch, trialIdx: ctx.trialIdx })
      model = { epoch: epoch + 1 }
      ctx.report(epoch, trainerLoss(candidate.x, epoch))
      await ctx.checkpoint(model as Json)
      say({ checkpointed: epoch + 1, trialIdx: ctx.trialIdx })
      if (config.haltAfterCheckpoints !== undefined && ++checkpoints === config.haltAfterCheckpoints) {
        say({ halted: true })
        await new Promise(() => {}) // until SIGKILL
      }
    }
    return trainerLoss(candidate.x, config.epochs - 1)
  }
  const drive = {
    optimizer: referenceOptimizer(),
    objective,
    maxTrials: config.maxTrials,
    leaseTtlMs: config.leaseTtlMs,
    owner: `testkit-trial-child-${process.pid}`,
  }
  const handle =
    config.mode === 'start'
      ? await startSession({ ...drive, store, sessionId: config.sessionId, seed: config.seed, space: defaultSpace })
      : await resumeSession(store, config.sessionId, { ...drive, waitForLease: { timeoutMs: 60_000 } })
  say({ started: true })
  const result = await handle.wait()
  say({ done: true, status: result.status })
  await store.close()
}

runChild(main)
