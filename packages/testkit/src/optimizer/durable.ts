import type { CheckpointStore } from '@cairn/core'
import type { StoreFactory } from '../fixture.js'
import { withFixture } from '../fixture.js'
import { spawnChild } from '../process/spawn.js'
import type { SessionChildConfig } from '../process/protocol.js'
import type { Runner } from '../runner.js'
import { trialKeys } from './drive.js'
import type { OptimizerSuiteOptions } from './options.js'

/**
 * The real-process test: a child process drives a session on a durable store, is SIGKILLed
 * mid-run twice, and a third child resumes it to the end; the trial log must equal that of a
 * session another child ran straight through. Only children import the optimizer and store
 * modules (`.ts` ones through tsx), so the suite runs the same from testkit's built `dist/`
 * in any project as from its sources here.
 */
export async function realProcessRun(
  runner: Runner,
  durableStore: StoreFactory<CheckpointStore>,
  optimizerModule: NonNullable<OptimizerSuiteOptions['optimizerModule']>,
  options: { seed: number; trials: number; space: OptimizerSuiteOptions['space'] },
): Promise<void> {
  const { expect } = runner
  await withFixture(durableStore, async (fx) => {
    if (!fx.child)
      throw new Error('[@cairn/testkit] durableStore fixtures need `child` { module, args } so a child process can open the store')
    const sessionId = `durable-${process.pid}-${Date.now().toString(36)}`
    const base: Omit<SessionChildConfig, 'mode' | 'sessionId'> = {
      storeModule: fx.child.module,
      storeArgs: fx.child.args,
      optimizerModule: optimizerModule.module,
      optimizerArgs: optimizerModule.args ?? [],
      seed: options.seed,
      maxTrials: options.trials,
      owner: 'testkit-durable-driver',
      delayMs: 60,
      ...(options.space !== undefined ? { space: options.space } : {}),
    }
    const modules = [fx.child.module, optimizerModule.module]
    const runToEnd = async (config: SessionChildConfig): Promise<void> => {
      const child = spawnChild('session-child', config, modules)
      try {
        const done = await child.next((m: { done?: boolean; error?: unknown }) => m.done === true || m.error !== undefined, 90_000)
        expect(done).toMatchObject({ done: true })
        await child.exited
      } finally {
        await child.kill()
      }
    }

    // The uninterrupted run, by a child that is never killed.
    const referenceId = `${sessionId}-reference`
    await runToEnd({ ...base, mode: 'start', sessionId: referenceId, delayMs: 0 })
    const reference = { head: await fx.store.load(referenceId), trials: await fx.store.readTrials(referenceId) }
    const n = reference.trials.length
    expect(n).toBeGreaterThanOrEqual(3)
    const killPoints = [Math.max(1, Math.floor(n / 4)), Math.max(2, Math.floor((2 * n) / 3))]

    let mode: SessionChildConfig['mode'] = 'start'
    let finished = false
    for (const killAt of killPoints) {
      const child = spawnChild('session-child', { ...base, mode, sessionId }, modules)
      try {
        await child.next((m: { committed?: number; done?: boolean }) => (m.committed ?? 0) >= killAt || m.done === true, 90_000)
      } finally {
        await child.kill()
      }
      const errors = (child.messages as Array<{ error?: unknown }>).filter((m) => m.error !== undefined)
      expect(errors).toEqual([])
      mode = 'resume'
      // On a very busy machine the child may have finished before the kill landed: then there
      // is nothing left to resume.
      finished = (await fx.store.load(sessionId)).status === reference.head.status
      if (finished) break
    }
    if (!finished) await runToEnd({ ...base, mode, sessionId })
    const head = await fx.store.load(sessionId)
    const trials = await fx.store.readTrials(sessionId)
    expect(head.progress.attempts).toBe(trials.length)
    expect(trialKeys(trials)).toEqual(trialKeys(reference.trials))
    expect(head.status).toBe(reference.head.status)
  })
}
