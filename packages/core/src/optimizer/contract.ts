import type { Direction } from '../checkpoint/types.js'
import type { Json } from '../json.js'
import type { IntermediateValue } from '../pruner/contract.js'
import type { Rng } from '../random/rng.js'
import type { SearchSpace } from '../space/space.js'

/** A finished trial as optimizers see it (read-only history). */
export interface TrialView {
  trialIdx: number
  candidate: Json
  candidateId?: string
  /** Present when `status` is `ok`; for `pruned`, the last intermediate value. */
  score?: number
  /** `pruned`: stopped early by the session's pruner; rank it by how far it got (`intermediate`). */
  status: 'ok' | 'error' | 'pruned'
  /** The trial's learning curve, when it reported intermediate values. */
  intermediate?: readonly IntermediateValue[]
  /** True for trials carried over from an earlier run by warm start. */
  seeded?: boolean
  /** Multi-objective sessions: one score per direction (`ctx.directions`); `score` is then absent. */
  values?: readonly number[]
  /** Constrained sessions: each ≤ 0 means satisfied; a trial is feasible when all are. */
  constraints?: readonly number[]
}

/** Runs a program on one example: the "program" of program × trainset × metric sessions. */
export type Program<Example = unknown, Output = unknown> = (
  config: Json,
  example: Example,
  ctx: { signal: AbortSignal },
) => Output | Promise<Output>

/** Scores a program's output on one example (higher is better unless the session minimizes). */
export type Metric<Example = unknown, Output = unknown> = (example: Example, output: Output) => number | Promise<number>

/** The outcome of evaluating one candidate. `evaluate` never throws for objective failures; it reports them here. */
export interface Evaluation {
  /** `pruned`: the objective ended the trial with `ctx.prune()`; `score` is its last intermediate value. */
  status: 'ok' | 'error' | 'pruned'
  score?: number
  /** Multi-objective sessions: one score per direction (`score` is then absent). */
  values?: number[]
  /** The objective's constraint values (`{ score, constraints }`); each ≤ 0 means satisfied. */
  constraints?: number[]
  /** User attributes (`ctx.setAttr`, or `{ attrs }` returned by the objective). */
  attrs?: Record<string, Json>
  /** The intermediate values the objective reported, steps increasing. */
  intermediate?: IntermediateValue[]
  stats?: Json
  error?: { name: string; message: string }
  /** `timeout`, `objective` (it threw), `invalid-score` (NaN or infinite), `aborted`. */
  errorClass?: string
  durationMs: number
  /** What the objective or program produced, kept as `bestArtifact` when this trial is the best. */
  artifact?: Json
  /**
   * Set when the trial has stored progress (it saved a checkpoint, or continued from one): a
   * shared session's worker says so in the result it reports, and the coordinator deletes the
   * trial's progress after the commit only then (no request per trial for trials that saved none).
   */
  savedProgress?: true
  /** Failed runs of the same candidate before this one (`retryFailed`); absent when it ran once. */
  retries?: number
}

/** Options of `StepContext.evaluate`. */
export interface EvaluateOptions<Example = unknown> {
  /** Program sessions: evaluate on these examples instead of the session's valset (or, without one, its whole trainset). */
  examples?: readonly Example[]
}

/** What `Optimizer.init` receives. */
export interface InitContext {
  seed: number
  rng: Rng
  direction: Direction
  /** Multi-objective sessions: one direction per objective (two or more); absent on single-objective ones. */
  directions?: readonly Direction[]
  space?: SearchSpace
  trainset?: readonly unknown[]
  /** Program sessions: the held-out examples candidates are scored on, when the session has them (see `StepContext.valset`). */
  valset?: readonly unknown[]
  /** Trials of this session (and any warm-start seeds), oldest first. Empty for a new session. */
  history: readonly TrialView[]
}

/** What `Optimizer.step` receives for one trial. */
export interface StepContext<Example = unknown> {
  trialIdx: number
  /** The session's seeded generator; its state is committed with the trial. */
  rng: Rng
  history: readonly TrialView[]
  direction: Direction
  /** Multi-objective sessions: one direction per objective (two or more); absent on single-objective ones. */
  directions?: readonly Direction[]
  space?: SearchSpace
  trainset?: readonly Example[]
  /**
   * Program sessions: held-out examples to score candidates on, when the session was given
   * them. Optimizers that draw demonstrations from `trainset` must not score a candidate on
   * its own demonstrations: score on `valset` when present, else on training examples the
   * candidate does not use. `evaluate(candidate)` without `examples` runs on it.
   */
  valset?: readonly Example[]
  metric?: Metric<Example>
  program?: Program<Example>
  /** Runs the objective (or program × examples × metric) under the trial's timeout and signal. */
  evaluate(candidate: Json, options?: EvaluateOptions<Example>): Promise<Evaluation>
  /** Aborted when the trial times out or the session is stopped hard. */
  signal: AbortSignal
  /** The session's parallelism: a step may evaluate up to this many things concurrently. */
  parallelism: number
}

