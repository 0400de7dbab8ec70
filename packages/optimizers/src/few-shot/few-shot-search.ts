import { canonicalJson, type Evaluation, type InitContext, type Json, type Optimizer, type StepContext, type StepResult } from '@cairn/core'
import { invalidInput } from '../common/errors.js'
import { jsonStateCodec } from '../common/state-codec.js'
import { OPTIMIZER_IDS } from '../ids.js'
import { bootstrap } from './bootstrap.js'
import { NAME, readOptions, resolvedJson, type FewShotSearchOptions, type ResolvedOptions } from './options.js'
import { bootstrapFewShotSet, demoSetKey, propose, type DemoSet, type DemoSpace, type FewShotConfig } from './propose.js'
import { evaluateAll, ScoringSet } from './scoring.js'
import { isState, STATE_VERSION, type FewShotIncumbent, type FewShotState, type FewShotPoolEntry } from './state.js'

export type { FewShotSearchOptions } from './options.js'
export type { FewShotConfig } from './propose.js'
export type { FewShotIncumbent, FewShotState, FewShotPoolEntry } from './state.js'

const ID = OPTIMIZER_IDS['few-shot']

/**
 * Few-shot demonstration search for program × trainset × metric sessions, in the shape of
 * DSPy's `BootstrapFewShotWithRandomSearch` / a MIPRO-lite. It implements `step` directly and
 * owns evaluation. Candidates are scored on the session's `valset` when it has one, otherwise
 * on the training examples they do not use as demonstrations — never on their own
 * demonstrations. Each round is one trial:
 *
 * - round 0 scores the zero-shot configuration (`demos: []`);
 * - round 1 bootstraps (DSPy's `BootstrapFewShot`): the teacher (`teacher`, else the program)
 *   runs on training examples, and those whose output passes the metric become bootstrapped
 *   demonstrations, shown with that output; it then scores the first `maxBootstrappedDemos` of
 *   them plus labelled demonstrations up to `maxLabeledDemos` in all;
 * - later rounds search: `candidatesPerRound` demo sets (fresh random ones, or the incumbent
 *   with one demonstration replaced, added or dropped) are screened on a minibatch with
 *   `ctx.evaluate(config, { examples })`, and the best one is scored in full: that evaluation is
 *   the trial; a score at least as good makes it the incumbent (ties let the search cross
 *   plateaus). Every `rescoreEvery` rounds the incumbent is re-scored (running mean).
 *
 * The program receives `{ demos: [trainset indices], outputs?, instruction? }` (see
 * `FewShotConfig`). Every trial carries the incumbent as its `artifact` (with the demo examples
 * themselves under `examples` when they are JSON), so `bestArtifact` is the best configuration
 * found. All randomness comes from the session's RNG, and the bootstrapped demonstrations are
 * kept in the state, so the search is deterministic and resumable.
 *
 * ```ts
 * await compile({ optimizer: fewShotSearch({ maxBootstrappedDemos: 3 }), program, trainset, valset, metric, maxTrials: 20 })
 * ```
 */
export function fewShotSearch(options?: FewShotSearchOptions): Optimizer<FewShotState> {
  const o = readOptions(options)
  const codec = jsonStateCodec(NAME, STATE_VERSION, isState)
  return {
    specificationVersion: 'v1',
    id: ID,
    stateVersion: STATE_VERSION,
    // Builds its own candidates (demo sets over the trainset), not points of a search space.
    capabilities: { deterministic: false, sampler: false, flatSpace: false },
    options: resolvedJson(o),
    init(ctx: InitContext): FewShotState {
      // The trainset is required by `step`; at init it may be absent (0: learnt at the first round).
      const size = Array.isArray(ctx.trainset) ? ctx.trainset.length : 0
      if (Array.isArray(ctx.trainset) && size === 0) throw invalidInput(NAME, 'the trainset is empty')
      const valsetSize = Array.isArray(ctx.valset) ? ctx.valset.length : 0
      return { v: 2, round: 0, trainsetSize: size, valsetSize, pool: null, incumbent: null }
    },
    step: (state, ctx) => step(o, state, ctx),
    encodeState: (state) => codec.encodeState(state as FewShotState & Json),
    decodeState: (bytes, version) => codec.decodeState(bytes, version),
  }
}

function requireTrainset(trainset: readonly unknown[] | undefined): readonly unknown[] {
  if (trainset === undefined || trainset === null)
    throw invalidInput(NAME, 'needs a trainset: start the session with program, trainset and metric')
  if (!Array.isArray(trainset) || trainset.length === 0) throw invalidInput(NAME, 'the trainset is empty')
  return trainset
}

