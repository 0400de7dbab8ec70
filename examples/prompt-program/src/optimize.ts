import { compile, type CheckpointStore, type SessionResult } from '@cairn/core'
import { fewShotSearch } from '@cairn/optimizers'
import type { LanguageModel } from './fake-llm.js'
import { exactMatch, qaProgram, type PromptConfig } from './program.js'
import type { Example } from './tasks.js'

/** Options of `optimizePrompt`. */
export interface OptimizePromptOptions {
  lm: LanguageModel
  trainset: readonly Example[]
  /**
   * Held-out examples candidate prompts are scored on. Without them, each candidate is scored
   * on the training examples it does not demonstrate.
   */
  valset?: readonly Example[]
  /** Trials (rounds of the search). Default 24. */
  maxTrials?: number
  /** Most bootstrapped demonstrations (questions the model answered right, shown with its answer). Default 4. */
  maxBootstrappedDemos?: number
  /** Most demonstrations in the prompt, labelled ones filling up after the bootstrapped ones. Default 4. */
  maxLabeledDemos?: number
  seed?: number
  /** Default: compile's 5 minutes. On timeout the session is soft-cancelled and this rejects. */
  timeoutMs?: number
  /** Default: a new in-memory store. Give a durable one to survive crashes. */
  store?: CheckpointStore
  sessionId?: string
}

/** What `optimizePrompt` returns: the session's result and the configuration it chose. */
export interface OptimizedPrompt {
  result: SessionResult
  /** The best configuration found: `result.bestArtifact` without the copied examples. */
  config: PromptConfig
}

/**
 * DSPy's `teleprompter.compile(student, trainset=…, valset=…)`, in Cairn: `compile()` with a
 * program, a trainset, a valset and a metric, and `fewShotSearch()` bootstrapping and choosing
 * the demonstrations. Every round is a trial committed to the store, so a crash or a Ctrl-C
 * loses at most one round.
 */
export async function optimizePrompt(options: OptimizePromptOptions): Promise<OptimizedPrompt> {
  const result = await compile({
    optimizer: fewShotSearch({
      maxBootstrappedDemos: options.maxBootstrappedDemos ?? 4,
      maxLabeledDemos: options.maxLabeledDemos ?? 4,
      minibatchSize: 8,
      candidatesPerRound: 4,
    }),
    program: qaProgram(options.lm, options.trainset),
    trainset: options.trainset,
    ...(options.valset ? { valset: options.valset } : {}),
    metric: exactMatch,
    maxTrials: options.maxTrials ?? 24,
    seed: options.seed ?? 7,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.store ? { store: options.store } : {}),
    ...(options.sessionId !== undefined ? { sessionId: options.sessionId } : {}),
  })
  const artifact = result.bestArtifact as { demos?: number[]; outputs?: (string | null)[]; instruction?: string } | undefined
  const config: PromptConfig = {
    demos: artifact?.demos ?? [],
    ...(artifact?.outputs !== undefined ? { outputs: artifact.outputs } : {}),
    ...(artifact?.instruction !== undefined ? { instruction: artifact.instruction } : {}),
  }
  return { result, config }
}
