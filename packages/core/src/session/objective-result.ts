import type { Json } from '../json.js'
import type { Evaluation } from '../optimizer/contract.js'
import { canonicalJson } from '../util/canonical-json.js'
import type { ObjectiveResult } from './types.js'

/** A score that is not a finite number (an `invalid-score` trial). */
export class InvalidScore extends Error {
  constructor(value: unknown, what = 'score must be a finite number') {
    super(`${what}, got ${describe(value)}`)
    this.name = 'InvalidScoreError'
  }
}

/**
 * The evaluation of what an objective returned (or what `tell` was given), for a session of
 * `objectives` objectives (default 1): a finite score, or on multi-objective sessions an array
 * of one finite value per objective (`values`), as such or as `{ score }` with optional
 * `constraints` (finite numbers, each ≤ 0 satisfied), `attrs` (an object of JSON values),
 * JSON `stats` and `artifact`. Anything else is an `error` evaluation with
 * `errorClass: 'invalid-score'`; this never throws.
 */
export function evaluationOf(result: ObjectiveResult, durationMs: number, objectives = 1): Evaluation {
  const normalized = typeof result === 'number' || Array.isArray(result) ? { score: result } : result
  if (normalized === null || typeof normalized !== 'object') return failure(new InvalidScore(result), 'invalid-score', durationMs)
  const { score, stats, artifact, constraints, attrs } = normalized
  const evaluation: Evaluation = { status: 'ok', durationMs }
  const scored = scoreOf(score, objectives)
  if (scored instanceof Error) return failure(scored, 'invalid-score', durationMs)
  if (typeof scored === 'number') evaluation.score = scored
  else evaluation.values = scored
  if (constraints !== undefined) {
    if (!Array.isArray(constraints) || !constraints.every(isFiniteNumber))
      return failure(new InvalidScore(constraints, 'constraints must be an array of finite numbers'), 'invalid-score', durationMs)
    if (constraints.length > 0) evaluation.constraints = constraints.map(noNegativeZero)
  }
  if (attrs !== undefined) {
    const problem = attrsProblem(attrs)
    if (problem !== null) return failure(new Error(`attrs ${problem}`), 'invalid-score', durationMs)
    if (Object.keys(attrs).length > 0) evaluation.attrs = copyJson(attrs) as Record<string, Json>
  }
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

/**
 * Why `attrs` is not a trial's attributes (an object of non-empty keys and JSON values), or
 * null when it is.
 */
export function attrsProblem(attrs: unknown): string | null {
  if (attrs === null || typeof attrs !== 'object' || Array.isArray(attrs)) return `must be an object of JSON values, got ${describe(attrs)}`
  for (const [key, value] of Object.entries(attrs)) {
    if (key.length === 0) return 'keys must be non-empty strings'
    if (!isJson(value)) return `"${key}" must be JSON`
  }
  return null
}

/** A deep copy of a JSON value (later changes by the caller do not reach the trial record). */
export function copyJson(value: Json): Json {
  return JSON.parse(JSON.stringify(value)) as Json
}

/** The score (one objective) or values (several), or the error saying why `score` is neither. */
function scoreOf(score: unknown, objectives: number): number | number[] | Error {
  if (Array.isArray(score)) {
    if (score.length !== objectives || !score.every(isFiniteNumber))
      return new InvalidScore(
        score,
        objectives === 1 ? 'score must be a finite number' : `score must be an array of ${objectives} finite numbers (one per direction)`,
      )
    const values = score.map(noNegativeZero)
    return objectives === 1 ? (values[0] as number) : values
  }
  if (objectives !== 1) return new InvalidScore(score, `score must be an array of ${objectives} finite numbers (one per direction)`)
  if (!isFiniteNumber(score)) return new InvalidScore(score)
  return noNegativeZero(score)
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

function noNegativeZero(value: number): number {
  return Object.is(value, -0) ? 0 : value
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => String(v)).join(', ')}]`
  return String(value)
}

function isJson(value: unknown): value is Json {
  try {
    canonicalJson(value)
    return true
  } catch {
    return false
  }
}
