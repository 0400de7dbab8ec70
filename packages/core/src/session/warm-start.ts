import type { CheckpointHead, Direction, SeedTrial } from '../checkpoint/types.js'
import type { Json } from '../json.js'
import type { TrialView } from '../optimizer/contract.js'
import type { WarmStartEntry, WarmStartStore } from '../store/warm-start-contract.js'
import { channels, publish } from '../telemetry/channels.js'
import { BestTrials } from './best-trials.js'
import { ParetoSeeds } from './pareto-seeds.js'
import { optionKinds as k } from '../input/option-kinds.js'
import { defineOptions, type OptionsSchema } from '../input/options-schema.js'
import { checkSpecificationVersion } from './specification.js'
import type { WarmStartKeys } from './warm-start-keys.js'
import type { WarmStartOptions } from './types.js'

export const DEFAULT_MAX_SEED_TRIALS = 100
export const MAX_SEED_TRIALS = 1000
const SAVE_INTERVAL_MS = 2000
const PAYLOAD_FORMAT = 'cairn.session-trials/1'

/** The payload the driver saves as a warm-start entry. */
export interface SessionTrialsPayload {
  format: typeof PAYLOAD_FORMAT
  sessionId: string
  bestScore: number | null
  bestArtifact?: Json
  /** Several objectives: the directions the trials' `values` follow (absent with one objective). */
  objectives?: Direction[]
  trials: SeedTrial[]
}

/** What a new session found to start from. */
export type WarmStartFound =
  | { source: 'none' }
  | { source: 'exact' | 'preloaded'; entry: WarmStartEntry; seeds: SeedTrial[] }
  | { source: 'final'; entry: WarmStartEntry; payload: SessionTrialsPayload }

/**
 * Looks up earlier work for a session optimizing `directions`: with `reuseFinal`, a finished
 * exact match of the same direction (a run that maximized is never returned as the result of
 * one that minimizes: its trials seed it instead); else the exact key's best entry; else the
 * seed key's latest entry (a related run, source `preloaded`). Seeds carry what the session's
 * optimizer reads: a score with one objective, one value per direction with several.
 */
export async function findWarmStart(
  opts: WarmStartOptions,
  keys: WarmStartKeys,
  maxSeeds: number,
  directions: readonly Direction[],
): Promise<WarmStartFound> {
  const exact = await opts.store.lookup(keys.exact)
  const exactPayload = exact ? asPayload(exact.payload, directions.length) : null
  if (exact && exactPayload) {
    if (opts.reuseFinal && exact.kind === 'final' && directions.length === 1 && exact.direction === directions[0])
      return { source: 'final', entry: exact, payload: exactPayload }
    if (exactPayload.trials.length > 0) return { source: 'exact', entry: exact, seeds: exactPayload.trials.slice(0, maxSeeds) }
  }
  const related = await opts.store.lookupLatest(keys.seed)
  const relatedPayload = related ? asPayload(related.payload, directions.length) : null
  if (related && relatedPayload && relatedPayload.trials.length > 0)
    return { source: 'preloaded', entry: related, seeds: relatedPayload.trials.slice(0, maxSeeds) }
  return { source: 'none' }
}

/** Seed trials as optimizers see them: status ok, `seeded: true`, indices -k..-1, with their score or values. */
export function seedViews(seeds: readonly SeedTrial[]): TrialView[] {
  return seeds.map((s, i) => ({
    trialIdx: i - seeds.length,
    candidate: s.candidate,
    ...(s.values !== undefined ? { values: s.values } : { score: s.score }),
    status: 'ok',
    seeded: true,
  }))
}

/**
 * Saves a session's best trials as warm-start entries under both keys: rate-limited after
 * commits (a strict improvement always saves), and once more when the driver stops
 * (`final` when completed). Failures are reported on `cairn:store:corrupt`-style telemetry
 * (`cairn:session:exception`) and never stop the session.
 *
 * The best trials are kept up to date commit by commit, so a save costs O(maxSeeds), not a
 * sort of the whole history. A writer built on resume takes in the restored history on its
 * first call. With several objectives the seeds are the Pareto front (`ParetoSeeds`: at most
 * `maxSeeds`, spread along the front), saved with their values.
 */
export class WarmStartWriter {
  private lastSave = Number.NEGATIVE_INFINITY
  private lastBest: number | null = null
  private saving: Promise<void> = Promise.resolve()
  private best: BestTrials | ParetoSeeds | null = null

  constructor(
    private readonly store: WarmStartStore,
    private readonly keys: WarmStartKeys,
    private readonly maxSeeds: number,
    private readonly producerVersion?: string,
  ) {}

  /** After a commit: saves when the interval passed or the best improved. Does not block. */
  afterCommit(head: CheckpointHead, history: readonly TrialView[]): void {
    this.track(head, history)
    const now = Date.now()
    const improved = head.progress.bestScore !== null && head.progress.bestScore !== this.lastBest
    if (!improved && now - this.lastSave < SAVE_INTERVAL_MS) return
    this.lastSave = now
    this.lastBest = head.progress.bestScore
    this.enqueue(head, 'checkpoint')
  }

