import type { Json, Program } from '@cairn/core'
import { OptionReader, optionsJson } from '../common/options.js'

/** Options of `fewShotSearch()`. */
export interface FewShotSearchOptions {
  /**
   * Most bootstrapped demonstrations a configuration carries: training examples on which the
   * teacher's output passed the metric, shown with that output (DSPy's `max_bootstrapped_demos`;
   * default 4, 0 for labelled demonstrations only).
   */
  maxBootstrappedDemos?: number
  /**
   * Labelled demonstrations (training examples shown with their own label) fill a configuration
   * up to this many demonstrations in all, none when the bootstrapped ones already reach it
   * (DSPy's `max_labeled_demos`; default 16, 0 for bootstrapped demonstrations only). It is also
   * how many labelled demonstrations the teacher is shown while bootstrapping.
   */
  maxLabeledDemos?: number
  /**
   * Bootstrapping passes over the training examples whose trace has not passed yet, each with a
   * fresh draw of the teacher's labelled demonstrations (DSPy's `max_rounds`; default 1, at most
   * 10). To stop the search after a number of rounds, use the session's `maxTrials`.
   */
  maxRounds?: number
  /**
   * Bootstrapped demonstrations collected to choose from: bootstrapping stops once this many
   * traces passed (default 4 × `maxBootstrappedDemos`; at least `maxBootstrappedDemos`). Each one
   * is kept in the optimizer's state with its output.
   */
  bootstrapPoolSize?: number
  /**
   * Runs on the training examples to bootstrap demonstrations, instead of the session's program
   * (DSPy's `teacher`): a stronger model, say. Same signature as the program; it is given
   * `{ demos }` (labelled demonstrations, never the example itself) and the example.
   */
  teacher?: Program<any, any>
  /**
   * A trace passes when its metric score is at least this (at most, in minimizing sessions).
   * Default: a positive score when maximizing (DSPy's truthy check), 0 or less when minimizing.
   */
  metricThreshold?: number
  /** Examples each candidate is screened on per round (default 8; the whole scoring set when smaller). */
  minibatchSize?: number
  /** Candidates screened on the minibatch per round; the best one is then scored in full (default 4). */
  candidatesPerRound?: number
  /** Probability that a candidate is a fresh random demo set rather than a mutation of the incumbent (default 0.3). */
  exploreProb?: number
  /**
   * Re-score the incumbent in full every this many rounds and keep the running mean (for
   * stochastic programs such as LLM calls; default 5, 0 never).
   */
  rescoreEvery?: number
  /** Instructions to choose from (MIPRO-lite): every configuration then carries one as `instruction`. */
  instructions?: string[]
  /** Halt once the incumbent's score reaches this (≥ when maximizing, ≤ when minimizing). */
  targetScore?: number
}

/** Options with their defaults applied. */
export interface ResolvedOptions {
  maxBootstrappedDemos: number
  maxLabeledDemos: number
  maxRounds: number
  bootstrapPoolSize: number
  teacher: Program<any, any> | undefined
  metricThreshold: number | undefined
  minibatchSize: number
  candidatesPerRound: number
  exploreProb: number
  rescoreEvery: number
  instructions: string[]
  targetScore: number | undefined
}

export const NAME = 'fewShotSearch'
/** More bootstrapping passes than this rarely find new traces; a bigger value is most likely meant for the search. */
const MAX_ROUNDS = 10

/** Reads and checks the options (`InvalidInputError` naming the option, `UnknownOptionError` for a key it does not take). */
export function readOptions(options: FewShotSearchOptions | undefined): ResolvedOptions {
  const r = new OptionReader(NAME, options, [
    'maxBootstrappedDemos',
    'maxLabeledDemos',
    'maxRounds',
    'bootstrapPoolSize',
    'teacher',
    'metricThreshold',
    'minibatchSize',
    'candidatesPerRound',
    'exploreProb',
    'rescoreEvery',
    'instructions',
    'targetScore',
  ])
  const instructions = r.raw('instructions') ?? []
  if (!Array.isArray(instructions) || !instructions.every((s) => typeof s === 'string'))
    return r.fail('instructions', 'an array of strings')
  if (new Set(instructions).size !== instructions.length) return r.fail('instructions', 'distinct strings')
  const teacher = r.raw('teacher')
  if (teacher !== undefined && typeof teacher !== 'function') return r.fail('teacher', 'a program: (config, example, ctx) => output')
  const rounds = r.raw('maxRounds')
  if (typeof rounds === 'number' && Number.isSafeInteger(rounds) && rounds > MAX_ROUNDS)
    return r.fail(
      'maxRounds',
      `an integer in [1, ${MAX_ROUNDS}]: the bootstrapping passes over the trainset (DSPy's max_rounds); to stop the search after a number of rounds, set the session's maxTrials`,
    )
  const maxBootstrappedDemos = r.int('maxBootstrappedDemos', 4, 0, 1000)
  const maxLabeledDemos = r.int('maxLabeledDemos', 16, 0, 1000)
  if (maxBootstrappedDemos === 0 && maxLabeledDemos === 0 && instructions.length === 0)
    return r.fail('maxLabeledDemos', 'positive when maxBootstrappedDemos is 0 and no instructions are given (nothing to search)')
  const bootstrapPoolSize = r.int('bootstrapPoolSize', 4 * maxBootstrappedDemos, maxBootstrappedDemos)
  return {
    maxBootstrappedDemos,
    maxLabeledDemos,
    maxRounds: r.int('maxRounds', 1, 1, MAX_ROUNDS),
    bootstrapPoolSize,
    teacher: teacher as Program<any, any> | undefined,
    metricThreshold: r.raw('metricThreshold') === undefined ? undefined : r.number('metricThreshold', 0, -Infinity),
    minibatchSize: r.int('minibatchSize', 8, 1),
    candidatesPerRound: r.int('candidatesPerRound', 4, 1, 1000),
    exploreProb: r.number('exploreProb', 0.3, 0, 1),
    rescoreEvery: r.int('rescoreEvery', 5, 0),
    instructions: instructions as string[],
    targetScore: r.raw('targetScore') === undefined ? undefined : r.number('targetScore', 0, -Infinity),
  }
}

/** The options as JSON for `Optimizer.options` (stored with the session, compared on resume); a teacher is recorded as `true`. */
export function resolvedJson(o: ResolvedOptions): Json {
  return optionsJson({
    maxBootstrappedDemos: o.maxBootstrappedDemos,
    maxLabeledDemos: o.maxLabeledDemos,
    maxRounds: o.maxRounds,
    bootstrapPoolSize: o.bootstrapPoolSize,
    teacher: o.teacher ? true : undefined,
    metricThreshold: o.metricThreshold,
    minibatchSize: o.minibatchSize,
    candidatesPerRound: o.candidatesPerRound,
    exploreProb: o.exploreProb,
    rescoreEvery: o.rescoreEvery,
    instructions: o.instructions,
    targetScore: o.targetScore,
  })
}
