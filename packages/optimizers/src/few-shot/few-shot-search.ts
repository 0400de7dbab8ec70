import { canonicalJson, type Evaluation, type InitContext, type Json, type Optimizer, type StepContext, type StepResult } from '@cairn/core'
import { invalidInput } from '../common/errors.js'
import { OPTIMIZER_IDS } from '../ids.js'
import { OptionReader, optionsJson } from '../common/options.js'
import { jsonStateCodec } from '../common/state-codec.js'
import { configKey, propose, sampleIndices, type FewShotConfig, type ProposeSettings } from './propose.js'

export type { FewShotConfig } from './propose.js'

/** Options of `fewShotSearch()`. */
export interface FewShotSearchOptions {
  /** Most demonstrations a configuration carries (default 4). */
  maxDemos?: number
  /** Examples each candidate is screened on per round (default 8; the whole trainset when smaller). */
  minibatchSize?: number
  /** Candidates screened on the minibatch per round; the best one is then scored on the full trainset (default 4). */
  candidatesPerRound?: number
  /** Probability that a candidate is a fresh random demo set rather than a mutation of the incumbent (default 0.3). */
  exploreProb?: number
  /**
   * Re-score the incumbent on the full trainset every this many rounds and keep the running
   * mean (for stochastic programs such as LLM calls; default 5, 0 never).
   */
  rescoreEvery?: number
  /** Instructions to choose from (MIPRO-lite): every configuration then carries one as `instruction`. */
  instructions?: string[]
  /** Halt after this many rounds (trials). Default: run until the session's `maxTrials`. */
  maxRounds?: number
  /** Halt once the incumbent's full-trainset score reaches this (≥ when maximizing, ≤ when minimizing). */
  targetScore?: number
}

/** The incumbent: the best configuration on the full trainset so far. */
export interface FewShotIncumbent {
  demos: number[]
  instruction: string | null
  /** Mean of its full-trainset scores. */
  score: number
  /** How many full-trainset scores the mean holds. */
  count: number
}

/** The state of `fewShotSearch()`: bounded (the incumbent and counters; history stays in the session). */
export interface FewShotState {
  v: 1
  /** Rounds done (= trials proposed). */
  round: number
  /** Size of the trainset the indices refer to (0 until the first round when `init` had no trainset). */
  trainsetSize: number
  incumbent: FewShotIncumbent | null
}

const NAME = 'fewShotSearch'
const ID = OPTIMIZER_IDS['few-shot']
const STATE_VERSION = 1

const isIndexArray = (v: unknown): v is number[] =>
  Array.isArray(v) && v.every((i) => typeof i === 'number' && Number.isSafeInteger(i) && i >= 0)

const isState = (v: unknown): v is FewShotState & Json => {
  if (typeof v !== 'object' || v === null) return false
  const s = v as Record<string, unknown>
  if (s['v'] !== 1 || !Number.isSafeInteger(s['round']) || !Number.isSafeInteger(s['trainsetSize'])) return false
  const inc = s['incumbent']
  if (inc === null) return true
  if (typeof inc !== 'object' || inc === undefined) return false
  const i = inc as Record<string, unknown>
  return (
    isIndexArray(i['demos']) &&
    (i['instruction'] === null || typeof i['instruction'] === 'string') &&
    typeof i['score'] === 'number' &&
    Number.isSafeInteger(i['count'])
  )
}

interface Resolved {
  maxDemos: number
  minibatchSize: number
  candidatesPerRound: number
  exploreProb: number
  rescoreEvery: number
  instructions: string[]
  maxRounds: number | undefined
  targetScore: number | undefined
}

