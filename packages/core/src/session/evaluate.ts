import { InvalidInputError, TimeoutError } from '../errors.js'
import type { Json } from '../json.js'
import type { Evaluation, Metric, Program } from '../optimizer/contract.js'
import { evaluationOf, failure, InvalidScore } from './objective-result.js'
import { TrialAttrs } from './trial-attrs.js'
import { isPrunedTrial, type PrunedTrial } from './pruned-trial.js'
import { TrialAbort } from './trial-abort.js'
import { TrialProgress } from './trial-progress.js'
import type { Objective, ObjectiveContext, ObjectiveResult } from './types.js'

/**
 * What an evaluation runs: an objective, or program × examples × metric; or nothing (a
 * coordinator of shared evaluation started without an objective: an evaluation asked of it is
 * an error trial).
 */
export type EvaluationTarget =
  | { kind: 'objective'; objective: Objective }
  | { kind: 'program'; program: Program<any, any>; metric: Metric<any, any>; trainset: readonly unknown[] }
  | { kind: 'none' }

export interface EvaluateArgs {
  target: EvaluationTarget
  candidate: Json
  trialIdx: number
  timeoutMs: number | null
  /** Aborts the trial (session stopped hard or lease lost). */
  sessionSignal: AbortSignal
  examples?: readonly unknown[]
  concurrency: number
  /** The state behind the objective's `report`, `shouldPrune`, `prune` and `checkpoint` (objective targets). */
  progress?: TrialProgress
  /** How many values the objective returns: the session's directions (default 1). */
  objectives?: number
}

/** What an objective (or a program) came back with. */
type TargetResult = ObjectiveResult | PrunedTrial

/**
 * Runs one evaluation under the trial timeout. Never throws: objective failures, timeouts and
 * invalid scores (NaN, ±Infinity, non-numbers) come back as `status: 'error'` with an `errorClass`.
 * An evaluation that took longer than `timeoutMs` is a `timeout` error even when it returned a
 * score: an asynchronous objective is aborted through its signal when the limit passes, a
 * synchronous one (which no timer can interrupt) is judged by its duration once it returns.
 */
export async function runEvaluation(args: EvaluateArgs): Promise<Evaluation> {
  const trial = new TrialAbort()
  const { sessionSignal } = args
  if (sessionSignal.aborted) trial.abort(sessionSignal.reason)
  let onSessionAbort: (() => void) | undefined
  let timer: NodeJS.Timeout | undefined
  if (args.timeoutMs !== null) {
    const ms = args.timeoutMs
    timer = setTimeout(() => trial.abort(new TimeoutError(`trial ${args.trialIdx}`, ms)), ms)
  }
  const started = performance.now()
  const attrs = new TrialAttrs()
  try {
    const progress = args.progress
    if (progress?.prunesOnRestore()) return withCurve(progress, settle(args, progress.marker as PrunedTrial, 0))
    let work: TargetResult | PromiseLike<TargetResult> | undefined
    let threw = false
    let thrown: unknown
    try {
      work = startTarget(args, trial, attrs)
    } catch (err) {
      threw = true
      thrown = err
    }
    // Whatever stopped the session while the objective ran synchronously ends the trial, as a race would.
    if (sessionSignal.aborted) trial.abort(sessionSignal.reason)
    if (trial.aborted) throw trial.reason
    if (threw) throw thrown
    let result: TargetResult
    if (isThenable(work)) {
      // Only work that awaits can see the session stop or the timer fire before it settles.
      onSessionAbort = () => trial.abort(sessionSignal.reason)
      sessionSignal.addEventListener('abort', onSessionAbort, { once: true })
      result = await raceAbort(Promise.resolve(work), trial.signal)
    } else result = work as TargetResult
    const durationMs = performance.now() - started
    const late = overran(args, durationMs)
    return attrs.mergeInto(withCurve(args.progress, late ? failure(late, 'timeout', durationMs) : settle(args, result, durationMs)))
  } catch (err) {
    const durationMs = performance.now() - started
    return attrs.mergeInto(withCurve(args.progress, thrown(args, trial, err, durationMs)))
  } finally {
    if (timer) clearTimeout(timer)
    if (onSessionAbort) sessionSignal.removeEventListener('abort', onSessionAbort)
  }
}

/** The evaluation of a trial whose objective threw (or was aborted). */
function thrown(args: EvaluateArgs, trial: TrialAbort, err: unknown, durationMs: number): Evaluation {
  const reason = trial.aborted ? trial.reason : undefined
  if (reason instanceof TimeoutError) return failure(reason, 'timeout', durationMs)
  if (trial.aborted && err === reason) return failure(asError(reason), 'aborted', durationMs)
  const late = overran(args, durationMs)
  if (late) return failure(late, 'timeout', durationMs)
  const misuse = args.progress?.misuse
  if (misuse) return failure(misuse, 'invalid-input', durationMs)
  return failure(asError(err), 'objective', durationMs)
}