/** Refuses a trainset or valset whose size differs from the one the state's indices and scores refer to. */
function checkSizes(state: FewShotState, trainset: readonly unknown[], valset: readonly unknown[] | undefined): void {
  if (state.trainsetSize !== 0 && trainset.length !== state.trainsetSize)
    throw invalidInput(NAME, `the trainset changed size (${state.trainsetSize} → ${trainset.length}); start a new session`)
  const valsetSize = valset?.length ?? 0
  if (state.round > 0 && valsetSize !== state.valsetSize)
    throw invalidInput(NAME, `the valset changed size (${state.valsetSize} → ${valsetSize}); start a new session`)
}

async function step(o: ResolvedOptions, state: FewShotState, ctx: StepContext): Promise<StepResult<FewShotState>> {
  const trainset = requireTrainset(ctx.trainset)
  if (typeof ctx.program !== 'function') throw invalidInput(NAME, 'needs a program: start the session with program, trainset and metric')
  if (typeof ctx.metric !== 'function') throw invalidInput(NAME, 'needs a metric: start the session with program, trainset and metric')
  const valset = ctx.valset !== undefined && ctx.valset.length > 0 ? ctx.valset : undefined
  checkSizes(state, trainset, valset)
  const maximize = ctx.direction === 'maximize'
  const better = (a: number, b: number): boolean => (maximize ? a > b : a < b)
  let inc = state.incumbent
  if (o.targetScore !== undefined && inc && !better(o.targetScore, inc.score)) return { kind: 'halt', state, reason: 'target-score' }

  const rng = ctx.rng
  const round = state.round
  const scoring = new ScoringSet(trainset, valset)
  const stats: Record<string, Json> = { round, scoredOn: scoring.kind }
  let pool = state.pool
  const space = (): DemoSpace => ({
    trainsetSize: trainset.length,
    pool: (pool ?? []).map((e) => e.demo),
    maxBootstrapped: o.maxBootstrappedDemos,
    maxLabeled: o.maxLabeledDemos,
    maxTotal: valset ? trainset.length : trainset.length - 1,
    exploreProb: o.exploreProb,
    instructions: o.instructions,
  })
  let challenger: DemoSet
  if (round === 0) {
    challenger = { boot: [], labeled: [], ...(o.instructions.length > 0 ? { instruction: o.instructions[0] as string } : {}) }
  } else if (pool === null) {
    const found = await bootstrapPool(o, ctx, trainset)
    pool = found.pool
    Object.assign(stats, { bootstrapped: pool.length, bootstrapTried: found.tried, bootstrapErrors: found.errors })
    challenger = bootstrapFewShotSet(rng, space(), inc?.instruction ?? o.instructions[0])
  } else {
    if (inc && o.rescoreEvery > 0 && round % o.rescoreEvery === 0) {
      const again = await ctx.evaluate(configJson(fromIncumbent(inc), pool), { examples: scoring.full(inc.demos) })
      if (again.status === 'ok' && again.score !== undefined) {
        inc = { ...inc, score: (inc.score * inc.count + again.score) / (inc.count + 1), count: inc.count + 1 }
        stats['rescored'] = again.score
      }
    }
    const base: DemoSet = inc ? fromIncumbent(inc) : { boot: [], labeled: [] }
    const candidates = proposeDistinct(rng, base, space(), o.candidatesPerRound)
    const minibatch = scoring.drawMinibatch(rng, o.minibatchSize)
    const screened = await screen(ctx, candidates, minibatch, scoring, pool)
    let winner = 0
    let winnerScore: number | undefined
    screened.forEach((score, k) => {
      if (score !== undefined && (winnerScore === undefined || better(score, winnerScore))) {
        winner = k
        winnerScore = score
      }
    })
    challenger = candidates[winner] as DemoSet
    stats['minibatch'] = minibatch.length
    stats['candidates'] = candidates.length
    stats['minibatchScores'] = screened.map((s) => s ?? null)
  }

  const demos = demosOf(challenger)
  const full = await ctx.evaluate(configJson(challenger, pool), { examples: scoring.full(demos) })
  // Ties move the incumbent too (neutral moves let the search cross plateaus of equal scores).
  if (full.status === 'ok' && full.score !== undefined && (!inc || !better(inc.score, full.score)))
    inc = { demos, bootstrapped: challenger.boot.length, instruction: challenger.instruction ?? null, score: full.score, count: 1 }
  if (inc) stats['incumbentScore'] = inc.score
  const evaluation: Evaluation = { ...full, stats: { ...asObject(full.stats), ...stats } }
  const next: FewShotState = {
    v: 2,
    round: round + 1,
    trainsetSize: trainset.length,
    valsetSize: valset?.length ?? 0,
    pool,
    incumbent: inc,
  }
  return {
    kind: 'continue',
    state: next,
    trial: {
      candidate: configJson(challenger, pool),
      evaluation,
      artifact: artifactOf(inc ? fromIncumbent(inc) : challenger, pool, trainset),
    },
  }
}