function readOptions(options: FewShotSearchOptions | undefined): Resolved {
  const r = new OptionReader(NAME, options, [
    'maxDemos',
    'minibatchSize',
    'candidatesPerRound',
    'exploreProb',
    'rescoreEvery',
    'instructions',
    'maxRounds',
    'targetScore',
  ])
  const instructions = r.raw('instructions') ?? []
  if (!Array.isArray(instructions) || !instructions.every((s) => typeof s === 'string'))
    return r.fail('instructions', 'an array of strings')
  if (new Set(instructions).size !== instructions.length) return r.fail('instructions', 'distinct strings')
  return {
    maxDemos: r.int('maxDemos', 4, 1, 1000),
    minibatchSize: r.int('minibatchSize', 8, 1),
    candidatesPerRound: r.int('candidatesPerRound', 4, 1, 1000),
    exploreProb: r.number('exploreProb', 0.3, 0, 1),
    rescoreEvery: r.int('rescoreEvery', 5, 0),
    instructions: instructions as string[],
    maxRounds: r.raw('maxRounds') === undefined ? undefined : r.int('maxRounds', 0, 1),
    targetScore: r.raw('targetScore') === undefined ? undefined : r.number('targetScore', 0, -Infinity),
  }
}

/**
 * Few-shot demonstration search for program × trainset × metric sessions, in the shape of
 * DSPy's `BootstrapFewShotWithRandomSearch` / a MIPRO-lite. It implements `step` directly and
 * owns evaluation: each round (one trial)
 *
 * 1. draws a minibatch of `minibatchSize` training examples;
 * 2. proposes `candidatesPerRound` configurations `{ demos: [trainset indices], instruction? }`
 *    (fresh random demo sets, or the incumbent with one demo replaced, added or dropped) and
 *    scores each on the minibatch with `ctx.evaluate(config, { examples })`;
 * 3. scores the minibatch winner on the full trainset: that evaluation is the trial; a score at
 *    least as good makes it the incumbent (accepting ties lets the search cross plateaus);
 * 4. every `rescoreEvery` rounds re-scores the incumbent on the full trainset (running mean).
 *
 * Round 0 scores the zero-shot configuration (`demos: []`). Every trial carries the incumbent
 * as its `artifact` (with the demo examples themselves under `examples` when they are JSON),
 * so the session's `bestArtifact` is the best configuration found. The program resolves
 * `demos` against the trainset it was given. All randomness comes from the session's RNG.
 *
 * ```ts
 * await compile({ optimizer: fewShotSearch({ maxDemos: 3 }), program, trainset, metric, maxTrials: 20 })
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
    options: optionsJson({
      maxDemos: o.maxDemos,
      minibatchSize: o.minibatchSize,
      candidatesPerRound: o.candidatesPerRound,
      exploreProb: o.exploreProb,
      rescoreEvery: o.rescoreEvery,
      instructions: o.instructions,
      maxRounds: o.maxRounds,
      targetScore: o.targetScore,
    }),
    init(ctx: InitContext): FewShotState {
      // The trainset is required by `step`; at init it may be absent (0: learnt at the first round).
      const size = Array.isArray(ctx.trainset) ? ctx.trainset.length : 0
      if (Array.isArray(ctx.trainset) && size === 0) throw invalidInput(NAME, 'the trainset is empty')
      return { v: 1, round: 0, trainsetSize: size, incumbent: null }
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

async function step(o: Resolved, state: FewShotState, ctx: StepContext): Promise<StepResult<FewShotState>> {
  const trainset = requireTrainset(ctx.trainset)
  if (typeof ctx.program !== 'function') throw invalidInput(NAME, 'needs a program: start the session with program, trainset and metric')
  if (typeof ctx.metric !== 'function') throw invalidInput(NAME, 'needs a metric: start the session with program, trainset and metric')
  if (state.trainsetSize !== 0 && trainset.length !== state.trainsetSize)
    throw invalidInput(NAME, `the trainset changed size (${state.trainsetSize} → ${trainset.length}); start a new session`)
  const maximize = ctx.direction === 'maximize'
  const better = (a: number, b: number): boolean => (maximize ? a > b : a < b)
  let inc = state.incumbent
  if (o.maxRounds !== undefined && state.round >= o.maxRounds) return { kind: 'halt', state, reason: 'max-rounds' }
  if (o.targetScore !== undefined && inc && !better(o.targetScore, inc.score)) return { kind: 'halt', state, reason: 'target-score' }

  const rng = ctx.rng
  const round = state.round
  const stats: Record<string, Json> = { round }
  let challenger: FewShotConfig
  if (round === 0) {
    challenger = { demos: [] }
    if (o.instructions.length > 0) challenger.instruction = o.instructions[0] as string
  } else {
    if (inc && o.rescoreEvery > 0 && round % o.rescoreEvery === 0) {
      const again = await ctx.evaluate(configJson(fromIncumbent(inc)))
      if (again.status === 'ok' && again.score !== undefined) {
        inc = { ...inc, score: (inc.score * inc.count + again.score) / (inc.count + 1), count: inc.count + 1 }
        stats['rescored'] = again.score
      }
    }
    const base: FewShotConfig = inc ? fromIncumbent(inc) : { demos: [] }
    const settings: ProposeSettings = {
      trainsetSize: trainset.length,
      maxDemos: o.maxDemos,
      exploreProb: o.exploreProb,
      instructions: o.instructions,
    }
    const seen = new Set([configKey(base)])
    const candidates: FewShotConfig[] = []
    for (let k = 0; k < o.candidatesPerRound; k++) {
      let c = propose(rng, base, settings)
      for (let retry = 0; retry < 8 && seen.has(configKey(c)); retry++) c = propose(rng, base, settings)
      seen.add(configKey(c))
      candidates.push(c)
    }
    const minibatch = sampleIndices(rng, trainset.length, o.minibatchSize).map((i) => trainset[i])
    const scores = await evaluateAll(ctx, candidates, minibatch)
    let winner = 0
    let winnerScore: number | undefined
    scores.forEach((e, k) => {
      if (e.status !== 'ok' || e.score === undefined) return
      if (winnerScore === undefined || better(e.score, winnerScore)) {
        winner = k
        winnerScore = e.score
      }
    })
    challenger = candidates[winner] as FewShotConfig
    stats['minibatch'] = minibatch.length
    stats['candidates'] = candidates.length
    stats['minibatchScores'] = scores.map((e) => (e.status === 'ok' && e.score !== undefined ? e.score : null))
  }

  const full = await ctx.evaluate(configJson(challenger))
  // Ties move the incumbent too (neutral moves let the search cross plateaus of equal scores).
  if (full.status === 'ok' && full.score !== undefined && (!inc || !better(inc.score, full.score)))
    inc = { demos: challenger.demos, instruction: challenger.instruction ?? null, score: full.score, count: 1 }
  if (inc) stats['incumbentScore'] = inc.score
  const evaluation: Evaluation = { ...full, stats: { ...asObject(full.stats), ...stats } }
  const next: FewShotState = { v: 1, round: round + 1, trainsetSize: trainset.length, incumbent: inc }
  return {
    kind: 'continue',
    state: next,
    trial: {
      candidate: configJson(challenger),
      evaluation,
      artifact: artifactOf(inc ? fromIncumbent(inc) : challenger, trainset),
    },
  }
}

/** Scores every candidate on the minibatch, `ctx.parallelism` at a time; results in candidate order. */
async function evaluateAll(ctx: StepContext, candidates: readonly FewShotConfig[], examples: readonly unknown[]): Promise<Evaluation[]> {
  const out: Evaluation[] = []
  const width = Math.max(1, ctx.parallelism)
  for (let i = 0; i < candidates.length; i += width) {
    const group = candidates.slice(i, i + width)
    out.push(...(await Promise.all(group.map((c) => ctx.evaluate(configJson(c), { examples })))))
  }
  return out
}

function fromIncumbent(inc: FewShotIncumbent): FewShotConfig {
  return inc.instruction === null ? { demos: inc.demos.slice() } : { demos: inc.demos.slice(), instruction: inc.instruction }
}

function configJson(c: FewShotConfig): Json {
  return c.instruction === undefined ? { demos: c.demos } : { demos: c.demos, instruction: c.instruction }
}

/** The configuration plus, when they are JSON, the demo examples themselves (a self-contained artifact). */
function artifactOf(c: FewShotConfig, trainset: readonly unknown[]): Json {
  const base = configJson(c) as Record<string, Json>
  const examples = c.demos.map((i) => trainset[i])
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