/**
 * The evaluation of what the target returned: a misuse of the context makes it an `error`
 * whatever it returned; the trial's own pruned marker makes it `pruned`, scored with its last
 * intermediate value.
 */
function settle(args: EvaluateArgs, result: TargetResult, durationMs: number): Evaluation {
  const progress = args.progress
  if (progress?.misuse) return failure(progress.misuse, 'invalid-input', durationMs)
  if (!isPrunedTrial(result)) return evaluationOf(result, durationMs, args.objectives ?? 1)
  if (!progress || result !== progress.marker) {
    const err = new InvalidInputError(
      `trial ${args.trialIdx} returned the pruned marker of ${result.trialIdx === args.trialIdx ? 'another context' : `trial ${result.trialIdx}`}; return this trial's own ctx.prune()`,
    )
    return failure(err, 'invalid-input', durationMs)
  }
  const last = progress.curve[progress.curve.length - 1]
  return { status: 'pruned', score: last?.value as number, durationMs }
}

/** `evaluation` with the trial's learning curve, when it has one. */
function withCurve(progress: TrialProgress | undefined, evaluation: Evaluation): Evaluation {
  if (progress && progress.curve.length > 0) evaluation.intermediate = progress.curve.slice()
  return evaluation
}

/**
 * The timeout error of a trial that took longer than its limit, or null. A synchronous
 * objective blocks the trial's timer until it returns, so its overrun is found by measuring:
 * a trial that returned (or threw) after its limit is a timeout all the same.
 */
function overran(args: EvaluateArgs, durationMs: number): TimeoutError | null {
  return args.timeoutMs !== null && durationMs > args.timeoutMs ? new TimeoutError(`trial ${args.trialIdx}`, args.timeoutMs) : null
}

/**
 * Starts the evaluation: an objective is called at once and its result returned as it came (a
 * value from a synchronous objective, which then needs no race against the abort signal, or a
 * promise); a program runs asynchronously.
 */
function startTarget(args: EvaluateArgs, trial: TrialAbort, attrs: TrialAttrs): TargetResult | PromiseLike<TargetResult> {
  const { target } = args
  if (target.kind === 'none')
    throw new InvalidInputError(
      `trial ${args.trialIdx} cannot be evaluated here: this coordinator was started without an objective (evaluateLocally: false)`,
      'objective',
    )
  if (target.kind !== 'objective') return runProgram(args, target, trial.signal)
  return target.objective(args.candidate, objectiveContext(args.trialIdx, trial, args.progress, attrs))
}

/**
 * The objective's context; its `signal` is made when first read (see `TrialAbort`). Without a
 * `progress` (an evaluation outside a session's trial loop) its reports are kept for this call only.
 */
function objectiveContext(trialIdx: number, trial: TrialAbort, progress: TrialProgress | undefined, attrs: TrialAttrs): ObjectiveContext {
  const p = progress ?? new TrialProgress({ trialIdx, candidate: null })
  return {
    trialIdx,
    get signal() {
      return trial.signal
    },
    report: (step, value) => p.report(step, value),
    shouldPrune: () => p.shouldPrune(),
    prune: () => p.prune(),
    checkpoint: (state) => p.checkpoint(state),
    get restored() {
      return p.restored
    },
    get intermediate() {
      return p.curve
    },
    setAttr: (key, value) => attrs.set(key, value),
  }
}

function isThenable(value: unknown): value is PromiseLike<TargetResult> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}

async function runProgram(
  args: EvaluateArgs,
  target: Extract<EvaluationTarget, { kind: 'program' }>,
  signal: AbortSignal,
): Promise<ObjectiveResult> {
  const examples = args.examples ?? target.trainset
  if (examples.length === 0) throw new Error('no examples to evaluate the program on')
  const scores = new Array<number>(examples.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < examples.length) {
      const i = next++
      signal.throwIfAborted()
      const output = await target.program(args.candidate, examples[i], { signal })
      const score = await target.metric(examples[i], output)
      if (typeof score !== 'number' || !Number.isFinite(score)) throw new InvalidScore(score)
      scores[i] = score
    }
  }
  await Promise.all(Array.from({ length: Math.min(args.concurrency, examples.length) }, worker))
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length
  return { score: mean, stats: { examples: examples.length } }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(typeof err === 'string' ? err : `non-error thrown: ${String(err)}`)
}

/** Resolves with `work`, or rejects with the signal's reason as soon as it aborts (work is abandoned). */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort)
        resolve(v)
      },
      (e) => {
        signal.removeEventListener('abort', onAbort)
        reject(e)
      },
    )
  })
}