/** A trial a step produced. The driver assigns its index and commits it. */
export interface ProposedTrial {
  candidate: Json
  candidateId?: string
  evaluation: Evaluation
  /** Overrides `evaluation.artifact` as the best artifact when this trial is the best. */
  artifact?: Json
}

/** What one `step` returns. */
export type StepResult<State> = { kind: 'continue'; state: State; trial: ProposedTrial } | { kind: 'halt'; state: State; reason: string }

/**
 * What an optimizer declares about itself. `@cairn/testkit`'s `describeOptimizer` reads these
 * to choose the checks that apply, and the session driver reads `sampler`.
 */
export interface OptimizerCapabilities {
  /**
   * Proposes the same candidates whatever the seed (grid search). Every optimizer must give
   * the same candidates for the same seed; this says different seeds do not differ either.
   */
  readonly deterministic: boolean
  /** Built by `askTell()`: `optimizer.sampler` is set, so the driver can keep several trials in flight. */
  readonly sampler: boolean
  /**
   * Proposes points of the session's flat `SearchSpace` (`float`, `int`, `categorical`
   * params), so sessions must give `space`. False for optimizers that build their own
   * candidates, such as program search over a trainset.
   */
  readonly flatSpace: boolean
  /**
   * Optimizes several objectives (`directions`): reads `TrialView.values`. The session driver
   * refuses a multi-objective session with an optimizer that does not declare it. Default false.
   */
  readonly multiObjective?: boolean
  /** Takes `TrialView.constraints` into account (feasible trials preferred). Default false. */
  readonly constraints?: boolean
  /**
   * Handles conditional spaces (a `choice` whose branches are spaces; candidates carry only the
   * active parameters). The session driver refuses a conditional space otherwise. Default false.
   */
  readonly conditionalSpace?: boolean
}

/**
 * An optimizer: pure state in, state out. Write `step` directly, or a `Sampler` wrapped by
 * `askTell()`. The state must be bounded (history comes from the session) and round-trip
 * through `encodeState`/`decodeState` exactly.
 */
export interface Optimizer<State = unknown> {
  /** The version of this contract the optimizer implements (`'v1'`); the session driver refuses a version it does not know. */
  readonly specificationVersion: 'v1'
  /** e.g. `@cairn/optimizers/tpe`; checked on resume. */
  readonly id: string
  /** Bump when `encodeState`'s format changes; checked on resume. */
  readonly stateVersion: number
  /** JSON options, stored with the session for inspection. */
  readonly options?: Json
  /** What this optimizer is (see `OptimizerCapabilities`). */
  readonly capabilities: OptimizerCapabilities
  init(ctx: InitContext): State | Promise<State>
  step(state: State, ctx: StepContext): Promise<StepResult<State>>
  encodeState(state: State): Uint8Array
  /** Throws on a version it does not know. */
  decodeState(bytes: Uint8Array, version: number): State
  /** Present on optimizers built by `askTell()`: lets the driver keep several trials in flight. */
  readonly sampler?: Sampler<State>
}

/** What `Sampler.ask` receives. */
export interface AskContext {
  trialIdx: number
  rng: Rng
  history: readonly TrialView[]
  /** Candidates asked but not yet told (parallel trials in flight), for constant-liar strategies. */
  pending: readonly { trialIdx: number; candidate: Json }[]
  direction: Direction
  /** Multi-objective sessions: one direction per objective (two or more); absent on single-objective ones. */
  directions?: readonly Direction[]
  space?: SearchSpace
}

/** What `Sampler.ask` returns. */
export type AskResult<State> =
  | { kind: 'candidate'; state: State; candidate: Json; candidateId?: string }
  | { kind: 'halt'; state: State; reason: string }

/** An Optuna-style sampler: ask for a candidate, tell it the result. Wrap with `askTell()`. */
export interface Sampler<State = unknown> {
  readonly id: string
  readonly stateVersion: number
  readonly options?: Json
  /**
   * Passed on to the optimizer `askTell()` builds (whose `sampler` capability is always true).
   * Defaults: `deterministic: false`, `flatSpace: true`.
   */
  readonly capabilities?: Partial<
    Pick<OptimizerCapabilities, 'deterministic' | 'flatSpace' | 'multiObjective' | 'constraints' | 'conditionalSpace'>
  >
  init(ctx: InitContext): State | Promise<State>
  ask(state: State, ctx: AskContext): AskResult<State> | Promise<AskResult<State>>
  /** Learns from a finished trial; trials are told in index order. Default: state unchanged. */
  tell?(state: State, trial: TrialView, ctx: { history: readonly TrialView[] }): State
  encodeState(state: State): Uint8Array
  decodeState(bytes: Uint8Array, version: number): State
}