  /** When the driver stops; resolves once written (or failed). */
  async onStop(head: CheckpointHead, history: readonly TrialView[]): Promise<void> {
    this.track(head, history)
    this.enqueue(head, head.status === 'completed' ? 'final' : 'checkpoint')
    await this.saving
  }

  /** Takes in the trials committed since the last call (all of them on the first). */
  private track(head: CheckpointHead, history: readonly TrialView[]): void {
    // A session keeps its directions (a resume with others is refused), so one tracker serves it.
    this.best ??=
      (head.directions?.length ?? 1) >= 2 && head.directions
        ? new ParetoSeeds(this.maxSeeds, head.directions)
        : new BestTrials(this.maxSeeds, head.direction)
    this.best.update(history)
  }

  private enqueue(head: CheckpointHead, kind: 'final' | 'checkpoint'): void {
    const payload = toPayload(head, (this.best as BestTrials).list().slice(0, this.maxSeeds))
    if (payload.trials.length === 0 && kind === 'checkpoint') return
    const entry = {
      kind,
      objective: head.progress.bestScore,
      direction: head.direction,
      iteration: head.progress.attempts,
      payload: payload as unknown as Json,
      ...(this.producerVersion !== undefined ? { producerVersion: this.producerVersion } : {}),
    }
    this.saving = this.saving.then(async () => {
      try {
        await this.store.saveOverwrite(this.keys.exact, head.sessionId, entry)
        await this.store.saveOverwrite(this.keys.seed, head.sessionId, entry)
      } catch (error) {
        publish(channels.sessionException, { sessionId: head.sessionId, error, during: 'warm-start save' })
      }
    })
  }
}

/** The `warmStart` option of `startSession` / `resumeSession`. */
export const WarmStartOptionsSchema: OptionsSchema<WarmStartOptions> = defineOptions<WarmStartOptions>('warmStart', {
  store: k.withMethods(
    ['saveOverwrite', 'lookup', 'lookupLatest'],
    'must be a WarmStartStore (createMemoryStore(), createFsStore({ dir }) …)',
  ),
  maxSeedTrials: k.optional(k.integer(0, MAX_SEED_TRIALS)),
  reuseFinal: k.optional(k.boolean()),
  producerVersion: k.optional(k.string(0)),
})

/**
 * Checks the `warmStart` option of `startSession` / `resumeSession` and returns its
 * `maxSeedTrials` (or the default). Throws `InvalidInputError`.
 */
export function checkWarmStartOptions(ws: WarmStartOptions | undefined, caller: string): number {
  if (ws === undefined) return DEFAULT_MAX_SEED_TRIALS
  WarmStartOptionsSchema.check(ws, 'warmStart', caller)
  checkSpecificationVersion(ws.store, 'warmStart.store')
  return ws.maxSeedTrials ?? DEFAULT_MAX_SEED_TRIALS
}

function toPayload(head: CheckpointHead, best: readonly TrialView[]): SessionTrialsPayload {
  const trials: SeedTrial[] = best.map((t) =>
    t.values !== undefined ? { candidate: t.candidate, values: [...t.values] } : { candidate: t.candidate, score: t.score as number },
  )
  const payload: SessionTrialsPayload = { format: PAYLOAD_FORMAT, sessionId: head.sessionId, bestScore: head.progress.bestScore, trials }
  if (head.directions) payload.objectives = [...head.directions]
  if (head.bestArtifact !== undefined) payload.bestArtifact = head.bestArtifact
  return payload
}

/** The payload with the seeds a session of `objectives` objectives can use (other trials left out), or null. */
function asPayload(value: unknown, objectives: number): SessionTrialsPayload | null {
  if (value === null || typeof value !== 'object') return null
  const p = value as Partial<SessionTrialsPayload>
  if (p.format !== PAYLOAD_FORMAT || !Array.isArray(p.trials)) return null
  const trials: SeedTrial[] = []
  for (const t of p.trials as unknown[]) {
    const seed = seedOf(t, objectives)
    if (seed) trials.push(seed)
  }
  return { ...(p as SessionTrialsPayload), trials }
}

function seedOf(value: unknown, objectives: number): SeedTrial | null {
  if (value === null || typeof value !== 'object' || !('candidate' in value)) return null
  const t = value as { candidate: Json; score?: unknown; values?: unknown }
  if (objectives === 1) return typeof t.score === 'number' && Number.isFinite(t.score) ? { candidate: t.candidate, score: t.score } : null
  const values = t.values
  if (!Array.isArray(values) || values.length !== objectives || !values.every((v) => typeof v === 'number' && Number.isFinite(v)))
    return null
  return { candidate: t.candidate, values: values as number[] }
}
