import type { CheckpointHead } from '../../checkpoint/types.js'
import { InvalidInputError } from '../../errors.js'
import type { Optimizer, Sampler, TrialView } from '../../optimizer/contract.js'
import { Rng } from '../../random/rng.js'
import { parseSpace, type SearchSpace } from '../../space/space.js'
import type { CheckpointStore } from '../../store/contract.js'
import { verifyOptimizer } from '../verify-optimizer.js'
import { toView } from '../progress.js'
import { seedViews } from '../warm-start.js'

/** A session as ask/tell works on it: its head and the optimizer's state, rng and history decoded. */
export interface LoadedSession {
  head: CheckpointHead
  sampler: Sampler<unknown>
  state: unknown
  rng: Rng
  /** Warm-start seeds, then the committed trials, oldest first. */
  history: TrialView[]
  space?: SearchSpace
}

/**
 * The decoded session of the last commit made through it, so a process asking and telling in a
 * loop does not read the trial log again: reused while the stored revision is the one it
 * committed, dropped on any failure (the optimizer may have changed its state in place).
 */
export class LoadedCache {
  private entry: LoadedSession | null = null

  get(head: CheckpointHead): LoadedSession | null {
    const e = this.entry
    if (!e || e.head.sessionId !== head.sessionId || e.head.revision !== head.revision) return null
    return { ...e, head }
  }

  set(entry: LoadedSession): void {
    this.entry = entry
  }

  clear(): void {
    this.entry = null
  }
}

/** The optimizer's sampler; ask/tell needs one (`askTell(sampler)` optimizers). */
export function samplerOf(optimizer: Optimizer<unknown>): Sampler<unknown> {
  if (!optimizer?.sampler)
    throw new InvalidInputError(
      `ask/tell needs an ask/tell optimizer (one built with askTell(sampler), e.g. tpe() or random()); "${optimizer?.id}" only steps`,
      'optimizer',
    )
  return optimizer.sampler
}

/** Decodes `head` for ask/tell (from `cache` when it holds this revision). */
export async function loadSession(
  store: CheckpointStore,
  head: CheckpointHead,
  optimizer: Optimizer<unknown>,
  cache: LoadedCache | null,
): Promise<LoadedSession> {
  verifyOptimizer(head, optimizer)
  const sampler = samplerOf(optimizer)
  const cached = cache?.get(head)
  if (cached) return cached
  const trials = await store.readTrials(head.sessionId)
  const loaded: LoadedSession = {
    head,
    sampler,
    state: optimizer.decodeState(head.optimizerState, head.optimizer.stateVersion),
    rng: Rng.fromState(head.rngState),
    history: [...seedViews(head.seeds ?? []), ...trials.map((t) => toView(t))],
  }
  if (head.space !== undefined) loaded.space = parseSpace(head.space)
  return loaded
}
