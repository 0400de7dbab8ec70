import type { Json } from '../json.js'
import type { Evaluation } from '../optimizer/contract.js'
import { canonicalJson } from '../util/canonical-json.js'
import type { ObjectiveResult } from './types.js'

/** A score that is not a finite number (an `invalid-score` trial). */
export class InvalidScore extends Error {
  constructor(value: unknown) {
    super(`score must be a finite number, got ${String(value)}`)
    this.name = 'InvalidScoreError'
  }
}

/**
 * The evaluation of what an objective returned (or what `tell` was given): a finite score,
 * optionally with JSON `stats` and `artifact`. Anything else is an `error` evaluation with
 * `errorClass: 'invalid-score'`; this never throws.
 */
export function evaluationOf(result: ObjectiveResult, durationMs: number): Evaluation {
  const normalized = typeof result === 'number' ? { score: result } : result
  if (normalized === null || typeof normalized !== 'object') return failure(new InvalidScore(result), 'invalid-score', durationMs)
  const { score, stats, artifact } = normalized
  if (typeof score !== 'number' || !Number.isFinite(score)) return failure(new InvalidScore(score), 'invalid-score', durationMs)
  const evaluation: Evaluation = { status: 'ok', score: Object.is(score, -0) ? 0 : score, durationMs }
  if (stats !== undefined) {
    if (!isJson(stats)) return failure(new Error('stats must be JSON'), 'invalid-score', durationMs)
    evaluation.stats = stats
  }
  if (artifact !== undefined) {
    if (!isJson(artifact)) return failure(new Error('artifact must be JSON'), 'invalid-score', durationMs)
    evaluation.artifact = artifact
  }
  return evaluation
}

/** An `error` evaluation; an `InvalidScore` is always classed `invalid-score`. */
export function failure(err: Error, errorClass: string, durationMs: number): Evaluation {
  if (err instanceof InvalidScore) errorClass = 'invalid-score'
  return { status: 'error', error: { name: err.name, message: err.message }, errorClass, durationMs }
}

function isJson(value: unknown): value is Json {
  try {
    canonicalJson(value)
    return true
  } catch {
    return false
  }
}