/** Round 1's bootstrapping (none when `maxBootstrappedDemos` is 0). */
async function bootstrapPool(o: ResolvedOptions, ctx: StepContext, trainset: readonly unknown[]) {
  if (o.maxBootstrappedDemos === 0) return { pool: [], tried: 0, errors: 0 }
  return bootstrap(ctx.rng, {
    teacher: o.teacher ?? (ctx.program as NonNullable<StepContext['program']>),
    metric: ctx.metric as NonNullable<StepContext['metric']>,
    trainset,
    direction: ctx.direction,
    maxRounds: o.maxRounds,
    poolSize: o.bootstrapPoolSize,
    teacherDemos: o.maxLabeledDemos,
    instruction: o.instructions[0],
    metricThreshold: o.metricThreshold,
    parallelism: ctx.parallelism,
    signal: ctx.signal,
  })
}

/** `count` candidates, distinct from each other and from `base` where the RNG allows (8 retries each). */
function proposeDistinct(rng: StepContext['rng'], base: DemoSet, space: DemoSpace, count: number): DemoSet[] {
  const seen = new Set([demoSetKey(base)])
  const out: DemoSet[] = []
  for (let k = 0; k < count; k++) {
    let c = propose(rng, base, space)
    for (let retry = 0; retry < 8 && seen.has(demoSetKey(c)); retry++) c = propose(rng, base, space)
    seen.add(demoSetKey(c))
    out.push(c)
  }
  return out
}

/** Each candidate's score on the minibatch (its own demonstrations left out), undefined when it failed or had nothing to be scored on. */
async function screen(
  ctx: StepContext,
  candidates: readonly DemoSet[],
  minibatch: readonly number[],
  scoring: ScoringSet,
  pool: readonly FewShotPoolEntry[] | null,
): Promise<(number | undefined)[]> {
  const jobs = candidates.map((c) => ({ candidate: configJson(c, pool), examples: scoring.minibatch(minibatch, demosOf(c)) }))
  const runnable = jobs.filter((j) => j.examples.length > 0)
  const results = await evaluateAll(ctx, runnable)
  let next = 0
  return jobs.map((j) => {
    if (j.examples.length === 0) return undefined
    const e = results[next++] as Evaluation
    return e.status === 'ok' ? e.score : undefined
  })
}

function demosOf(set: DemoSet): number[] {
  return [...set.boot, ...set.labeled]
}

function fromIncumbent(inc: FewShotIncumbent): DemoSet {
  const set: DemoSet = { boot: inc.demos.slice(0, inc.bootstrapped), labeled: inc.demos.slice(inc.bootstrapped) }
  if (inc.instruction !== null) set.instruction = inc.instruction
  return set
}

/** The configuration the program receives (see `FewShotConfig`). */
function configJson(set: DemoSet, pool: readonly FewShotPoolEntry[] | null): Json {
  const config: FewShotConfig = { demos: demosOf(set) }
  if (set.boot.length > 0) {
    const outputs = new Map((pool ?? []).map((e) => [e.demo, e.output]))
    config.outputs = [...set.boot.map((i) => outputs.get(i) ?? null), ...set.labeled.map(() => null)]
  }
  if (set.instruction !== undefined) config.instruction = set.instruction
  return config as unknown as Json
}

/** The configuration plus, when they are JSON, the demo examples themselves (a self-contained artifact). */
function artifactOf(set: DemoSet, pool: readonly FewShotPoolEntry[] | null, trainset: readonly unknown[]): Json {
  const base = configJson(set, pool) as Record<string, Json>
  const examples = demosOf(set).map((i) => trainset[i])
  try {
    canonicalJson(examples)
  } catch {
    return base
  }
  return { ...base, examples: examples as Json[] }
}

function asObject(stats: Json | undefined): Record<string, Json> {
  return stats !== null && typeof stats === 'object' && !Array.isArray(stats) ? stats : stats === undefined ? {} : { value: stats }
}
