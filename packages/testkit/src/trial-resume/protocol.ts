/** Configuration of the trial child (`process/trial-child.ts`), passed as one JSON argument. */
export interface TrialChildConfig {
  mode: 'start' | 'resume'
  storeModule: string
  storeArgs: string[]
  sessionId: string
  seed: number
  /** Epochs each trial trains. */
  epochs: number
  /** Trials of the session. */
  maxTrials: number
  /** The session lease's ttl: a killed child's lease lapses this long after its last renewal. */
  leaseTtlMs: number
  /** After this many checkpoints of its first trial, the child stops still, waiting to be killed. */
  haltAfterCheckpoints?: number
}

/** What the trial child says, one JSON line each. */
export type TrialChildMessage =
  | { started: true }
  | { restored: number; trialIdx: number; curve: number; steps: number[] }
  | { trained: number; trialIdx: number }
  | { checkpointed: number; trialIdx: number }
  | { halted: true }
  | { done: true; status: string }
  | { error: { code?: unknown; name?: unknown; message?: unknown } }

/** The loss the child's trainer reports for candidate `x` after `epoch` (deterministic). */
export function trainerLoss(x: number, epoch: number): number {
  return (x - 1) ** 2 * (1 + 3 / (epoch + 1)) + 1 / (epoch + 1)
}
