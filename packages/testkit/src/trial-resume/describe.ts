import type { CheckpointStore } from '@cairn/core'
import { closeQuietly, type StoreFactory, withFixture } from '../fixture.js'
import { spawnChild } from '../process/spawn.js'
import { testIf, vitestRunner, type Runner } from '../runner.js'
import { trainerLoss, type TrialChildConfig, type TrialChildMessage } from './protocol.js'

/** Options of `describeTrialResume`. */
export interface TrialResumeSuiteOptions {
  /** Epochs the trial trains (default 50). */
  epochs?: number
  /** Checkpoints after which the first child is SIGKILLed (default 7). */
  killAfterCheckpoints?: number
  /** The test functions to register with (vitest's by default). */
  runner?: Runner
}

const SLOW = 120_000

/**
 * Registers the real-process trial-resume test of issue 14 for a durable store with
 * `capabilities.trialProgress` and a fixture `child` module: a child
 * process starts a session whose one trial trains `epochs` epochs, reporting and checkpointing
 * each; it is SIGKILLed right after its 7th checkpoint; a second child resumes the session, which
 * must continue the trial from epoch 7 with the 7 values reported so far — 50 epochs trained in
 * all, not 57 — and record the trial with its whole curve, its progress deleted after the commit.
 * Registered as skipped (`[needs …]`) for a store without those capabilities. One process at a
 * time opens the store (the two children, then the parent to read the log), so a store that
 * admits one process (LevelDB) runs it too: its fixture's store must open lazily.
 *
 * @example
 * describeTrialResume('fs store', fsStoreFixture)
 */
export function describeTrialResume(name: string, factory: StoreFactory<CheckpointStore>, options: TrialResumeSuiteOptions = {}): void {
  const runner = options.runner ?? vitestRunner
  const epochs = options.epochs ?? 50
  const killAfter = options.killAfterCheckpoints ?? 7
  runner.describe(`trial resume after SIGKILL: ${name}`, async () => {
    const probe = await factory()
    const capabilities = { ...probe.store.capabilities }
    const hasChild = probe.child !== undefined
    await closeQuietly(probe.store)
    await probe.cleanup?.()
    const missing = [
      ...(capabilities.trialProgress === true ? [] : ['trialProgress']),
      ...(capabilities.durable === true ? [] : ['durable']),
      ...(hasChild ? [] : ['a fixture child module']),
    ]
    testIf(
      runner,
      { ok: missing.length === 0, what: missing.join(', ') },
      `a trial SIGKILLed after its checkpoint ${killAfter} continues from epoch ${killAfter}: ${epochs} epochs trained in all, not ${epochs + killAfter}`,
      () => killAndResume(runner, factory, epochs, killAfter),
      SLOW,
    )
  })
}

async function killAndResume(runner: Runner, factory: StoreFactory<CheckpointStore>, epochs: number, killAfter: number): Promise<void> {
  const { expect } = runner
  await withFixture(factory, async (fx) => {
    const child = fx.child as NonNullable<typeof fx.child>
    const base: Omit<TrialChildConfig, 'mode'> = {
      storeModule: child.module,
      storeArgs: child.args,
      sessionId: `trial-resume-${process.pid}-${Date.now().toString(36)}`,
      seed: 14,
      epochs,
      maxTrials: 1,
      leaseTtlMs: 500,
    }
    const modules = [child.module]
    const first = spawnChild('trial-child', { ...base, mode: 'start', haltAfterCheckpoints: killAfter }, modules)
    let firstMessages: TrialChildMessage[]
    try {
      await first.next((m: TrialChildMessage) => 'halted' in m || 'error' in m, 60_000)
    } finally {
      await first.kill()
      firstMessages = first.messages as TrialChildMessage[]
    }
    expect(errorsOf(firstMessages)).toEqual([])
    expect(trainedEpochs(firstMessages)).toEqual(range(0, killAfter))

    const second = spawnChild('trial-child', { ...base, mode: 'resume' }, modules)
    let secondMessages: TrialChildMessage[]
    try {
      await second.next((m: TrialChildMessage) => 'done' in m || 'error' in m, 90_000)
      await second.exited
    } finally {
      await second.kill()
      secondMessages = second.messages as TrialChildMessage[]
    }
    expect(errorsOf(secondMessages)).toEqual([])
    expect(secondMessages.find((m) => 'done' in m)).toMatchObject({ done: true, status: 'completed' })
    expect(secondMessages.filter((m) => 'restored' in m)).toEqual([
      { restored: killAfter, trialIdx: 0, curve: killAfter, steps: range(0, killAfter) },
    ])
    expect(trainedEpochs(secondMessages)).toEqual(range(killAfter, epochs))
    expect(trainedEpochs(firstMessages).length + trainedEpochs(secondMessages).length).toBe(epochs)

    const [trial, ...more] = await fx.store.readTrials(base.sessionId)
    expect(more).toEqual([])
    const x = (trial?.candidate as { x?: unknown } | undefined)?.x as number
    expect(trial).toMatchObject({ trialIdx: 0, status: 'ok', score: trainerLoss(x, epochs - 1) })
    expect(trial?.intermediate).toEqual(range(0, epochs).map((e) => ({ step: e, value: trainerLoss(x, e) })))
    expect(await fx.store.loadTrialProgress?.(base.sessionId, 0)).toBeNull()
  })
}

function trainedEpochs(messages: readonly TrialChildMessage[]): number[] {
  return messages.flatMap((m) => ('trained' in m ? [m.trained] : []))
}

function errorsOf(messages: readonly TrialChildMessage[]): unknown[] {
  return messages.filter((m) => 'error' in m)
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i)
}
